"""The members slice's national warning rules, one finding per member (``subject="member"``).

* 预备期满未转正: a probationary member whose probation (1 year from ``joined_on``) has
  ended. Members admitted through member development are left to its own rule
  (``development.probation_overdue``), which knows their one extension of 6–12 months; this
  rule covers the others (imported or transferred in), which have no extension on record.
* 流动党员长期未落实: status ``mobile`` since more than 6 months (``mobile_since``).
* 失联党员长期未处置: status ``lost_contact`` since more than 6 months (``lost_contact_since``).

Each check is one query over the tenant's members (the cut-off day is computed in Python,
so the same SQL runs on SQLite and PostgreSQL).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.dates import add_months
from core.db import db
from core.members.models import Member
from core.warnings.rules import Finding, RuleContext, WarningRule


def _months(default: int, description: str):
    return fields.Int(load_default=default, validate=validate.Range(min=1, max=120),
                      metadata={"description": description})


class ProbationParams(Schema):
    probation_months = _months(12, "probation length in months (预备期一年)")


class MobileParams(Schema):
    months = _months(6, "months a member may stay mobile before a warning")


class LostContactParams(Schema):
    months = _months(6, "months a member may stay out of contact before a warning")


def probation_overdue(ctx: RuleContext) -> list[Finding]:
    from core.development.service import developed_member_ids  # development imports members

    cutoff = add_months(ctx.today, -ctx.params["probation_months"])
    rows = db.session.execute(
        select(Member.id, Member.org_id, Member.name, Member.joined_on)
        .where(Member.status == "probationary", Member.joined_on < cutoff)
        .where(Member.id.not_in(developed_member_ids()))
    )
    findings = []
    for r in rows:
        due = add_months(r.joined_on, ctx.params["probation_months"])
        findings.append(Finding(r.org_id, r.id, {
            "name": r.name, "joined_on": r.joined_on.isoformat(), "due_on": due.isoformat(),
            "days_overdue": (ctx.today - due).days,
        }))
    return findings


def _since(status: str, column, ctx: RuleContext) -> list[Finding]:
    cutoff = add_months(ctx.today, -ctx.params["months"])
    rows = db.session.execute(
        select(Member.id, Member.org_id, Member.name, column.label("since"))
        .where(Member.status == status, column.is_not(None), column < cutoff)
    )
    return [
        Finding(r.org_id, r.id, {"name": r.name, "since": r.since.isoformat(),
                                 "days": (ctx.today - r.since).days})
        for r in rows
    ]


def mobile_unresolved(ctx: RuleContext) -> list[Finding]:
    return _since("mobile", Member.mobile_since, ctx)


def lost_contact_unresolved(ctx: RuleContext) -> list[Finding]:
    return _since("lost_contact", Member.lost_contact_since, ctx)


RULES = [
    WarningRule(
        key="members.probation_overdue", name="预备期满未转正", severity="warning",
        message="预备党员 {name} 于 {joined_on} 入党，预备期已于 {due_on} 届满（超过 {days_overdue} 天），尚未讨论转正",
        check=probation_overdue, params=ProbationParams, subject="member",
    ),
    WarningRule(
        key="members.mobile_unresolved", name="流动党员长期未落实", severity="warning",
        message="党员 {name} 自 {since} 起为流动党员，已 {days} 天未落实组织关系或管理措施",
        check=mobile_unresolved, params=MobileParams, subject="member",
    ),
    WarningRule(
        key="members.lost_contact_unresolved", name="失联党员长期未处置", severity="serious",
        message="党员 {name} 自 {since} 起失去联系，已 {days} 天未查找或处置",
        check=lost_contact_unresolved, params=LostContactParams, subject="member",
    ),
]
