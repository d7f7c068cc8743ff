"""Uploaded workbooks, kept where no web server serves them until their import job has run.

A file is stored as ``<instance>/uploads/<tenant id>/<uuid>.xlsx`` (folders 0700, files 0600):
outside any static folder, under a name the uploader does not choose, per tenant. The import
job is given only the file's name, never a path, and :func:`path_for` accepts nothing but the
``<32 hex>.xlsx`` shape, so a job argument cannot point anywhere else. The copy itself is
:func:`core.files.write_private` (the attachments' primitive): counted while it streams, so
an oversized file is stopped without being read whole. The name the uploader gave is kept
for display only, sanitised like an attachment's (:func:`display_name`).

Before a file is accepted it must be a real .xlsx that can be read in bounded memory
(:func:`core.excel.archive.check_file`: its first bytes, the zip's bookkeeping, every XML
part measured as a stream — openpyxl is not run here, so a large legitimate file costs the
request seconds, not the minutes a full parse of its shared strings would). Anything else —
an old .xls, a password-protected workbook, a PDF or CSV renamed, a damaged archive, a zip
bomb — is refused with :class:`UploadError` before a job is started. A sheet whose XML breaks
part-way, too many rows and bad rows are found by the job, which then writes nothing.

The size limit is Flask's ``MAX_CONTENT_LENGTH`` for uploads through the API and the web
(they answer 413 before the body is read), checked again here for files copied in from the
command line.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from core import files
from core.excel.archive import Limits, WorkbookError, check_file

_NAME = re.compile(r"^[0-9a-f]{32}\.xlsx$")
DISPLAY_NAME_MAX = 255


class UploadError(ValueError):
    """The file is not an acceptable workbook; ``reason`` says why, ``status`` is the HTTP
    status to answer (413 when it is too large, else 422)."""

    def __init__(self, reason: str, status: int = 422):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def upload_root() -> Path:
    return Path(current_app.instance_path) / "uploads"


def path_for(tenant_id: int, name: str) -> Path:
    """The stored file ``name`` of tenant ``tenant_id``; ValueError for any other shape."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"not an upload name: {name!r}")
    return upload_root() / str(int(tenant_id)) / name


def max_bytes() -> int | None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return int(limit) if limit else None


def limits() -> Limits:
    """The import's limits on what a workbook may unpack to (``IMPORT_MAX_*`` settings)."""
    return Limits.from_config(current_app.config)


def display_name(raw: str | None) -> str | None:
    """The uploader's file name as it may be shown (sanitised; never a path)."""
    if not raw:
        return None
    return files.sanitise_name(raw)[:DISPLAY_NAME_MAX]


def store(tenant_id: int, stream: BinaryIO) -> str:
    """Copy ``stream`` into the tenant's upload folder, check it is an .xlsx, return its
    name. Raises :class:`UploadError` (and keeps nothing) when it is not acceptable."""
    name = f"{uuid.uuid4().hex}.xlsx"
    path = files.private_folder(upload_root() / str(int(tenant_id))) / name
    try:
        files.write_private(stream, path, max_bytes())
        check_xlsx(path)
    except files.FileError as exc:
        discard(tenant_id, name)
        raise UploadError(exc.reason, exc.status) from None
    except BaseException:
        discard(tenant_id, name)
        raise
    return name


def store_file(tenant_id: int, source: str | os.PathLike) -> str:
    """:func:`store` for a file on disk (the command line)."""
    with open(source, "rb") as stream:
        return store(tenant_id, stream)


def check_xlsx(path: Path) -> None:
    try:
        check_file(path, limits())
    except WorkbookError as exc:
        raise UploadError(str(exc)) from None


def discard(tenant_id: int, name: str) -> None:
    """Remove a stored upload (no error when it is already gone)."""
    try:
        path_for(tenant_id, name).unlink(missing_ok=True)
    except ValueError:
        pass
