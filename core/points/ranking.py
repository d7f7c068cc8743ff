"""Totals and ranks for a period: each active member's approved points, rank in their branch
and rank in a subtree — one statement with window functions, whatever the number of members.

* A member's *branch* is their organisation, or for a member of a 党小组 (group) the
  group's parent: a branch ranks its groups' members together.
* Exempt members (tenant setting ``exempt_categories``, see :mod:`core.points.settings`)
  are listed with their total but have no rank, and are not counted in the ``m`` of
  "n/m" either; ranks are SQL ``RANK()`` (ties share a rank, the next rank skips).
* Ranks count members inside the subtree asked for: a ranking of a branch's subtree ranks
  the whole branch; one of a single 党小组 ranks within that group.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, case, func, literal, null, select

from core.db import db
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.points.ledger import approved_in, exempt_condition, totals_subquery
from core.points.models import PointEntry
from core.points.registry import as_points
from core.points.settings import points_settings


def standings(start: date, end: date, root: Organization | None = None) -> Select:
    """A SELECT of every active member of ``root``'s subtree (the tenant when None) with
    ``member_id, name, org_id, org_name, branch_id, total, exempt, branch_rank,
    branch_ranked, subtree_rank, subtree_ranked`` for approved points in ``[start, end]``.
    Select from it (``.subquery()``) to filter or page."""
    as_of = min(end, date.today())
    totals = totals_subquery(start, end)
    exempt = case((exempt_condition(points_settings(), as_of), 1), else_=0)
    branch_id = case((Organization.kind == "group", Organization.parent_id), else_=Organization.id)
    conditions = [Member.status.in_(ACTIVE_STATUSES)]
    if root is not None:
        conditions.append(subtree_filter(root.path))
    base = (
        select(
            Member.id.label("member_id"), Member.name.label("name"),
            Member.org_id.label("org_id"), Organization.name.label("org_name"),
            branch_id.label("branch_id"),
            func.coalesce(totals.c.total, literal(0)).label("total"),
            exempt.label("exempt"),
        )
        .join(Organization, Organization.id == Member.org_id)
        .outerjoin(totals, totals.c.member_id == Member.id)
        .where(*conditions)
        .subquery("base")
    )
    in_branch = (base.c.branch_id, base.c.exempt)
    ranked = base.c.exempt == 0

    def unless_exempt(expr):
        return case((ranked, expr), else_=null())

    return select(
        base.c.member_id, base.c.name, base.c.org_id, base.c.org_name, base.c.branch_id,
        base.c.total, base.c.exempt,
        unless_exempt(func.rank().over(partition_by=in_branch, order_by=base.c.total.desc()))
        .label("branch_rank"),
        unless_exempt(func.count().over(partition_by=in_branch)).label("branch_ranked"),
        unless_exempt(func.rank().over(partition_by=base.c.exempt, order_by=base.c.total.desc()))
        .label("subtree_rank"),
        unless_exempt(func.count().over(partition_by=base.c.exempt)).label("subtree_ranked"),
    )


def leaders(start: date, end: date, root: Organization | None = None, limit: int = 5) -> list[Standing]:
    """The ``limit`` ranked (not exempt) members of ``root``'s subtree with the most approved
    points in ``[start, end]``, with their rank in the subtree — what :func:`standings` would
    give for its first rows, without ranking every member of a city (one top-N query).

    Ranks are competition ranks (1, 2, 2, 4): a member's rank is one more than the number of
    members with more points, all of whom come before them in this list; the rows cut by
    ``limit`` can only tie with the last one shown.
    """
    as_of = min(end, date.today())
    conditions = [*approved_in(start, end), Member.status.in_(ACTIVE_STATUSES),
                  ~exempt_condition(points_settings(), as_of)]
    if root is not None:
        conditions.append(subtree_filter(root.path))
    branch_id = case((Organization.kind == "group", Organization.parent_id), else_=Organization.id)
    total = func.sum(PointEntry.points)
    # The subtree's entries only, summed per member (a county does not sum the city's).
    rows = db.session.execute(
        select(Member.id, Member.name, Member.org_id, Organization.name, branch_id, total)
        .select_from(PointEntry)
        .join(Member, Member.id == PointEntry.member_id)
        .join(Organization, Organization.id == Member.org_id)
        .where(*conditions)
        .group_by(Member.id, Member.name, Member.org_id, Organization.name, branch_id)
        .having(total > 0)
        .order_by(total.desc(), Member.name, Member.id)
        .limit(limit)
    ).all()
    found, rank, previous = [], 0, None
    for position, (member_id, name, org_id, org_name, branch, total) in enumerate(rows, start=1):
        if total != previous:
            rank, previous = position, total
        found.append(Standing(member_id=member_id, name=name, org_id=org_id, org_name=org_name,
                              branch_id=branch, total=total, exempt=False, branch_rank=None,
                              branch_ranked=None, subtree_rank=rank, subtree_ranked=None))
    return found


@dataclass(frozen=True)
class Standing:
    member_id: uuid.UUID
    name: str
    org_id: uuid.UUID
    org_name: str
    branch_id: uuid.UUID
    total: Decimal
    exempt: bool
    branch_rank: int | None
    branch_ranked: int | None
    subtree_rank: int | None
    subtree_ranked: int | None

    @classmethod
    def of(cls, row) -> Standing:
        m = row._mapping
        return cls(
            member_id=m["member_id"], name=m["name"], org_id=m["org_id"],
            org_name=m["org_name"], branch_id=m["branch_id"], total=as_points(m["total"] or 0),
            exempt=bool(m["exempt"]),
            branch_rank=_int(m["branch_rank"]), branch_ranked=_int(m["branch_ranked"]),
            subtree_rank=_int(m["subtree_rank"]), subtree_ranked=_int(m["subtree_ranked"]),
        )


def _int(value) -> int | None:
    return None if value is None else int(value)


def page(start: date, end: date, root: Organization | None, offset: int,
         limit: int) -> tuple[list[Standing], int]:
    """One page of the ranking of ``root``'s subtree (ranked members by rank, then the
    exempt ones by total) and the number of members — two statements."""
    ranked = standings(start, end, root).subquery("ranked")
    count = db.session.scalar(select(func.count()).select_from(ranked))
    rows = db.session.execute(
        select(ranked)
        .order_by(ranked.c.exempt, ranked.c.total.desc(), ranked.c.name, ranked.c.member_id)
        .offset(offset).limit(limit)
    ).all()
    return [Standing.of(row) for row in rows], int(count or 0)


def branch_of(org: Organization) -> uuid.UUID:
    """The id of the branch a member of ``org`` is ranked in (a group's parent)."""
    return org.parent_id if org.kind == "group" and org.parent_id is not None else org.id


def standing_of(member_id: uuid.UUID, start: date, end: date,
                root: Organization | None) -> Standing | None:
    """One member's standing within ``root``'s subtree (which must contain their whole
    branch for the branch rank to be the branch's) — one statement; None when the member
    is not an active member there."""
    ranked = standings(start, end, root).subquery("ranked")
    row = db.session.execute(select(ranked).where(ranked.c.member_id == member_id)).first()
    return Standing.of(row) if row is not None else None


def rank_text(rank: int | None, of: int | None) -> str | None:
    """``"n/m"``, or None for an exempt member."""
    return None if rank is None else f"{rank}/{of}"

