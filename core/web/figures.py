"""Aggregate figures of a subtree for the dashboard and the organisation page, beside what
:mod:`core.orgs.stats` already gives: each function is ONE grouped query over the subtree,
so a subtree of 100,000 members costs a few statements, never one per row.

Read queries only; the figures other slices compute (stars, warnings by rule, points
ranking) are called from their slices.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, extract, func, literal, select

from core.db import db
from core.dues.models import DuesPayment
from core.life.models import Meeting
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.points import ranking
from core.points.ledger import year_bounds
from core.problems.models import CLOSED, Problem
from core.problems.models import STATUSES as PROBLEM_STATUSES
from core.warnings import registry as warning_rules
from core.warnings.models import OPEN as WARNING_OPEN
from core.warnings.models import Warning

TREND_YEARS = 10
NO_SECTOR = ""


def members_by_sector(root: Organization) -> dict[str, int]:
    """Active members of ``root``'s subtree by the sector of the organisation they are
    registered in (``""`` for an organisation without a sector), most first."""
    keyed = (
        select(func.coalesce(Organization.sector, literal(NO_SECTOR)).label("k"))
        .select_from(Member).join(Organization, Organization.id == Member.org_id)
        .where(subtree_filter(root.path), Member.status.in_(ACTIVE_STATUSES))
        .subquery("keyed")
    )
    rows = db.session.execute(select(keyed.c.k, func.count()).group_by(keyed.c.k)).all()
    return dict(sorted(((k, int(n)) for k, n in rows), key=lambda kv: (-kv[1], kv[0])))


def orgs_by_sector(root: Organization) -> dict[str, int]:
    """Active organisations of ``root``'s subtree by sector, most first."""
    keyed = (
        select(func.coalesce(Organization.sector, literal(NO_SECTOR)).label("k"))
        .where(subtree_filter(root.path), Organization.status == "active")
        .subquery("keyed")
    )
    rows = db.session.execute(select(keyed.c.k, func.count()).group_by(keyed.c.k)).all()
    return dict(sorted(((k, int(n)) for k, n in rows), key=lambda kv: (-kv[1], kv[0])))


def admitted_per_year(root: Organization, today: date | None = None,
                      years: int = TREND_YEARS) -> list[tuple[int, int]]:
    """Members admitted (入党日期 ``joined_on``) in each of the last ``years`` years into
    ``root``'s subtree, whatever their status now (those who left were admitted too):
    ``[(year, n)]`` oldest first, every year present."""
    today = today or date.today()
    first = today.year - years + 1
    keyed = (
        select(extract("year", Member.joined_on).label("y"))
        .select_from(Member).join(Organization, Organization.id == Member.org_id)
        .where(subtree_filter(root.path), Member.joined_on >= date(first, 1, 1),
               Member.joined_on <= today)
        .subquery("keyed")
    )
    found = {int(y): int(n) for y, n in db.session.execute(
        select(keyed.c.y, func.count()).group_by(keyed.c.y))}
    return [(year, found.get(year, 0)) for year in range(first, today.year + 1)]


def problem_counts(root: Organization, visible, today: date | None = None) -> dict:
    """Problems of ``root``'s subtree the user sees: ``{"by_status": {status: n},
    "overdue": n, "open": n}`` — one GROUP BY (overdue: past the deadline, not closed)."""
    today = today or date.today()
    overdue = case((Problem.deadline < today, 1), else_=0)
    rows = db.session.execute(
        select(Problem.status, func.count(), func.sum(overdue))
        .join(Organization, Organization.id == Problem.org_id)
        .where(subtree_filter(root.path), visible)
        .group_by(Problem.status)
    ).all()
    by_status = {status: 0 for status in PROBLEM_STATUSES}
    late = 0
    for status, n, n_overdue in rows:
        by_status[status] = int(n)
        if status != CLOSED:
            late += int(n_overdue or 0)
    return {"by_status": by_status, "overdue": late,
            "open": sum(n for s, n in by_status.items() if s != CLOSED)}


def most_overdue(root: Organization, visible, today: date | None = None, limit: int = 5) -> list:
    """``(Problem, org name)`` of the problems furthest past their deadline (not closed)."""
    today = today or date.today()
    return db.session.execute(
        select(Problem, Organization.name)
        .join(Organization, Organization.id == Problem.org_id)
        .where(subtree_filter(root.path), visible, Problem.status != CLOSED, Problem.deadline < today)
        .order_by(Problem.deadline, Problem.id).limit(limit)
    ).all()


def points_leaders(root: Organization, year: int, limit: int = 5) -> list[ranking.Standing]:
    """The members of ``root``'s subtree with the most approved points in ``year`` — one
    top-N statement (:func:`core.points.ranking.leaders`), never a rank of every member."""
    start, end = year_bounds(year)
    return ranking.leaders(start, end, root, limit)


def open_warnings(root: Organization, visible, *, subtree: bool = True, limit: int = 10) -> tuple[list, int]:
    """The newest open warnings shown to the user of ``root`` (its subtree, or only itself)
    with their count: ``([(Warning, org name)], n)`` — two statements."""
    conditions = [Warning.state == WARNING_OPEN, visible, warning_rules.shown_condition()]
    conditions.append(subtree_filter(root.path) if subtree else Warning.org_id == root.id)
    total = db.session.scalar(
        select(func.count()).select_from(Warning)
        .join(Organization, Organization.id == Warning.org_id).where(*conditions))
    rows = db.session.execute(
        select(Warning, Organization.name).join(Organization, Organization.id == Warning.org_id)
        .where(*conditions).order_by(Warning.opened_at.desc(), Warning.id).limit(limit)
    ).all()
    return rows, int(total or 0)


def recent_meetings(org: Organization, limit: int = 8) -> list[Meeting]:
    """The organisation's own latest meetings (三会一课 and the others)."""
    return list(db.session.scalars(
        select(Meeting).where(Meeting.org_id == org.id)
        .order_by(Meeting.held_on.desc(), Meeting.created_at.desc()).limit(limit)))


def dues_of_month(org: Organization, month: date) -> dict:
    """Dues of ``month`` over the organisation's subtree: its active members, how many of
    them have paid for the month and the amount they paid — two aggregate statements."""
    month = month.replace(day=1)
    in_subtree = (subtree_filter(org.path), Member.status.in_(ACTIVE_STATUSES))
    members = db.session.scalar(
        select(func.count()).select_from(Member)
        .join(Organization, Organization.id == Member.org_id).where(*in_subtree)) or 0
    paid, amount = db.session.execute(
        select(func.count(DuesPayment.member_id), func.sum(DuesPayment.amount))
        .join(Member, Member.id == DuesPayment.member_id)
        .join(Organization, Organization.id == Member.org_id)
        .where(DuesPayment.month == month, *in_subtree)
    ).one()
    return {"month": month, "members": int(members), "paid": int(paid or 0),
            "unpaid": max(0, int(members) - int(paid or 0)), "amount": amount or 0}


def latest_result(org: Organization):
    """``(Cycle, OrgResult)`` of the most recent published cycle that scored ``org``, or None."""
    from core.assessment.models import Cycle, OrgResult
    from core.assessment.models.cycles import PUBLISHED

    return db.session.execute(
        select(Cycle, OrgResult).join(OrgResult, OrgResult.cycle_id == Cycle.id)
        .where(OrgResult.org_id == org.id, Cycle.state == PUBLISHED)
        .order_by(Cycle.ends_on.desc(), Cycle.published_at.desc()).limit(1)
    ).first()
