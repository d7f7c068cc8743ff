"""Organisation records: create, read and update the tree's nodes (callers commit).

Tree-wide operations (move, merge, dissolve, subtree counts) are in :mod:`core.orgs.tree`,
committee posts in :mod:`core.orgs.posts`, served units in :mod:`core.orgs.units`.
Every check answers a 4xx :class:`ApiError` naming the field, so the API and the importers
report the same reasons.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select, select

from core.api.errors import ApiError
from core.db import db, new_id
from core.orgs import attributes as org_attributes
from core.orgs.models import KINDS, UNIT_RELATIONS, Organization
from core.orgs.sectors import default_category_code

TERM_YEARS_RANGE = (1, 10)
# What update() may change; the tree position (parent, path, depth) and the life cycle
# (status, dissolved_on, merged_into_id) change only through core.orgs.tree.
UPDATABLE = (
    "name",
    "code",
    "kind",
    "sector",
    "category_code",
    "unit_relation",
    "founded_on",
    "term_started_on",
    "term_years",
    "contact",
    "phone",
    "attributes",
)


def _refuse(field: str, message: str, status: int = 422):
    raise ApiError(status, f"{field}: {message}", {field: [message]})


def _check_fields(values: dict) -> None:
    """Field checks shared by create and update (``values`` is the resulting state)."""
    if values["kind"] not in KINDS:
        _refuse("kind", f"Must be one of {', '.join(KINDS)}.")
    relation = values.get("unit_relation")
    if relation is not None and relation not in UNIT_RELATIONS:
        _refuse("unit_relation", f"Must be one of {', '.join(UNIT_RELATIONS)}.")
    category = values.get("category_code")
    if category is not None and not (isinstance(category, int) and 1 <= category <= 9):
        _refuse("category_code", "党组织类别 codes are 1–9.")
    years = values.get("term_years")
    low, high = TERM_YEARS_RANGE
    if years is not None and not (isinstance(years, int) and low <= years <= high):
        _refuse("term_years", f"Must be between {low} and {high} years.")
    founded, started = values.get("founded_on"), values.get("term_started_on")
    if founded is not None and started is not None and started < founded:
        _refuse("term_started_on", "The term cannot start before the organisation was founded.")


def _check_code_free(code: str, own_id: uuid.UUID | None = None) -> None:
    """409 naming ``code`` when another saved organisation has it. Without autoflush, so
    creating many organisations still flushes (and is audited) as one batch; a duplicate
    within an unsaved batch is refused by the unique constraint at flush (409 too)."""
    with db.session.no_autoflush:
        other = by_code(code)
    if other is not None and other.id != own_id:
        raise ApiError(409, f"An organization with code {code!r} already exists.",
                       {"code": ["Already in use."]})


def create(*, name: str, code: str, kind: str, parent: Organization | None = None,
           sector: str | None = None, founded_on: date | None = None,
           term_started_on: date | None = None, term_years: int | None = None,
           attributes: dict | None = None, contact: str | None = None,
           phone: str | None = None, category_code: int | None = None,
           unit_relation: str | None = None) -> Organization:
    """Add an organisation under ``parent`` (a root when ``None``); the caller commits.

    ``category_code`` defaults to the sector's first 党组织类别 code. ``attributes`` are
    validated by the tenant's sector plugins when given. The sector key itself is not
    checked here (the API checks it against the tenant's enabled plugins).
    """
    values = dict(kind=kind, unit_relation=unit_relation, category_code=category_code,
                  term_years=term_years, founded_on=founded_on, term_started_on=term_started_on)
    _check_fields(values)
    if parent is not None and parent.status != "active":
        _refuse("parent_id", f"The parent organization is {parent.status}.")
    _check_code_free(code)
    stored_attributes = (
        org_attributes.validate(sector, kind, attributes) if attributes is not None else {}
    )
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
        category_code=category_code if category_code is not None else default_category_code(sector),
        unit_relation=unit_relation,
        founded_on=founded_on,
        term_started_on=term_started_on,
        term_years=term_years,
        contact=contact,
        phone=phone,
        attributes=stored_attributes,
        status="active",
    )
    db.session.add(org)
    return org


def update(org: Organization, changes: dict) -> Organization:
    """Apply ``changes`` (keys of :data:`UPDATABLE`) to ``org``; the caller commits.

    The result is validated as a whole, whatever was sent: a new sector or kind re-checks
    the stored attributes, and a new sector resets ``category_code`` to the sector's default
    unless one is given. ``attributes`` replaces the whole object.
    """
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise ApiError(422, f"Cannot change {', '.join(unknown)} here.",
                       {key: ["Not updatable."] for key in unknown})
    values = {key: getattr(org, key) for key in UPDATABLE}
    values.update(changes)
    if "sector" in changes and changes["sector"] != org.sector and "category_code" not in changes:
        values["category_code"] = default_category_code(values["sector"])
    _check_fields(values)
    if "code" in changes and changes["code"] != org.code:
        _check_code_free(changes["code"], org.id)
    regroup = values["sector"] != org.sector or values["kind"] != org.kind
    if "attributes" in changes or (regroup and values["attributes"]):
        values["attributes"] = org_attributes.validate(
            values["sector"], values["kind"], values["attributes"] or {},
            keep=None if regroup else org.attributes,
        )
    for key, value in values.items():
        if getattr(org, key) != value:
            setattr(org, key, value)
    return org


def get(org_id: uuid.UUID) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.id == org_id))


def require_active(org: Organization | None, field: str = "org_id") -> Organization:
    """``org`` if it exists and is active; 422 naming ``field`` otherwise. Nobody joins or is
    moved into a merged or dissolved organisation."""
    if org is None:
        raise ApiError(422, "Unknown organization.", {field: ["Unknown organization."]})
    if org.status != "active":
        message = f"The organization is {org.status}; choose an active one."
        raise ApiError(422, message, {field: [message]})
    return org


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


def ancestor_ids(org: Organization) -> list[uuid.UUID]:
    """The ids on ``org``'s path, root first, ``org`` itself last (no query)."""
    return [uuid.UUID(part) for part in org.path.strip("/").split("/") if part]
