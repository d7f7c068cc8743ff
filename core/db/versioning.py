"""Optimistic locking, one way everywhere: a row with a ``version`` counter
(:class:`core.db.mixins.Versioned`, or ``__mapper_args__ = {"version_id_col": …}``) that
someone else changed since the caller read it answers 409 naming ``version``, and nothing is
written.

Two ways to notice, and every editable record has both:

* the caller sends the version it read (an API body's ``version``, a web form's hidden
  field): :func:`check_version` / :func:`expect` refuse a stale one before anything changes;
* the UPDATE itself carries ``WHERE version = <the version this request read>``, so a write
  that another transaction overtook between this request's read and its write changes no row
  and raises ``StaleDataError``: :func:`flush` here, or the application's error handler at
  commit (:mod:`core.api.errors`), turns it into the same 409.

Settings kept as one row per key (a plugin's settings, a rule's parameters, a tenant's rate
overrides) are compared and set the same way; a row not written yet is at version 0
(:func:`check_row_version`), and two first writers racing meet the row's unique key.
"""

from __future__ import annotations

from marshmallow import fields, validate
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from core.api.errors import ApiError
from core.db import db
from core.db.mixins import utcnow

VERSION_HELP = (
    "The version you read: when it is no longer the record's, 409 naming "
    "``version`` and nothing changes. Without it the write still refuses to "
    "overwrite a change made while this request ran."
)


def stale(what: str, field: str = "version"):
    """Raise the 409 for a ``what`` (``"member"``, ``"assessment cycle"``) changed since read;
    ``field`` is the name the caller sent the version as (``version`` but where the API's
    ``version`` already meant something else)."""
    raise ApiError(
        409,
        f"This {what} was changed by someone else since you read it; reload and try again.",
        {field: [f"Stale: the {what} has changed."]},
    )


def check_version(row, expected: int | None, what: str, field: str = "version") -> None:
    """409 when the caller read ``row`` at another version than it has now."""
    if expected is not None and row.version != expected:
        stale(what, field)


def expect(row, data: dict, what: str) -> dict:
    """Take the caller's ``version`` out of ``data`` (an update's loaded body) and check it
    against ``row``; returns ``data`` without it, ready for the service."""
    check_version(row, data.pop("version", None), what)
    return data


def current_version(row) -> int:
    """A key/value row's version; 0 for one never written (``row`` is ``None``)."""
    return 0 if row is None else row.version


def check_row_version(row, expected: int | None, what: str) -> None:
    """:func:`check_version` for a row that may not exist yet (version 0)."""
    if expected is not None and current_version(row) != expected:
        stale(what)


def pop_version(body: dict) -> int | None:
    """The ``version`` a settings body (a JSON object of setting names) carries beside its
    settings, taken out of it; 422 naming ``version`` when it is not a whole number ≥ 0."""
    if "version" not in body:
        return None
    value = body.pop("version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(
            422,
            "version: Must be a whole number ≥ 0.",
            {"version": ["Must be a whole number ≥ 0."]},
        )
    return value


def bump(row) -> None:
    """Count an edit of a row whose model bumps its version by hand
    (``__version_counter__ = False``); the flush still checks the version it read."""
    row.version = row.version + 1


def touch(row) -> None:
    """Count on ``row`` a change kept in other rows (a meeting's attendance, its grades): its
    UPDATE then checks and bumps the version although none of its own columns changed."""
    row.updated_at = utcnow()


def flush(what: str) -> None:
    """Flush; a row changed by another transaction since it was read is a 409 (rolled back)."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        stale(what)


def flush_first_write(what: str) -> None:
    """Flush a key/value row this request may have added: a concurrent first write of the
    same key (its unique constraint) is the same 409 as a stale version; the request's
    transaction is rolled back, so nothing of it is written."""
    try:
        db.session.flush()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        stale(what)


def expected_version_field(description: str = VERSION_HELP, **kwargs) -> fields.Int:
    """An update schema's optional ``version`` (the one the caller read)."""
    return fields.Int(
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={"description": description},
        **kwargs,
    )


def version_field(**kwargs) -> fields.Int:
    """A read schema's ``version``: send it back with the next change."""
    return fields.Int(
        metadata={"description": "Send it back with a change (optimistic locking)."}, **kwargs
    )
