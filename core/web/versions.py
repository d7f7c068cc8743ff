"""Optimistic locking on the web's edit forms, the same as the API's (:mod:`core.db.versioning`).

An edit page puts the record's ``version`` in a hidden field when it is opened, and saving
hands that version to the service. When someone else saved the record in between, the
service refuses (409 naming ``version``) and nothing is written: the page is shown again
with what the user typed still in it and one sentence above the form saying why
(:data:`CONFLICT`), instead of their change silently replacing the other one. The hidden
field keeps the version the user read, so saving again is refused again until they open
the record afresh and see what changed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from core.api.errors import ApiError

CONFLICT = _l(
    "Someone else changed this record after you opened the page, so nothing was saved. "
    "What you entered is kept below: open the page again to see their change, then enter "
    "yours again."
)
SAVED_MEANWHILE = _l(
    "Someone else saved this record at the same moment, so nothing of yours was saved. Go "
    "back, open the page again and enter your change again."
)
FIELDS = ("version", "edit_version")  # edit_version: a standard's (its version is its content's)


def version_field() -> HiddenField:
    """The hidden field a form carries the record's version in."""
    return HiddenField()


def read(form, name: str = "version") -> int | None:
    """The version the page was opened at (a whole number), or ``None``."""
    field = getattr(form, name, None)
    try:
        return int(field.data) if field is not None and field.data not in (None, "") else None
    except (TypeError, ValueError):
        return None


def is_conflict(exc: Exception) -> bool:
    """Is ``exc`` the refusal of a stale version?"""
    errors = getattr(exc, "errors", None)
    return (
        isinstance(exc, ApiError)
        and exc.status == 409
        and isinstance(errors, dict)
        and any(name in errors for name in FIELDS)
    )


def show_conflict(form) -> None:
    """Say above ``form`` why nothing was saved (once)."""
    message = str(CONFLICT)
    if message not in form.form_errors:
        form.form_errors.append(message)
