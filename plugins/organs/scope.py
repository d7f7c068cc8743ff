"""Which organisation keeps an organ's work (一机关: its brand, its Party-work staffing, its
business goals), found for the whole tenant in one query.

An organs-sector organisation is the *organ organisation* (the Party organisation of one
机关) when

* its attribute ``organ_name`` (机关全称) is set — a 机关党委 sets it, and then the branches
  of its 处室 below it share its brand and staffing; or
* it is a branch, general branch or joint branch and no organisation above it is an organ
  organisation (a 机关党支部 directly under the 机关工委, like 市财政局机关党支部).

A committee without ``organ_name`` (a 机关工委 over many organs) and a 党小组 are not.

Indicators measure an organisation on its own records and fall back on its organ
organisation's (:func:`organ_of`): a 处室 branch under a 机关党委 shares the organ's brand,
staffing and goals unless it keeps its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from core.sdk import Organization, db
from plugins.organs.settings import PLUGIN

DEFAULT_ORGAN_KINDS = ("general_branch", "branch", "joint_branch")


@dataclass(frozen=True)
class OrgRow:
    id: uuid.UUID
    name: str
    kind: str
    sector: str | None
    status: str
    path: str
    attributes: dict = field(default_factory=dict)

    @property
    def ancestors(self) -> list[uuid.UUID]:
        """The ids above this organisation, nearest first (from the path, no query)."""
        ids = [uuid.UUID(part) for part in self.path.strip("/").split("/") if part]
        return list(reversed(ids[:-1]))


@dataclass
class Scope:
    """The tenant's organs-sector organisations (and any others asked for), with which of
    them are organ organisations."""

    rows: dict[uuid.UUID, OrgRow]
    organs: set[uuid.UUID]

    def organ_of(self, org_id: uuid.UUID) -> uuid.UUID | None:
        """The organ organisation ``org_id`` belongs to: itself, or the nearest one above
        it; ``None`` when there is none."""
        if org_id in self.organs:
            return org_id
        row = self.rows.get(org_id)
        if row is None:
            return None
        return next((a for a in row.ancestors if a in self.organs), None)

    def sources(self, org_id: uuid.UUID) -> list[uuid.UUID]:
        """Whose records count for ``org_id``, in order: its own, then its organ's."""
        organ = self.organ_of(org_id)
        return [org_id] if organ in (None, org_id) else [org_id, organ]


def load(extra=None) -> Scope:
    """Every organisation of the sector, plus those of ``extra`` (a SELECT of ids, e.g. an
    indicator's ``ctx.orgs``): one query."""
    condition = Organization.sector == PLUGIN
    if extra is not None:
        condition = or_(condition, Organization.id.in_(extra))
    rows = {
        r.id: OrgRow(r.id, r.name, r.kind, r.sector, r.status, r.path, dict(r.attributes or {}))
        for r in db.session.execute(
            select(Organization.id, Organization.name, Organization.kind, Organization.sector,
                   Organization.status, Organization.path, Organization.attributes)
            .where(condition)
        )
    }
    organs: set[uuid.UUID] = set()
    # Parents before children: an organisation's ancestors are decided before it.
    for row in sorted(rows.values(), key=lambda r: r.path.count("/")):
        if row.sector != PLUGIN:
            continue
        if row.attributes.get("organ_name"):
            organs.add(row.id)
        elif row.kind in DEFAULT_ORGAN_KINDS and not any(a in organs for a in row.ancestors):
            organs.add(row.id)
    return Scope(rows, organs)


def active_organs(scope: Scope) -> list[OrgRow]:
    """The active organ organisations of the sector."""
    return [scope.rows[i] for i in scope.organs if scope.rows[i].status == "active"]
