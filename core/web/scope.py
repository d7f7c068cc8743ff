"""Which part of the tree a page shows: the organisation asked for, if the user sees it,
else the highest organisation the user sees."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from core.auth.permissions import visible_org, visible_orgs_clause
from core.db import db
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
