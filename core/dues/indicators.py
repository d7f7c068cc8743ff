"""The dues slice's assessment indicator: 党费按月足额交纳 (the share of member-months paid).

For every active member of the organisation (its 党小组 included), each month of the
cycle's period from the month they owe dues (joining, or the tenant's ``arrears_from`` when
later) is due; a month counts as paid when a payment row for it exists, wherever it was
recorded. The current month is not due yet while it lasts, so a cycle evaluated before its
period ends counts the completed months only.

One aggregate query whatever the number of organisations: per member (a grouped join of
organisation, member and payments), the months due (as month numbers, ``year × 12 +
month``, so the arithmetic is the database's on SQLite and PostgreSQL alike) and the paid
months in the period capped at those due; summed per organisation (outer-joined from the organisations, so one without members still gets a
row). Value: paid ÷ due in %; an organisation with no month due has no data. (It was a loop
over every member in Python: 2–4 s of a city's cycle.)
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, case, extract, func, literal, select

from core.assessment.indicators import Indicator, Measurement
from core.db import db
from core.dues import rates as dues_rates
from core.dues.models import DuesPayment
from core.dues.rates import add_months, month_start
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.indicators import org_and_groups


class PaidRateParams(Schema):
    target = fields.Float(load_default=100, validate=validate.Range(min=0, max=100),
                          metadata={"description": "目标交纳率（%）"})


def _last_due_month(end: date, today: date) -> date:
    last = month_start(end)
    current = month_start(today)
    return add_months(current, -1) if last >= current else last


def _month_number(column):
    return extract("year", column) * 12 + extract("month", column)


def _number(month: date) -> int:
    return month.year * 12 + month.month


def _later(a, b):
    return case((a > b, a), else_=b)


def measure_paid_rate(ctx) -> dict:
    first = month_start(ctx.start)
    last = _last_due_month(ctx.end, date.today())
    floor = dues_rates.effective_rates().get("arrears_from")
    holders = org_and_groups(ctx.orgs)
    start = _later(_month_number(Member.joined_on), literal(_number(first)))
    if floor is not None:
        start = _later(start, literal(_number(month_start(floor))))
    # Per member: the months due and the payments in the period, from one grouped join
    # (organisation → member → payments); then summed per organisation. Joined, not a
    # correlated or IN subquery: without planner statistics (a freshly loaded tenant)
    # PostgreSQL pushed the member into a grouped subquery and re-ran it per member.
    due = case((Member.id.is_(None), 0), (start <= _number(last), _number(last) - start + 1), else_=0)
    per_member = (
        select(holders.c.org_id, Member.id.label("member_id"), due.label("due"),
               func.count(DuesPayment.id).label("paid"))
        .select_from(holders)
        .outerjoin(Member, and_(Member.org_id == holders.c.holder_id, Member.status.in_(ACTIVE_STATUSES)))
        .outerjoin(DuesPayment, and_(DuesPayment.member_id == Member.id,
                                     DuesPayment.month >= first, DuesPayment.month <= last))
        .group_by(holders.c.org_id, Member.id, Member.joined_on)
        .subquery("per_member")
    )
    capped = case((per_member.c.paid < per_member.c.due, per_member.c.paid), else_=per_member.c.due)
    rows = db.session.execute(
        select(per_member.c.org_id, func.count(per_member.c.member_id),
               func.coalesce(func.sum(per_member.c.due), 0), func.coalesce(func.sum(capped), 0))
        .group_by(per_member.c.org_id)
    ).all()
    found = {}
    for org_id, count, due, paid_months in rows:
        due, paid_months = int(due), int(paid_months)
        rate = (Decimal(paid_months) * 100 / due).quantize(Decimal("0.1"), ROUND_HALF_UP) if due else None
        found[org_id] = Measurement(rate, evidence={
            "members": count, "months_due": due, "months_paid": paid_months,
            "months_unpaid": due - paid_months})
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
