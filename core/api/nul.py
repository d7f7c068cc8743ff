"""Refuse NUL characters in API input before any view sees them.

PostgreSQL text cannot hold ``\\x00``: a value carrying one would reach the database and come
back as a ``DataError`` — a 500 on PostgreSQL and a silently stored oddity on SQLite. No
field of ours has a use for it, so every API request is checked once, here, and a NUL in the
JSON body, the query string, a form field or an uploaded file's name is a 422 naming the
field (``items.2.name``), the same shape as any other validation error. A NUL in a path
parameter is an id nothing has: the views answer 404, as for any unknown id.
"""

from __future__ import annotations

from flask import Flask, request

from core.api.errors import ApiError

MESSAGE = "Must not contain NUL characters."


def _walk(value, path: str, found: dict) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            found[path or "_body"] = [MESSAGE]
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            if "\x00" in name:
                found[path or "_body"] = ["Field names must not contain NUL characters."]
                continue
            _walk(item, f"{path}.{name}" if path else name, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}.{index}" if path else str(index), found)


def nul_fields() -> dict[str, list[str]]:
    """The fields of the current request that carry a NUL character."""
    found: dict[str, list[str]] = {}
    for key, values in request.args.lists():
        _walk({key: values[0] if len(values) == 1 else values}, "", found)
    if request.mimetype == "application/json":
        _walk(request.get_json(silent=True), "", found)
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for key, values in request.form.lists():
            _walk({key: values[0] if len(values) == 1 else values}, "", found)
        for key, upload in request.files.items():
            if upload.filename and "\x00" in upload.filename:
                found[key] = ["The file name must not contain NUL characters."]
    return found


def register(app: Flask) -> None:
    @app.before_request
    def _refuse_nul():
        if not request.path.startswith("/api/"):
            return None
        found = nul_fields()
        if found:
            raise ApiError(422, "Input must not contain NUL characters.", found)
        return None
