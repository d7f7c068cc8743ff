"""队伍结构: the figures a department reports for a subtree, each one aggregate query.

Members counted are the active ones (:data:`~core.members.models.ACTIVE_STATUSES`: still in
the register) registered anywhere in the subtree; ``by_status`` also shows those who left.
Ages and party standing are computed at ``as_of`` by comparing dates with cut-off dates
computed here (born on or before ``as_of`` minus N years ⇔ at least N years old), so the
SQL is the same on every backend; all the member figures come from one scan.

Party standing (党龄) counts whole years since ``joined_on`` (入党日期), as the statistics
tables here ask; note that the Party constitution counts 党龄 from 转正 (``full_on``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, not_, or_, select, true

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


def _band_conditions(column, bands, as_of: date) -> dict:
    """``{label: condition}`` putting ``column`` (a date in the past) into the band of whole
    years since it: at least N years ⇔ ``column`` ≤ ``as_of`` − N years. A missing date
    falls in the first band."""
    conditions = {}
    for index, (label, low) in enumerate(bands):
        parts = []
        if low > 0:
            parts.append(column <= add_years(as_of, -low))
        if index + 1 < len(bands):
            below_next = column > add_years(as_of, -bands[index + 1][1])
            parts.append(or_(below_next, column.is_(None)) if low == 0 else below_next)
        conditions[label] = and_(*parts) if parts else true()
    return conditions


def _categories(column, labels) -> dict:
    """``{label: column = label}`` and ``unknown`` for anything else (NULL included)."""
    conditions = {label: column == label for label in labels}
    conditions[UNKNOWN] = or_(column.is_(None), column.not_in(labels))
    return conditions


def member_stats(root: Organization, as_of: date | None = None) -> dict:
    """The 队伍结构 of ``root``'s subtree at ``as_of`` (default today).

    One scan of the subtree's members counts every group at once (``COUNT(*) FILTER``),
    and one GROUP BY the ethnic groups — a city of 100,000 members is read twice, not once
    per figure."""
    as_of = as_of or date.today()
    active = Member.status.in_(ACTIVE_STATUSES)
    full = full_member_condition(as_of)
    groups = {
        "by_status": _categories(Member.status, STATUSES),
        "by_membership": {"full": and_(active, full), "probationary": and_(active, not_(full))},
        "by_gender": _categories(Member.gender, GENDERS),
        "by_age_band": _band_conditions(Member.birth_date, AGE_BANDS, as_of),
        "by_education": _categories(Member.education, EDUCATION_LEVELS),
        "by_standing": _band_conditions(Member.joined_on, STANDING_BANDS, as_of),
    }
    columns = []
    for group, conditions in groups.items():
        for label, condition in conditions.items():
            if group not in ("by_status", "by_membership"):
                condition = and_(active, condition)
            columns.append((group, label, func.count().filter(condition)))
    row = db.session.execute(
        select(*(column for _group, _label, column in columns))
        .select_from(Member)
        .join(Organization, Organization.id == Member.org_id)
        .where(subtree_filter(root.path))
    ).one()
    figures: dict[str, dict] = {group: {} for group in groups}
    for (group, label, _column), n in zip(columns, row, strict=True):
        if n or label != UNKNOWN:
            figures[group][label] = int(n or 0)
    ethnic = dict(db.session.execute(
        select(Member.ethnicity, func.count())
        .join(Organization, Organization.id == Member.org_id)
        .where(subtree_filter(root.path), active)
        .group_by(Member.ethnicity)
    ).all())
    return {
        "total": sum(figures["by_status"][s] for s in ACTIVE_STATUSES),
        **figures,
        "ethnicity": {
            "han": ethnic.get(HAN, 0),
            "minority": sum(n for k, n in ethnic.items() if k != HAN),
            "by_group": dict(sorted(ethnic.items(), key=lambda kv: (-kv[1], kv[0] or ""))),
        },
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
