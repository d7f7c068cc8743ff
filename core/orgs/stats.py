"""队伍结构: the figures a department reports for a subtree, each one aggregate query.

Members counted are the active ones (:data:`~core.members.models.ACTIVE_STATUSES`: still in
the register) registered anywhere in the subtree; ``by_status`` also shows those who left.
Ages and party standing are computed at ``as_of`` by comparing dates with cut-off dates
computed here (born on or before ``as_of`` minus N years ⇔ at least N years old), so the
SQL is the same on every backend and each figure stays one GROUP BY.

Party standing (党龄) counts whole years since ``joined_on`` (入党日期), as the statistics
tables here ask; note that the Party constitution counts 党龄 from 转正 (``full_on``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, literal, select

from core.db import db
from core.members.models import ACTIVE_STATUSES, EDUCATION_LEVELS, GENDERS, STATUSES, Member
from core.orgs.models import KINDS, Organization
from core.orgs.models import STATUSES as ORG_STATUSES
from core.orgs.service import subtree_filter
from core.orgs.structure import full_member_condition
from core.orgs.terms import add_years

HAN = "汉族"
UNKNOWN = "unknown"
# (label, lowest age in the band); the last band is open.
AGE_BANDS = (
    ("30_and_under", 0),
    ("31_35", 31),
    ("36_40", 36),
    ("41_45", 41),
    ("46_50", 46),
    ("51_55", 51),
    ("56_60", 56),
    ("61_70", 61),
    ("over_70", 71),
)
# (label, lowest whole years of standing in the band)
STANDING_BANDS = (
    ("under_5", 0),
    ("5_10", 5),
    ("10_20", 10),
    ("20_30", 20),
    ("30_40", 30),
    ("40_50", 40),
    ("50_and_over", 50),
)


def _banded(column, bands, as_of: date):
    """CASE putting ``column`` (a date in the past) into the band of whole years since it,
    oldest band first: at least N years ⇔ ``column`` ≤ ``as_of`` − N years."""
    whens = [
        (column <= add_years(as_of, -low), literal(label))
        for label, low in reversed(bands)
        if low > 0
    ]
    return case(*whens, else_=literal(bands[0][0]))


def _grouped(root: Organization, key, statuses=ACTIVE_STATUSES) -> dict:
    """``{key value: members}`` over ``root``'s subtree, one GROUP BY (over a subquery, so
    PostgreSQL groups by the column rather than an expression with its own parameters)."""
    keyed = (
        select(key.label("k"))
        .select_from(Member)
        .join(Organization, Organization.id == Member.org_id)
        .where(subtree_filter(root.path), Member.status.in_(statuses))
        .subquery("keyed")
    )
    rows = db.session.execute(select(keyed.c.k, func.count()).group_by(keyed.c.k))
    return {k: int(n) for k, n in rows}


def _ordered(counts: dict, labels) -> dict:
    """Every label present (zero when nobody), then anything else found (NULL → ``unknown``)."""
    result = {label: 0 for label in labels}
    for label, n in counts.items():
        key = UNKNOWN if label is None else label
        result[key] = result.get(key, 0) + n
    return result


def member_stats(root: Organization, as_of: date | None = None) -> dict:
    """The 队伍结构 of ``root``'s subtree at ``as_of`` (default today)."""
    as_of = as_of or date.today()
    by_status = _ordered(_grouped(root, Member.status, STATUSES), STATUSES)
    membership = _grouped(
        root, case((full_member_condition(as_of), literal("full")), else_=literal("probationary"))
    )
    ethnic = _grouped(root, Member.ethnicity)
    return {
        "total": sum(by_status[s] for s in ACTIVE_STATUSES),
        "by_status": by_status,
        "by_membership": _ordered(membership, ("full", "probationary")),
        "by_gender": _ordered(_grouped(root, Member.gender), GENDERS),
        "by_age_band": _ordered(
            _grouped(root, _banded(Member.birth_date, AGE_BANDS, as_of)),
            [label for label, _ in AGE_BANDS],
        ),
        "by_education": _ordered(_grouped(root, Member.education), EDUCATION_LEVELS),
        "ethnicity": {
            "han": ethnic.get(HAN, 0),
            "minority": sum(n for k, n in ethnic.items() if k != HAN),
            "by_group": dict(sorted(ethnic.items(), key=lambda kv: (-kv[1], kv[0]))),
        },
        "by_standing": _ordered(
            _grouped(root, _banded(Member.joined_on, STANDING_BANDS, as_of)),
            [label for label, _ in STANDING_BANDS],
        ),
    }


def org_stats(root: Organization) -> dict:
    """Organisations of ``root``'s subtree (itself included): active ones by kind, all by
    status — one GROUP BY."""
    rows = db.session.execute(
        select(Organization.kind, Organization.status, func.count())
        .where(subtree_filter(root.path))
        .group_by(Organization.kind, Organization.status)
    ).all()
    by_kind = {kind: 0 for kind in KINDS}
    by_status = {status: 0 for status in ORG_STATUSES}
    for kind, status, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        if status == "active":
            by_kind[kind] = by_kind.get(kind, 0) + n
    return {"total": by_status.get("active", 0), "by_kind": by_kind, "by_status": by_status}


def subtree_stats(root: Organization, as_of: date | None = None) -> dict:
    """Members and organisations of ``root``'s subtree: what ``GET /orgs/<id>/stats`` shows."""
    as_of = as_of or date.today()
    return {
        "org_id": root.id,
        "as_of": as_of,
        "members": member_stats(root, as_of),
        "organizations": org_stats(root),
    }
