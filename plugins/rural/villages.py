"""Which organisations are villages, and whose members count for a village — set-based.

* :func:`active_villages` — the tenant's active village organisations of the rural sector
  (one query; :func:`plugins.rural.attributes.is_village` decides from the kind and the
  ``village`` attribute, in Python, so no JSON operator differs between SQLite and
  PostgreSQL).
* :func:`holders` — ``(holder_id, org_id, level)`` rows: each organisation of a SELECT of ids, its
  children and its grandchildren, so a member registered in a 党小组, or in a 党支部 of a
  村党总支 / 村党委 (and its groups), counts for the village. Three index-friendly parts of one
  UNION ALL on ``parent_id``; join members on ``holder_id`` and group by ``org_id``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import aliased

from core.sdk import Organization, db
from plugins.rural.attributes import is_village
from plugins.rural.settings import PLUGIN


@dataclass(frozen=True)
class Village:
    id: uuid.UUID
    name: str
    kind: str
    founded_on: date | None
    attributes: dict


def active_villages() -> list[Village]:
    """Every active village organisation of the tenant's rural sector (one query)."""
    rows = db.session.execute(
        select(Organization.id, Organization.name, Organization.kind, Organization.founded_on,
               Organization.attributes)
        .where(Organization.sector == PLUGIN, Organization.status == "active",
               Organization.kind != "group")
    ).all()
    return [Village(r.id, r.name, r.kind, r.founded_on, dict(r.attributes or {}))
            for r in rows if is_village(r.kind, r.attributes)]


def village_ids_select():
    """A SELECT of the active rural organisations that may be villages (filter the result
    with :func:`active_villages` where the ``village`` attribute matters)."""
    return select(Organization.id).where(Organization.sector == PLUGIN,
                                         Organization.status == "active",
                                         Organization.kind != "group")


def holders(orgs):
    """Subquery ``(holder_id, org_id, level)`` for ``orgs`` (a SELECT of organisation ids):
    each organisation as the holder of its own members (level 0), and its children (1) and
    grandchildren (2) as holders of members that count for it."""
    own = select(Organization.id.label("holder_id"), Organization.id.label("org_id"),
                 literal(0).label("level")).where(Organization.id.in_(orgs))
    children = select(Organization.id, Organization.parent_id, literal(1)).where(
        Organization.parent_id.in_(orgs))
    parent = aliased(Organization)
    grandchildren = (
        select(Organization.id, parent.parent_id, literal(2))
        .join(parent, parent.id == Organization.parent_id)
        .where(parent.parent_id.in_(orgs))
    )
    return union_all(own, children, grandchildren).subquery("rural_holders")


def holder_ids(org: Organization) -> set[uuid.UUID]:
    """The organisations whose members count for ``org`` (itself and two levels below)."""
    sub = holders(select(Organization.id).where(Organization.id == org.id))
    return set(db.session.scalars(select(sub.c.holder_id)))
