"""Organisation tree operations used by other slices (scopes, counts)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from core.api.errors import ApiError
from core.db import db, new_id
from core.orgs.models import KINDS, Organization


def create(*, name: str, code: str, kind: str, parent: Organization | None = None,
           sector: str | None = None) -> Organization:
    """Add an organisation under ``parent`` (a root when ``None``); the caller commits."""
    if kind not in KINDS:
        raise ApiError(422, f"kind must be one of {', '.join(KINDS)}", {"kind": [kind]})
    org_id = new_id()
    prefix = parent.path if parent is not None else "/"
    org = Organization(
        id=org_id,
        parent_id=parent.id if parent is not None else None,
        path=f"{prefix}{org_id.hex}/",
        depth=parent.depth + 1 if parent is not None else 0,
        name=name,
        code=code,
        kind=kind,
        sector=sector,
    )
    db.session.add(org)
    return org


def get(org_id: uuid.UUID) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.id == org_id))


def by_code(code: str) -> Organization | None:
    """The current tenant's organisation with this code (codes are unique per tenant)."""
    return db.session.scalar(select(Organization).where(Organization.code == code))


def subtree_filter(root_path: str):
    """A WHERE clause selecting ``root_path``'s node and all its descendants."""
    return Organization.path.startswith(root_path, autoescape=True)


def subtree(root: Organization) -> Select:
    return select(Organization).where(subtree_filter(root.path))


def covers(ancestor_path: str, org_path: str) -> bool:
    """True when ``org_path`` is the node at ``ancestor_path`` or below it."""
    return org_path.startswith(ancestor_path)
