"""One JSON error shape for the whole API: ``{"code", "message", "errors"}``.

``code`` is the HTTP status, ``message`` a sentence for people, ``errors`` the details by field
(``{"json": {"name": ["Missing data for required field."]}}``) or ``null``. Nothing escapes as
an HTML page or a bare 500: unexpected exceptions are logged and answered with a generic 500.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from core.tenancy import TenancyError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raise from a service or view to answer with a given status and message."""

    def __init__(self, status: int, message: str, errors=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


WEBARGS_LOCATIONS = {"json", "query", "querystring", "form", "files", "headers", "cookies", "path", "view_args", "json_or_form"}


def flatten_locations(errors):
    """webargs nests validation errors under where they came from (``{"json": {"name": …}}``);
    services name fields directly. Answer one shape: ``{"name": [...]}``."""
    if isinstance(errors, dict) and errors and set(errors) <= WEBARGS_LOCATIONS:
        flat: dict = {}
        for nested in errors.values():
            if isinstance(nested, dict):
                flat.update(nested)
            else:
                flat.setdefault("_schema", []).extend(nested if isinstance(nested, list) else [nested])
        return flat
    return errors


def describe_errors(errors, prefix: str = "", whole: str = "input") -> str:
    """marshmallow's nested error messages in one line: ``field: reason; other.field: reason``
    (``whole`` names errors about the input as a whole)."""
    if isinstance(errors, dict):
        return "; ".join(describe_errors(v, f"{prefix}{k}.", whole) for k, v in errors.items())
    field = prefix.rstrip(".") or whole
    if isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        return f"{field}: {' '.join(errors)}"
    return f"{field}: {errors}"


def string_keys(value):
    """``value`` with every dict key as text. JSON keys are text anyway, but marshmallow names
    list items by index: a field with both item errors and its own (``{1: [...], "_schema":
    [...]}``) could not even be encoded (sorting int and str keys fails: a 500)."""
    if isinstance(value, dict):
        return {str(key): string_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [string_keys(item) for item in value]
    return value


def error_body(code: int, message: str, errors=None) -> dict:
    return {"code": code, "message": message, "errors": string_keys(flatten_locations(errors))}


def abort(status: int, message: str, errors=None):
    raise ApiError(status, message, errors)


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


DATABASE_AWAY = "The database cannot be reached just now; nothing was changed. Try again in a moment."


def database_away(exc: OperationalError) -> bool:
    """Whether ``exc`` means the connection to the database is lost or cannot be made (not a
    lock, a deadlock or a bad statement): SQLAlchemy saw a disconnect, PostgreSQL said
    "connection exception" (08…) or "operator intervention" (57P…: shut down, terminated), or
    psycopg failed before the server said anything."""
    if exc.connection_invalidated:
        return True
    state = getattr(exc.orig, "sqlstate", None)
    if state is not None:
        return state.startswith(("08", "57P"))
    return type(exc.orig).__module__.startswith("psycopg")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(error_body(exc.status, exc.message, exc.errors)), exc.status

    @app.errorhandler(TenancyError)
    def _tenancy_error(exc: TenancyError):
        log.warning("tenancy refused a request to %s: %s", request.path, exc)
        return (
            jsonify(
                error_body(
                    400,
                    "No tenant for this request: use the tenant's host name or send the "
                    "X-Tenant header.",
                )
            ),
            400,
        )

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError):
        from core.db import db

        db.session.rollback()
        log.info("integrity error on %s: %s", request.path, exc.orig)
        return jsonify(error_body(409, "The change conflicts with existing data.")), 409

    @app.errorhandler(StaleDataError)
    def _stale_data(exc: StaleDataError):
        """A versioned row (:mod:`core.db.versioning`) changed by another transaction between
        this request's read and its write: nothing is written, 409 naming ``version``."""
        from core.db import db

        db.session.rollback()
        log.info("stale write refused on %s: %s", request.path, exc)
        message = "This record was changed by someone else since you read it; reload and try again."
        errors = {"version": ["Stale: the record has changed."]}
        return jsonify(error_body(409, message, errors)), 409

    @app.errorhandler(OperationalError)
    def _operational_error(exc: OperationalError):
        """The database went away under this request (restarted, failed over, its connection
        cut): a clean 503 — nothing was committed — instead of a 500. The pool checks each
        connection before use (``pool_pre_ping``), so the next request reconnects."""
        if not database_away(exc):
            return _unexpected(exc)
        from core.db import db

        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the session is reset anyway
            db.session.remove()
        log.error("the database is unreachable on %s %s: %s", request.method, request.path,
                  exc.orig)
        if _is_api_request():
            response = jsonify(error_body(503, DATABASE_AWAY))
        else:
            from flask_babel import gettext

            response = app.response_class(gettext(DATABASE_AWAY), mimetype="text/plain")
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _is_api_request():
            return exc
        data = getattr(exc, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        return jsonify(error_body(exc.code, data.get("message") or exc.description, errors)), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        from core.db import db

        db.session.rollback()
        return jsonify(error_body(500, "Internal error; it has been logged.")), 500
