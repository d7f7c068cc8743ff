"""The problems slice's assessment indicators, each measured for every organisation of a
cycle with two aggregate queries (the organisations, then one GROUP BY), whatever their
number.

* ``problems.overdue`` (deduction) — problems of the organisation that were past their
  deadline and not closed at the end of the period: found by then, deadline before the
  last day, not closed on or before it. ``per_unit`` points each (default 2).
* ``problems.rectification_rate`` (proportional) — of the problems whose deadline fell in
  the period, the share closed on time (closed on or before the deadline), in %; target
  100. An organisation with no problem due in the period had nothing to rectify late: 100 %.
* ``problems.weak_designation`` (deduction) — the organisation was on the 软弱涣散 list in the
  period: a designation made by the period's end and not de-listed before its start
  (``per_unit`` points each, default the whole item).

The close-out day is the last one recorded: a problem closed and later reopened counts as
not closed.
"""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import Range
from sqlalchemy import case, func, or_, select

from core.assessment.indicators import Indicator, IndicatorContext, Measurement
from core.db import db
from core.problems.models import Problem, WeakDesignation

TITLES_SHOWN = 5


class OverdueParams(Schema):
    per_unit = fields.Float(load_default=2, validate=Range(min=0, max=100))


class RateParams(Schema):
    target = fields.Float(load_default=100, validate=Range(min=1, max=100))


class WeakParams(Schema):
    per_unit = fields.Float(load_default=10, validate=Range(min=0, max=100))


def _org_ids(ctx: IndicatorContext) -> list:
    return list(db.session.scalars(ctx.orgs))


def measure_overdue(ctx: IndicatorContext) -> dict:
    rows = db.session.execute(
        select(Problem.org_id, Problem.title)
        .where(Problem.org_id.in_(ctx.orgs), Problem.found_on <= ctx.end, Problem.deadline < ctx.end,
               or_(Problem.closed_on.is_(None), Problem.closed_on > ctx.end))
        .order_by(Problem.org_id, Problem.deadline)
    ).all()
    titles: dict = {}
    for org_id, title in rows:
        titles.setdefault(org_id, []).append(title)
    result = {}
    for org_id in _org_ids(ctx):
        found = titles.get(org_id, [])
        result[org_id] = Measurement(value=len(found), evidence={
            "overdue": len(found), "titles": "、".join(found[:TITLES_SHOWN]) or "无"})
    return result


def measure_rate(ctx: IndicatorContext) -> dict:
    on_time = case((Problem.closed_on <= Problem.deadline, 1), else_=0)
    rows = db.session.execute(
        select(Problem.org_id, func.count(), func.sum(on_time))
        .where(Problem.org_id.in_(ctx.orgs), Problem.deadline >= ctx.start,
               Problem.deadline <= ctx.end)
        .group_by(Problem.org_id)
    ).all()
    counts = {org_id: (int(due), int(done or 0)) for org_id, due, done in rows}
    result = {}
    for org_id in _org_ids(ctx):
        due, done = counts.get(org_id, (0, 0))
        rate = round(done * 100 / due, 2) if due else 100.0
        result[org_id] = Measurement(value=rate, evidence={"due": due, "on_time": done})
    return result


def measure_weak(ctx: IndicatorContext) -> dict:
    rows = db.session.execute(
        select(WeakDesignation.org_id, func.count(), func.max(WeakDesignation.reason_category))
        .where(WeakDesignation.org_id.in_(ctx.orgs), WeakDesignation.designated_on <= ctx.end,
               or_(WeakDesignation.delisted_on.is_(None), WeakDesignation.delisted_on >= ctx.start))
        .group_by(WeakDesignation.org_id)
    ).all()
    counts = {org_id: (int(n), reason) for org_id, n, reason in rows}
    result = {}
    for org_id in _org_ids(ctx):
        n, reason = counts.get(org_id, (0, None))
        result[org_id] = Measurement(value=n, evidence={"designations": n, "reason": reason or "无"})
    return result


def indicators() -> list[Indicator]:
    return [
        Indicator(
            key="problems.overdue", name="问题整改逾期", scoring="deduction", max_points=10,
            measure=measure_overdue, params=OverdueParams, unit="个", reads="问题清单",
            description="期末仍超过整改时限未销号的问题，每个扣分。",
            explain="期末逾期未销号问题 {value} 个（{titles}）",
        ),
        Indicator(
            key="problems.rectification_rate", name="问题按期整改率", scoring="proportional",
            max_points=10, measure=measure_rate, params=RateParams, unit="%", reads="问题清单",
            description="本期到期的问题中按期销号的比例；本期无到期问题的按 100% 计。",
            explain="本期到期问题 {due} 个，按期销号 {on_time} 个，按期整改率 {value}{unit}",
        ),
        Indicator(
            key="problems.weak_designation", name="软弱涣散党组织", scoring="deduction",
            max_points=10, measure=measure_weak, params=WeakParams, unit="次",
            reads="软弱涣散党组织认定",
            description="本期内被认定为（或仍为）软弱涣散党组织的扣分。",
            explain="本期内被列为软弱涣散党组织 {value} 次（原因：{reason}）",
        ),
    ]
