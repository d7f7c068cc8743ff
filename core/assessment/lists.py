"""Read-only lists over a cycle's results, for the screens: what still waits for a manual
score (the assessors' review list) and the 红黑榜 of a published cycle.

Both are single statements over the results table, whatever the size of the cycle: a city's
cycle rates thousands of organisations, so nothing here loads the results to filter them in
Python.

The 红黑榜 of a cycle follows the stars the tenant's rules gave (thresholds, five-star cap,
veto — :mod:`core.assessment.rating`): the red list (红榜) is the organisations rated four or
five stars (先进), best score first; the black list (黑榜) those rated two stars or fewer,
and every vetoed one whatever ``veto_stars`` says (后进), lowest score first. Ties go by
organisation code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import (
    Numeric,
    Select,
    String,
    Uuid,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from core.assessment import cycles as cycle_service
from core.assessment import standards as standard_service
from core.assessment.models.cycles import PUBLISHED, Cycle, ManualScore, OrgResult
from core.db import db
from core.orgs.models import Organization
from core.orgs.service import subtree_filter

RED_MIN_STARS, BLACK_MAX_STARS = 4, 2


@dataclass(frozen=True)
class ManualItem:
    """A manual indicator of a frozen standard version: who in the cycle needs it scored."""

    version_id: uuid.UUID
    key: str
    name: str
    weight: object  # Decimal


def manual_items(cycle: Cycle) -> list[ManualItem]:
    """The manual indicators of the standards frozen for ``cycle`` (a few queries)."""
    found = []
    for _standard, version in cycle_service.frozen_versions(cycle):
        for item in standard_service.resolve_items(version):
            if item.indicator is not None and item.indicator.scoring == "manual":
                found.append(ManualItem(version.id, item.key, item.indicator.name, item.weight))
    return found


def pending_manual(cycle: Cycle, *conditions) -> Select | None:
    """Rows (org_id, org_name, org_code, key, name, weight) of the manual indicators of the
    cycle's results that nobody has scored yet, by organisation code then indicator;
    ``conditions`` on :class:`Organization` narrow it (a user's scope). ``None`` when the
    cycle's standards have no manual indicator at all."""
    items = manual_items(cycle)
    if not items:
        return None
    rows = [
        select(literal(i.version_id, Uuid).label("version_id"), literal(i.key, String).label("key"),
               literal(i.name, String).label("name"), literal(str(i.weight), String).label("weight"))
        for i in items
    ]
    pairs = (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("manual_items")
    scored = exists().where(
        ManualScore.cycle_id == cycle.id, ManualScore.org_id == OrgResult.org_id,
        ManualScore.indicator_key == pairs.c.key,
    )
    return (
        select(OrgResult.org_id, Organization.name.label("org_name"),
               Organization.code.label("org_code"), pairs.c.key, pairs.c.name,
               pairs.c.weight.cast(Numeric(12, 2)).label("weight"))
        .join(Organization, Organization.id == OrgResult.org_id)
        .join(pairs, pairs.c.version_id == OrgResult.version_id)
        .where(OrgResult.cycle_id == cycle.id, ~scored, *conditions)
        .order_by(Organization.code, OrgResult.org_id, pairs.c.key)
    )


def count_pending_manual(cycle: Cycle, *conditions) -> int:
    stmt = pending_manual(cycle, *conditions)
    if stmt is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def latest_published_seen(visible) -> Cycle | None:
    """The published cycle that ended last among those with a result the user sees
    (``visible``: a clause on :class:`Organization`)."""
    seen = exists().where(
        OrgResult.cycle_id == Cycle.id,
        and_(Organization.id == OrgResult.org_id, visible),
    )
    return db.session.scalar(
        select(Cycle).where(Cycle.state == PUBLISHED, seen)
        .order_by(Cycle.ends_on.desc(), Cycle.published_at.desc(), Cycle.id).limit(1)
    )


def published_seen(visible, limit: int = 50) -> list[Cycle]:
    """The published cycles with a result the user sees, latest first (for a choice)."""
    seen = exists().where(OrgResult.cycle_id == Cycle.id, Organization.id == OrgResult.org_id, visible)
    return list(db.session.scalars(
        select(Cycle).where(Cycle.state == PUBLISHED, seen)
        .order_by(Cycle.ends_on.desc(), Cycle.published_at.desc(), Cycle.id).limit(limit)
    ))


def _listed(cycle: Cycle, which, best_first: bool, root_path: str | None, visible,
            limit: int) -> tuple[list, int]:
    conditions = [OrgResult.cycle_id == cycle.id, which, visible]
    if root_path is not None:
        conditions.append(subtree_filter(root_path))
    base = (
        select(OrgResult, Organization)
        .join(Organization, Organization.id == OrgResult.org_id)
        .where(*conditions)
    )
    order = OrgResult.score.desc() if best_first else OrgResult.score.asc()
    rows = db.session.execute(base.order_by(order, Organization.code, OrgResult.org_id).limit(limit)).all()
    total = db.session.scalar(
        select(func.count()).select_from(OrgResult)
        .join(Organization, Organization.id == OrgResult.org_id).where(*conditions)
    ) or 0
    return [(r, o) for r, o in rows], total


def red_black(cycle: Cycle, root_path: str | None, visible, limit: int = 20) -> dict:
    """``{"red": [(result, org)…], "red_total": n, "black": […], "black_total": n}`` of
    ``cycle`` in the subtree at ``root_path`` (``None``: all) that the user sees."""
    red = and_(OrgResult.stars >= RED_MIN_STARS, OrgResult.vetoed.is_(False))
    black = or_(OrgResult.stars <= BLACK_MAX_STARS, OrgResult.vetoed.is_(True))
    red, red_total = _listed(cycle, red, True, root_path, visible, limit)
    black, black_total = _listed(cycle, black, False, root_path, visible, limit)
    return {"red": red, "red_total": red_total, "black": black, "black_total": black_total}
