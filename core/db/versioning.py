"""Optimistic locking, one way everywhere: a row with a ``version`` counter
(``__mapper_args__ = {"version_id_col": …}``) that someone else changed since the caller read
it answers 409 naming ``version``, and nothing is written.

Two ways to notice: the caller sends the version it read (:func:`check_version`), or the
flush finds the row's version moved under it (:func:`flush`, SQLAlchemy's
``StaleDataError``).
"""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from core.api.errors import ApiError
from core.db import db


def stale(what: str):
    """Raise the 409 for a ``what`` (``"member"``, ``"assessment cycle"``) changed since read."""
    raise ApiError(
        409,
        f"This {what} was changed by someone else since you read it; reload and try again.",
        {"version": [f"Stale: the {what} has changed."]},
    )


def check_version(row, expected: int | None, what: str) -> None:
    """409 when the caller read ``row`` at another version than it has now."""
    if expected is not None and row.version != expected:
        stale(what)


def flush(what: str) -> None:
    """Flush; a row changed by another transaction since it was read is a 409 (rolled back)."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        stale(what)
