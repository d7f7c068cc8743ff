"""Uploaded workbooks, kept where no web server serves them until their import job has run.

A file is stored as ``<instance>/uploads/<tenant id>/<uuid>.xlsx`` (folders 0700, files 0600):
outside any static folder, under a name the uploader does not choose, per tenant. The import
job is given only the file's name, never a path, and :func:`path_for` accepts nothing but the
``<32 hex>.xlsx`` shape, so a job argument cannot point anywhere else.

Before a file is accepted it must be a real .xlsx: a zip archive (``PK\\x03\\x04``) that openpyxl
opens read-only and that has a worksheet. Anything else — an old binary .xls, a CSV renamed,
a damaged archive — is refused with :class:`UploadError` before a job is started. The size
limit is Flask's ``MAX_CONTENT_LENGTH`` for uploads through the API, checked again here for
files copied in from the command line.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from core.excel.reader import WorkbookError, open_workbook

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary .xls (and other OLE files)
_NAME = re.compile(r"^[0-9a-f]{32}\.xlsx$")
_CHUNK = 1024 * 1024


class UploadError(ValueError):
    """The file is not an acceptable workbook; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def upload_root() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _tenant_folder(tenant_id: int) -> Path:
    folder = upload_root() / str(int(tenant_id))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def path_for(tenant_id: int, name: str) -> Path:
    """The stored file ``name`` of tenant ``tenant_id``; ValueError for any other shape."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"not an upload name: {name!r}")
    return upload_root() / str(int(tenant_id)) / name


def max_bytes() -> int | None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return int(limit) if limit else None


def store(tenant_id: int, stream: BinaryIO) -> str:
    """Copy ``stream`` into the tenant's upload folder, check it is an .xlsx, return its
    name. Raises :class:`UploadError` (and keeps nothing) when it is not acceptable."""
    name = f"{uuid.uuid4().hex}.xlsx"
    path = _tenant_folder(tenant_id) / name
    limit = max_bytes()
    written = 0
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                written += len(chunk)
                if limit is not None and written > limit:
                    raise UploadError(f"The file is larger than the limit of {limit} bytes.")
                out.write(chunk)
        check_xlsx(path)
    except BaseException:
        discard(tenant_id, name)
        raise
    return name


def store_file(tenant_id: int, source: str | os.PathLike) -> str:
    """:func:`store` for a file on disk (the command line)."""
    with open(source, "rb") as stream:
        return store(tenant_id, stream)


def check_xlsx(path: Path) -> None:
    with open(path, "rb") as f:
        head = f.read(4)
    if not head:
        raise UploadError("The file is empty.")
    if head == OLE_SIGNATURE:
        raise UploadError("This is an old Excel 97-2003 (.xls) file; save it as .xlsx and upload again.")
    if head != ZIP_SIGNATURE:
        raise UploadError("The file is not an Excel workbook (.xlsx).")
    try:
        workbook = open_workbook(path)
    except WorkbookError as exc:
        raise UploadError(str(exc)) from None
    try:
        if not workbook.worksheets:
            raise UploadError("The workbook has no worksheet.")
    finally:
        workbook.close()


def discard(tenant_id: int, name: str) -> None:
    """Remove a stored upload (no error when it is already gone)."""
    try:
        path_for(tenant_id, name).unlink(missing_ok=True)
    except ValueError:
        pass
