"""The problems slice's warning rules (预警), set-based over a whole tenant.

* ``problems.overdue`` — an organisation has problems past their deadline (整改时限) that are
  not closed. One warning per organisation (a warning's subject is an organisation, a member
  or a person, never a problem), with the count and the most overdue problem's title and
  days; it clears when the last of them is closed (or its deadline is moved on).
* ``problems.weak_org_stalled`` — an organisation designated 软弱涣散 more than N (12)
  months ago is still not de-listed: the 整顿 has stalled.
"""

from __future__ import annotations

from datetime import date, timedelta

from marshmallow import Schema, fields
from marshmallow.validate import Range
from sqlalchemy import select

from core.dates import add_months
from core.db import db
from core.orgs.models import Organization
from core.problems.models import CLOSED, DELISTED, Problem, WeakDesignation
from core.warnings.rules import Finding, RuleContext, WarningRule


class OverdueParams(Schema):
    grace_days = fields.Int(load_default=0, validate=Range(min=0, max=365))


class StalledParams(Schema):
    months = fields.Int(load_default=12, validate=Range(min=1, max=120))


def check_overdue(ctx: RuleContext) -> list[Finding]:
    """Active organisations with problems whose deadline (plus the grace days) has passed
    and that are not closed: one query, grouped in Python."""
    cutoff = ctx.today - timedelta(days=ctx.params["grace_days"])
    rows = db.session.execute(
        select(Problem.org_id, Problem.title, Problem.deadline)
        .join(Organization, Organization.id == Problem.org_id)
        .where(Organization.status == "active", Problem.status != CLOSED, Problem.deadline < cutoff)
        .order_by(Problem.org_id, Problem.deadline, Problem.title)
    ).all()
    by_org: dict = {}
    for org_id, title, deadline in rows:
        entry = by_org.get(org_id)
        if entry is None:  # ordered by deadline: the first is the most overdue
            by_org[org_id] = entry = {"count": 0, "title": title,
                                      "days": (ctx.today - deadline).days,
                                      "deadline": deadline.isoformat()}
        entry["count"] += 1
    return [Finding(org_id=org_id, figures=figures) for org_id, figures in by_org.items()]


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def check_stalled(ctx: RuleContext) -> list[Finding]:
    """Active organisations whose current designation is older than N months."""
    cutoff = add_months(ctx.today, -ctx.params["months"])
    rows = db.session.execute(
        select(WeakDesignation.org_id, WeakDesignation.year, WeakDesignation.designated_on,
               WeakDesignation.reason_category)
        .join(Organization, Organization.id == WeakDesignation.org_id)
        .where(Organization.status == "active", WeakDesignation.status != DELISTED,
               WeakDesignation.designated_on < cutoff)
    ).all()
    return [
        Finding(org_id=r.org_id, figures={
            "year": r.year, "designated_on": r.designated_on.isoformat(),
            "months": months_between(r.designated_on, ctx.today),
            "reason": r.reason_category,
        })
        for r in rows
    ]


def rules() -> list[WarningRule]:
    return [
        WarningRule(
            key="problems.overdue", name="问题整改逾期", severity="warning",
            message="有 {count} 个问题超过整改时限仍未销号，逾期最久的“{title}”"
                    "（时限 {deadline}）已逾期 {days} 天，请督促整改。",
            check=check_overdue, params=OverdueParams,
        ),
        WarningRule(
            key="problems.weak_org_stalled", name="软弱涣散党组织整顿超期", severity="serious",
            message="{designated_on} 被认定为软弱涣散党组织（{year}年，{reason}），"
                    "已 {months} 个月仍未摘帽销号，请加强整顿。",
            check=check_stalled, params=StalledParams,
        ),
    ]
