"""Coverage and activity figures of pairings per subtree (覆盖率和活跃度).

For the organisations a scope covers (``scope``: a WHERE clause on
:class:`~core.orgs.models.Organization` — a subtree, the user's visible organisations, or
both), as of ``today`` with a window of the last ``months`` months:

* ``villages`` / ``villages_paired`` / ``villages_share`` — village and community
  organisations (the tenant's partner 党组织类别 and ``coverage_kinds``, active) in scope, and
  those covered by an active pairing: paired themselves or under a paired organisation
  (a 社区党委 paired covers its grid branches);
* ``pairings`` — active pairings with either side in scope;
  ``pairings_recent`` / ``pairings_recent_share`` — those with a joint activity in the window;
* ``activities`` / ``activities_per_pairing`` — their joint activities in the window, and
  that number per active pairing;
* ``tasks`` / ``tasks_done`` / ``tasks_done_share`` — their agreed tasks, and those done.

Each figure is one aggregate statement, whatever the number of organisations and pairings.
A share is ``None`` when its denominator is 0.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import aliased

from core.dates import add_months
from core.db import db
from core.orgs.models import Organization
from core.pairings.models import ACTIVE, Pairing, PairingActivity, PairingTask
from core.pairings.settings import settings


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in %, one decimal; None for nothing to share."""
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def scoped_pairings(scope):
    """Subquery of the ids of active pairings with either side in ``scope``."""
    return (select(Pairing.id)
            .join(Organization, or_(Organization.id == Pairing.org_id,
                                    Organization.id == Pairing.partner_org_id))
            .where(Pairing.status == ACTIVE, scope)
            .distinct())


def villages(scope) -> tuple[int, int]:
    """(village/community organisations in scope, those covered by an active pairing)."""
    found = settings()
    partner = aliased(Organization, name="paired")
    covered = exists().where(
        Pairing.status == ACTIVE, partner.id == Pairing.partner_org_id,
        Organization.path.startswith(partner.path))
    total, paired = db.session.execute(
        select(func.count(Organization.id), func.sum(case((covered, 1), else_=0)))
        .where(Organization.status == "active",
               Organization.category_code.in_(found["partner_categories"]),
               Organization.kind.in_(found["coverage_kinds"]), scope)
    ).one()
    return int(total), int(paired or 0)


def recent_pairings(scope, since: date, today: date) -> tuple[int, int]:
    """(active pairings in scope, those with a joint activity from ``since`` to ``today``)."""
    recent = exists().where(PairingActivity.pairing_id == Pairing.id,
                            PairingActivity.held_on >= since, PairingActivity.held_on <= today)
    total, active = db.session.execute(
        select(func.count(Pairing.id), func.sum(case((recent, 1), else_=0)))
        .where(Pairing.id.in_(scoped_pairings(scope)))
    ).one()
    return int(total), int(active or 0)


def activities(scope, since: date, today: date) -> int:
    """Joint activities of the active pairings in scope from ``since`` to ``today``."""
    return int(db.session.scalar(
        select(func.count(PairingActivity.id))
        .where(PairingActivity.pairing_id.in_(scoped_pairings(scope)),
               PairingActivity.held_on >= since, PairingActivity.held_on <= today)))


def tasks(scope) -> tuple[int, int]:
    """(agreed tasks of the active pairings in scope, those done)."""
    total, done = db.session.execute(
        select(func.count(PairingTask.id), func.sum(case((PairingTask.done.is_(True), 1), else_=0)))
        .where(PairingTask.pairing_id.in_(scoped_pairings(scope)))
    ).one()
    return int(total), int(done or 0)


def figures(scope, today: date | None = None, months: int | None = None) -> dict:
    today = today or date.today()
    months = months or settings()["figure_months"]
    since = add_months(today, -months)
    village_total, village_paired = villages(scope)
    pairing_total, pairing_recent = recent_pairings(scope, since, today)
    activity_total = activities(scope, since, today)
    task_total, task_done = tasks(scope)
    per_pairing = None
    if pairing_total:
        per_pairing = (Decimal(activity_total) / pairing_total).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return {
        "today": today, "months": months, "since": since,
        "villages": village_total, "villages_paired": village_paired,
        "villages_share": share(village_paired, village_total),
        "pairings": pairing_total, "pairings_recent": pairing_recent,
        "pairings_recent_share": share(pairing_recent, pairing_total),
        "activities": activity_total, "activities_per_pairing": per_pairing,
        "tasks": task_total, "tasks_done": task_done, "tasks_done_share": share(task_done, task_total),
    }


def per_pairing(pairing_ids) -> dict:
    """pairing id → (activities, last activity day, tasks, tasks done): two GROUP BYs."""
    ids = list(pairing_ids)
    if not ids:
        return {}
    acts = {p: (int(n), last) for p, n, last in db.session.execute(
        select(PairingActivity.pairing_id, func.count(), func.max(PairingActivity.held_on))
        .where(PairingActivity.pairing_id.in_(ids)).group_by(PairingActivity.pairing_id))}
    done_case = case((PairingTask.done.is_(True), 1), else_=0)
    todo = {p: (int(n), int(d or 0)) for p, n, d in db.session.execute(
        select(PairingTask.pairing_id, func.count(), func.sum(done_case))
        .where(PairingTask.pairing_id.in_(ids)).group_by(PairingTask.pairing_id))}
    return {p: (*acts.get(p, (0, None)), *todo.get(p, (0, 0))) for p in ids}


