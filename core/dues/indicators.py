"""The dues slice's assessment indicator: 党费按月足额交纳 (the share of member-months paid).

For every active member of the organisation (its 党小组 included), each month of the
cycle's period from the month they owe dues (joining, or the tenant's ``arrears_from`` when
later) is due; a month counts as paid when a payment row for it exists, wherever it was
recorded. The current month is not due yet while it lasts, so a cycle evaluated before its
period ends counts the completed months only.

Two queries whatever the number of organisations: the members (outer-joined from the
organisations, so an organisation without members still gets a row) and the count of paid
months in the period per member. Value: paid ÷ due in %; an organisation with no month due
has no data.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, func, select

from core.assessment.indicators import Indicator, Measurement
from core.db import db
from core.dues import rates as dues_rates
from core.dues.models import DuesPayment
from core.dues.rates import add_months, month_start, months_between
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.indicators import org_and_groups


class PaidRateParams(Schema):
    target = fields.Float(load_default=100, validate=validate.Range(min=0, max=100),
                          metadata={"description": "目标交纳率（%）"})


def _last_due_month(end: date, today: date) -> date:
    last = month_start(end)
    current = month_start(today)
    return add_months(current, -1) if last >= current else last


def measure_paid_rate(ctx) -> dict:
    first = month_start(ctx.start)
    last = _last_due_month(ctx.end, date.today())
    floor = dues_rates.effective_rates().get("arrears_from")
    holders = org_and_groups(ctx.orgs)
    members = db.session.execute(
        select(holders.c.org_id, Member.id, Member.joined_on)
        .select_from(holders)
        .outerjoin(Member, and_(Member.org_id == holders.c.holder_id,
                                Member.status.in_(ACTIVE_STATUSES)))
    ).all()
    member_ids = (
        select(Member.id)
        .select_from(holders)
        .join(Member, Member.org_id == holders.c.holder_id)
        .where(Member.status.in_(ACTIVE_STATUSES))
    )
    paid_of = dict(db.session.execute(
        select(DuesPayment.member_id, func.count())
        .where(DuesPayment.month >= first, DuesPayment.month <= last,
               DuesPayment.member_id.in_(member_ids))
        .group_by(DuesPayment.member_id)
    ).all()) if first <= last else {}
    figures: dict = {}
    for org_id, member_id, joined_on in members:
        totals = figures.setdefault(org_id, [0, 0, 0])  # members, due, paid
        if member_id is None:
            continue
        start = max(first, month_start(joined_on))
        if floor is not None and floor > start:
            start = floor
        due = months_between(start, last) + 1 if start <= last else 0
        totals[0] += 1
        totals[1] += due
        totals[2] += min(int(paid_of.get(member_id, 0)), due)
    found = {}
    for org_id, (count, due, paid) in figures.items():
        rate = (Decimal(paid) * 100 / due).quantize(Decimal("0.1"), ROUND_HALF_UP) if due else None
        found[org_id] = Measurement(rate, evidence={
            "members": count, "months_due": due, "months_paid": paid, "months_unpaid": due - paid})
    return found


def indicators() -> list[Indicator]:
    return [
        Indicator(
            key="dues.paid_rate",
            name="党费按月足额交纳",
            scoring="proportional",
            max_points=10,
            measure=measure_paid_rate,
            params=PaidRateParams,
            unit="%",
            reads="党费交纳记录",
            description="周期内党员应交党费月数中已交纳的比例（本月未结束的不计）",
            explain="党员 {members} 名，应交党费 {months_due} 人·月，已交 {months_paid} 人·月，"
                    "未交 {months_unpaid} 人·月，交纳率 {value}%",
        )
    ]
