"""What the daily-work screens share: which organisations the user may write, the role
checks (404 unseen, 403 seen without the role — as the API), service errors put beside the
form's fields, and the warnings refresh after a save."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, or_, true

from core.api.errors import ApiError, abort
from core.auth import service as auth
from core.auth.permissions import RANK, current_user, has_role, visible_org
from core.db import db
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.warnings import scoped
from core.web.screens.imports.reasons import MEMBER_RECORD
from core.web.service_errors import MessageTable, show_errors, translate

WRITE_ROLE = "branch_secretary"
# Sector data: the API lets a branch secretary change their organisation's and its units'
# attributes (PATCH /orgs/<id>, /orgs/<id>/units/<unit_id> with attributes only).
SECTOR_ROLE = "branch_secretary"


def require_worker() -> None:
    """403 for a user who writes nowhere (a member account)."""
    if not has_role(WRITE_ROLE):
        abort(403, gettext("Daily work needs the branch secretary role."))


def writable_clause(role: str = WRITE_ROLE):
    """A WHERE clause on :class:`Organization`: the subtrees where the user holds ``role``."""
    user = current_user()
    if user is None:
        return false()
    paths = []
    for granted, path in auth.role_scopes(user.id):
        if RANK[granted] > RANK[role]:
            continue
        if path is None:
            return true()
        paths.append(path)
    return or_(*(subtree_filter(p) for p in sorted(set(paths)))) if paths else false()


def work_org(org_id, role: str = WRITE_ROLE) -> Organization:
    """The organisation to work on: 404 when unseen, 403 without ``role`` on it."""
    require_worker()
    return visible_org(org_id, role=role)


# The daily-work services' own refusals (core.life, core.dues, core.development, core.orgs
# sector data); marshmallow's messages are in the generic table, and the member record's
# checks (a person admitted in development becomes a member) in the importer's.
OWN = MessageTable(exact={
    "A meeting is recorded once it has been held.": _l("A meeting is recorded once it has been held."),
    "Before the organisation was founded.": _l("Before the organisation was founded."),
    "Ends before it starts.": _l("Ends before it starts."),
    "A late member must be listed as present.": _l("A late member must be listed as present."),
    "A talk (谈心谈话) records only who was talked with.":
        _l("A talk (谈心谈话) records only who was talked with."),
    "Name at least one member talked with.": _l("Name at least one member talked with."),
    "Only a general meeting (支部党员大会) elects.": _l("Only a general meeting (支部党员大会) elects."),
    "An override of the back-payment window needs a reason.":
        _l("An override of the back-payment window needs a reason."),
    "Cannot be in the future.": _l("Cannot be in the future."),
    "Development of this person is stopped.": _l("Development of this person is stopped."),
    "Unknown sector.": _l("Unknown sector."),
})
MESSAGES = (OWN, MEMBER_RECORD)


def put_errors(form, exc: ApiError, fields: dict[str, str] | None = None) -> None:
    """Show a service's field errors beside ``form``'s fields: ``fields`` maps the service's
    field names to the form's (default: the same name); the rest become form errors."""
    show_errors(form, exc, *MESSAGES, fields=fields)


def translated(message) -> str:
    """A service message through the catalog (a development rule violation, a dict, as
    its name and detail)."""
    if isinstance(message, dict):  # a development rule violation
        return f"{message.get('name', '')}：{message.get('detail', '')}"
    return translate(message, *MESSAGES) if message else ""


def refresh_warnings(org: Organization, prefixes=(), sector: str | None = None) -> scoped.Outcome:
    """Re-evaluate ``org``'s warnings of the given rules now, commit, and tell the user
    which cleared and which opened."""
    outcome = scoped.refresh(org, scoped.rules_for(prefixes, sector))
    db.session.commit()
    for change in outcome.resolved:
        flash(gettext("Warning cleared: %(rule)s (%(message)s)", rule=change.rule_name,
                      message=change.message), "cleared")
    for change in outcome.opened:
        flash(gettext("New warning: %(rule)s (%(message)s)", rule=change.rule_name,
                      message=change.message), "error")
    return outcome
