"""Attachments kept safely: type checked by content, size limited, stored where no web server
serves them, under names the uploader does not choose.

A file is stored as ``<instance>/files/<tenant id>/<32 hex>.<ext>`` (folders 0700, files
0600). Its type is decided by its first bytes (its "magic"), and the extension of the name it
was sent with must agree: a PNG renamed ``.pdf`` is refused, and so is anything that is not
one of :data:`TYPES`. The uploader's file name is sanitised (no folders, no control or
invisible characters such as the right-to-left override, none of Windows' forbidden
characters, no reserved device name such as ``CON``, at most 200 characters) and kept as
metadata only — never used as a path.
:func:`path_for` accepts nothing but the stored-name shape, so a stored name taken from the
database cannot point anywhere else.

The size limit is the ``ATTACHMENT_MAX_BYTES`` config (10 MiB by default), counted while the
stream is copied (:func:`write_private`, which :mod:`core.excel.uploads` uses too), so an
oversized upload is stopped without being read whole into memory.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app, jsonify, request

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
NAME_MAX = 200
_CHUNK = 1024 * 1024

# type → (extensions it may carry, content type)
TYPES = {
    "pdf": (("pdf",), "application/pdf"),
    "jpg": (("jpg", "jpeg"), "image/jpeg"),
    "png": (("png",), "image/png"),
    "docx": (("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
_STORED = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png|docx|xlsx)$")
_FORBIDDEN = re.compile(r'[<>:"|?*]')  # not allowed in a Windows file name
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)


class FileError(ValueError):
    """The file is not acceptable; ``reason`` says why (a sentence for people), ``status``
    is the HTTP status to answer (413 for too large, 422 otherwise)."""

    def __init__(self, reason: str, status: int = 422):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class StoredFile:
    name: str  # the stored name (<32 hex>.<type>)
    file_type: str  # a key of TYPES
    content_type: str
    size: int
    original_name: str  # sanitised, metadata only


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def root() -> Path:
    return Path(current_app.instance_path) / "files"


def path_for(tenant_id: int, name: str) -> Path:
    """The stored file ``name`` of tenant ``tenant_id``; ValueError for any other shape."""
    if not isinstance(name, str) or not _STORED.match(name):
        raise ValueError(f"not a stored file name: {name!r}")
    return root() / str(int(tenant_id)) / name


def sanitise_name(raw: str | None) -> str:
    """The last path component of ``raw`` without control or invisible characters (NUL, the
    right-to-left override …), Windows' forbidden characters replaced by ``_``, a reserved
    device name (``CON``, ``NUL.txt`` …) prefixed with ``_``, trimmed to :data:`NAME_MAX`
    characters keeping the extension (``"../../etc/passwd"`` → ``"passwd"``); ``"file"``
    when nothing is left."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.replace("\\", "/").split("/")[-1]
    text = _FORBIDDEN.sub("_", text).strip().strip(".").strip()
    if _RESERVED.match(text):
        text = "_" + text
    if len(text) > NAME_MAX:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else text[:NAME_MAX]
    return text or "file"


def _extension(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def detect_type(path: Path) -> str | None:
    """The type of the file at ``path`` by its content, or ``None`` if it is none of ours."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


def private_folder(folder: Path) -> Path:
    """``folder`` (created 0700 if missing), for files no one else on the host may read."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def write_private(stream: BinaryIO, path: Path, limit: int | None) -> int:
    """Copy ``stream`` into the new file ``path`` (mode 0600; an existing file is an error)
    chunk by chunk; returns the bytes written. Raises :class:`FileError` (413) as soon as
    more than ``limit`` bytes came, and then removes the part written."""
    written = 0
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                written += len(chunk)
                if limit is not None and written > limit:
                    raise FileError(f"The file is larger than the limit of {limit} bytes.", 413)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return written


def store(tenant_id: int, stream: BinaryIO, filename: str | None) -> StoredFile:
    """Copy ``stream`` into the tenant's folder and check it; raise :class:`FileError` (and
    keep nothing) when it is empty, too large, of a type not allowed, or its name's
    extension does not match its content."""
    original = sanitise_name(filename)
    ext = _extension(original)
    allowed = {e: t for t, (exts, _) in TYPES.items() for e in exts}
    if ext not in allowed:
        raise FileError(
            f"Files of type .{ext or '?'} are not accepted; allowed: pdf, jpg, png, docx, xlsx."
        )
    folder = private_folder(root() / str(int(tenant_id)))
    temp = folder / f"{uuid.uuid4().hex}.part"
    try:
        written = write_private(stream, temp, max_bytes())
        if written == 0:
            raise FileError("The file is empty.")
        detected = detect_type(temp)
        if detected is None:
            raise FileError("The file's content is not a PDF, JPEG, PNG, .docx or .xlsx file.")
        if detected != allowed[ext]:
            raise FileError(f"The file is named .{ext} but its content is {detected}.")
        name = f"{uuid.uuid4().hex}.{detected}"
        os.replace(temp, folder / name)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return StoredFile(name=name, file_type=detected, content_type=TYPES[detected][1],
                      size=written, original_name=original)


def human_size(size: int) -> str:
    """``20971520`` → ``20.0 MB``; ``2048`` → ``2.0 KB``."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def too_large_message(limit: int | None) -> str:
    size = f"{human_size(limit)} ({limit} bytes)" if limit else "the server's limit"
    return f"The upload is larger than the limit of {size}."


def register_upload_limit(app: Flask) -> None:
    """Answer an API request over ``MAX_CONTENT_LENGTH`` (Werkzeug refuses it before the body
    is read) with the API's JSON error naming ``file`` and the limit; the web app's own
    handler (:mod:`core.web.blueprint`) shows a page, in Chinese."""
    from werkzeug.exceptions import RequestEntityTooLarge

    from core.api.errors import error_body

    def too_large(exc: RequestEntityTooLarge):
        if not request.path.startswith("/api/"):
            return exc
        message = too_large_message(app.config.get("MAX_CONTENT_LENGTH"))
        return jsonify(error_body(413, f"file: {message}", {"file": [message]})), 413

    app.register_error_handler(RequestEntityTooLarge, too_large)


def discard(tenant_id: int, name: str) -> None:
    """Remove a stored file (no error when it is already gone or the name is malformed)."""
    try:
        path_for(tenant_id, name).unlink(missing_ok=True)
    except ValueError:
        pass
