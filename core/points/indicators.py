"""The points slice's assessment indicator: ``points.branch_average`` (党员平均积分) — the
average approved points per non-exempt active member of an organisation's subtree in the
cycle's period, scored in proportion to a target (default 60 points).

Set-based: one statement for every organisation of the cycle — each member's total,
grouped by organisation, spread to every ancestor (:func:`core.orgs.tree.rollup`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.assessment.indicators import Indicator, IndicatorContext, Measurement
from core.db import db
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization
from core.orgs.tree import rollup
from core.points.ledger import exempt_condition, totals_subquery
from core.points.settings import points_settings

CENT = Decimal("0.01")


class BranchAverageParams(Schema):
    target = fields.Float(load_default=60, validate=validate.Range(min=0))


def measure_branch_average(ctx: IndicatorContext) -> dict:
    totals = totals_subquery(ctx.start, ctx.end)
    as_of = min(ctx.end, date.today())
    direct = (
        select(
            Member.org_id.label("org_id"),
            func.count().label("members"),
            func.coalesce(func.sum(totals.c.total), 0).label("points"),
        )
        .outerjoin(totals, totals.c.member_id == Member.id)
        .where(Member.status.in_(ACTIVE_STATUSES), ~exempt_condition(points_settings(), as_of))
        .group_by(Member.org_id)
        .subquery("direct")
    )
    rolled = rollup(direct)
    rows = db.session.execute(
        select(Organization.id, rolled.c.members, rolled.c.points)
        .join(rolled, rolled.c.path == Organization.path)
        .where(Organization.id.in_(ctx.orgs))
    )
    result = {}
    for org_id, members, points in rows:
        members = int(members or 0)
        if not members:
            continue
        points = Decimal(str(points or 0))
        average = (points / members).quantize(CENT)
        result[org_id] = Measurement(
            value=average, evidence={"members": members, "points": float(points.quantize(CENT))}
        )
    return result


def indicators() -> list[Indicator]:
    return [
        Indicator(
            key="points.branch_average", name="党员平均积分", scoring="proportional",
            max_points=10, measure=measure_branch_average, params=BranchAverageParams,
            unit="分", reads="党员积分台账",
            description="本组织（含下级）参与排名的党员在考核期内的平均积分，达到目标值得满分。",
            explain="参与排名的党员 {members} 人，共 {points} 分，人均 {value}{unit}",
        )
    ]
