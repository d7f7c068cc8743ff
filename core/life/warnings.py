"""Warning rules of organisational life: meetings not held within their period.

National periods (支部工作条例; every one a rule parameter a tenant may change):

=====================  ======================  ==============================
meeting                period (months)         organisations checked
=====================  ======================  ==============================
支部党员大会             3 (quarterly)           branches, joint and general branches
支委会                  1 (monthly)             the same, when they have a committee
党小组会                1 (monthly)             党小组
党课                    3 (quarterly)           branches, joint and general branches
主题党日                1 (monthly)             branches, joint and general branches
组织生活会、民主评议党员    12 (yearly)             branches, joint and general branches
=====================  ======================  ==============================

"Overdue" is rolling: no meeting of the kind held in the last ``period_months`` months
(``held_on`` on or after the same day ``period_months`` months ago). An organisation founded
within the period is not overdue yet. Besides: a branch with no meeting of any kind (its
groups' included) for ``days`` days (30) is "yellow"; a member with no 谈心谈话 in
``months`` months (12) is flagged by member.

Each check is one aggregate statement over the whole tenant — ``max(held_on)`` grouped by
organisation (or by member for talks) — never a query per organisation.
"""

from __future__ import annotations

from datetime import date, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import aliased

from core.dates import add_months
from core.db import db
from core.life.models import KIND_LABELS, Attendance, Meeting, counted_meetings
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import BRANCH_LEVEL_KINDS, Organization, OrgPost
from core.orgs.posts import current_condition
from core.tenancy import tenant_context
from core.warnings.rules import Finding, RuleContext, WarningRule

NO_RECORD = "无记录"
# kind → (period in months, organisation kinds checked, severity)
PERIODS = {
    "general_meeting": (3, BRANCH_LEVEL_KINDS, "warning"),
    "committee_meeting": (1, BRANCH_LEVEL_KINDS, "warning"),
    "group_meeting": (1, ("group",), "warning"),
    "party_lecture": (3, BRANCH_LEVEL_KINDS, "warning"),
    "theme_day": (1, BRANCH_LEVEL_KINDS, "warning"),
    "life_meeting": (12, BRANCH_LEVEL_KINDS, "serious"),
    "member_review": (12, BRANCH_LEVEL_KINDS, "serious"),
}
NO_ACTIVITY_DAYS = 30
TALK_MONTHS = 12
COMMITTEE_MIN_SIZE = 3  # 支部委员会 has 3–5 (at most 7) members


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    return add_months(day, -months)


def _months_field(default: int, description: str) -> fields.Int:
    return fields.Int(load_default=default, validate=validate.Range(min=1, max=36),
                      metadata={"description": description})


def _figures(last: date | None, today: date, **more) -> dict:
    return {
        "last_held_on": last.isoformat() if last else None,
        "last": last.isoformat() if last else NO_RECORD,
        "days": (today - last).days if last else None,
        **more,
    }


def _not_new(cutoff: date):
    """An organisation founded before ``cutoff`` (or of unknown founding)."""
    return or_(Organization.founded_on.is_(None), Organization.founded_on <= cutoff)


def _committees(today: date, min_size: int):
    """Subquery of the organisations whose committee has at least ``min_size`` people now."""
    return (
        select(OrgPost.org_id)
        .where(*current_condition(today))
        .group_by(OrgPost.org_id)
        .having(func.count(distinct(OrgPost.member_id)) + func.count(distinct(OrgPost.person_name))
                >= min_size)
    )


def overdue(kind: str, ctx: RuleContext, months: int, org_kinds, *, only=None) -> list[Finding]:
    """Active organisations of ``org_kinds`` with no ``kind`` meeting since ``months`` months
    before ``ctx.today``: one GROUP BY over the tenant."""
    cutoff = months_before(ctx.today, months)
    held = counted_meetings()  # a joint meeting counts for each organisation it is credited to
    last = func.max(held.held_on)
    with tenant_context(ctx.tenant_id):
        stmt = (
            select(Organization.id, last)
            .outerjoin(held, and_(held.org_id == Organization.id, held.kind == kind,
                                  held.held_on <= ctx.today))
            .where(Organization.kind.in_(org_kinds), Organization.status == "active",
                   _not_new(cutoff))
            .group_by(Organization.id)
            .having(or_(last.is_(None), last < cutoff))
        )
        if only is not None:
            stmt = stmt.where(Organization.id.in_(only))
        rows = db.session.execute(stmt).all()
    return [Finding(org_id, figures=_figures(held, ctx.today, period_months=months))
            for org_id, held in rows]


def _kind_check(kind: str):
    default, org_kinds, _ = PERIODS[kind]

    def check(ctx: RuleContext) -> list[Finding]:
        months = ctx.params.get("period_months", default)
        only = None
        if kind == "committee_meeting":
            only = _committees(ctx.today, ctx.params.get("committee_min_size", COMMITTEE_MIN_SIZE))
        return overdue(kind, ctx, months, org_kinds, only=only)

    check.__name__ = f"check_{kind}_overdue"
    check.__doc__ = f"{KIND_LABELS[kind]} not held within its period (one aggregate query)."
    return check


def _kind_params(kind: str) -> type[Schema]:
    default = PERIODS[kind][0]
    declared = {"period_months": _months_field(default, f"{KIND_LABELS[kind]}的周期（月）")}
    if kind == "committee_meeting":
        declared["committee_min_size"] = fields.Int(
            load_default=COMMITTEE_MIN_SIZE, validate=validate.Range(min=1, max=15),
            metadata={"description": "设有支委会的最少委员人数（少于此数的支部不检查）"},
        )
    return Schema.from_dict(declared, name=f"{kind.title().replace('_', '')}OverdueParams")


def check_no_activity(ctx: RuleContext) -> list[Finding]:
    """Branch-level organisations with no meeting of any kind — theirs or their groups' —
    for ``days`` days: one aggregate query (the organisation joined to itself and its
    children, then to their meetings)."""
    days = ctx.params.get("days", NO_ACTIVITY_DAYS)
    cutoff = ctx.today - timedelta(days=days)
    with tenant_context(ctx.tenant_id):
        holder = aliased(Organization, name="holder")
        held = counted_meetings()  # joint meetings included
        last = func.max(held.held_on)
        stmt = (
            select(Organization.id, last)
            .join(holder, or_(holder.id == Organization.id, holder.parent_id == Organization.id))
            .outerjoin(held, and_(held.org_id == holder.id, held.held_on <= ctx.today))
            .where(Organization.kind.in_(BRANCH_LEVEL_KINDS), Organization.status == "active",
                   _not_new(cutoff))
            .group_by(Organization.id)
            .having(or_(last.is_(None), last < cutoff))
        )
        rows = db.session.execute(stmt).all()
    return [Finding(org_id, figures=_figures(held, ctx.today, period_days=days))
            for org_id, held in rows]


def check_talks(ctx: RuleContext) -> list[Finding]:
    """Active members (who joined before the period) with no 谈心谈话 in ``months`` months:
    one aggregate of talks by member, outer-joined to the members."""
    months = ctx.params.get("months", TALK_MONTHS)
    cutoff = months_before(ctx.today, months)
    with tenant_context(ctx.tenant_id):
        talks = (
            select(Attendance.member_id.label("member_id"),
                   func.max(Meeting.held_on).label("last"))
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Meeting.kind == "talk", Attendance.present.is_(True),
                   Meeting.held_on <= ctx.today)
            .group_by(Attendance.member_id)
            .subquery("talks")
        )
        stmt = (
            select(Member.id, Member.org_id, Member.name, talks.c.last)
            .join(Organization, Organization.id == Member.org_id)
            .outerjoin(talks, talks.c.member_id == Member.id)
            .where(Member.status.in_(ACTIVE_STATUSES), Member.joined_on <= cutoff,
                   Organization.status == "active",
                   or_(talks.c.last.is_(None), talks.c.last < cutoff))
        )
        rows = db.session.execute(stmt).all()
    return [Finding(org_id, member_id, _figures(last, ctx.today, name=name, period_months=months))
            for member_id, org_id, name, last in rows]


_NAMES = {
    "general_meeting": ("支部党员大会未按期召开", "近 {period_months} 个月未召开支部党员大会（最近一次：{last}）"),
    "committee_meeting": ("支委会未按期召开", "近 {period_months} 个月未召开支委会（最近一次：{last}）"),
    "group_meeting": ("党小组会未按期召开", "近 {period_months} 个月未召开党小组会（最近一次：{last}）"),
    "party_lecture": ("党课未按期开展", "近 {period_months} 个月未上党课（最近一次：{last}）"),
    "theme_day": ("主题党日未按期开展", "近 {period_months} 个月未开展主题党日活动（最近一次：{last}）"),
    "life_meeting": ("组织生活会未召开", "近 {period_months} 个月未召开组织生活会（最近一次：{last}）"),
    "member_review": ("民主评议党员未开展", "近 {period_months} 个月未开展民主评议党员（最近一次：{last}）"),
}


def rules() -> list[WarningRule]:
    """The national rules of organisational life."""
    found = [
        WarningRule(
            key=f"life.{kind}_overdue",
            name=_NAMES[kind][0],
            severity=PERIODS[kind][2],
            message=_NAMES[kind][1],
            check=_kind_check(kind),
            params=_kind_params(kind),
        )
        for kind in PERIODS
    ]
    found.append(WarningRule(
        key="life.no_activity",
        name="组织生活长期未开展（黄灯）",
        severity="warning",
        message="已连续 {period_days} 天以上未开展任何组织生活（最近一次：{last}）",
        check=check_no_activity,
        params=Schema.from_dict({"days": fields.Int(
            load_default=NO_ACTIVITY_DAYS, validate=validate.Range(min=1, max=365),
            metadata={"description": "无任何组织生活的天数"})}, name="NoActivityParams"),
    ))
    found.append(WarningRule(
        key="life.talk_missing",
        name="党员未开展谈心谈话",
        severity="info",
        message="党员{name}近 {period_months} 个月未开展谈心谈话（最近一次：{last}）",
        check=check_talks,
        params=Schema.from_dict({"months": _months_field(TALK_MONTHS, "谈心谈话的周期（月）")},
                                name="TalkParams"),
        subject="member",
    ))
    return found
