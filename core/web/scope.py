"""Which part of the tree a page shows: the organisation asked for, if the user sees it,
else the highest organisation the user sees; the organisation a list's filter names."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select

from core.auth.permissions import has_role, visible_org, visible_orgs_clause
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization


def root_for_request() -> Organization | None:
    """``?org=<id>`` (404 when unseen), or the user's highest visible active organisation."""
    asked = request.args.get("org")
    if asked:
        return visible_org(asked)
    return db.session.scalar(
        select(Organization)
        .where(visible_orgs_clause(), Organization.status == "active")
        .order_by(Organization.depth, Organization.code).limit(1)
    )


def org_by_code(code: str | None) -> Organization | None:
    """The organisation with ``code`` if the user sees it (None for unknown or unseen)."""
    org = orgs.by_code(code.strip()) if code and code.strip() else None
    return org if org is not None and has_role("member", org) else None


def filtered_root(form) -> tuple[Organization | None, int]:
    """The organisation a list's filter form (a ``code`` field) limits it to: ``?org=<id>``
    from a link (404 unseen) or the code typed (an error beside it when not one the user
    sees); and the status the list answers (422 for a wrong filter)."""
    status = 200 if form.validate() else 422
    root = None
    if request.args.get("org") and not form.code.data:
        root = visible_org(request.args["org"])
        form.code.data = root.code
    elif form.code.data:
        root = org_by_code(form.code.data)
        if root is None:
            form.code.errors = [_("No organisation with this code that you can see.")]
            status = 422
    return root, status
