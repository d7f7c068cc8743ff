"""The dues slice's member point rule: ``dues.on_time`` (按时交纳党费), collected from
payments — a point award for each month whose dues were paid by the end of that month
(advance payments included), one entry per month (``source_ref`` ``"dues:YYYY-MM"``),
dated the month it is for. A month earns its point once it has begun."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.dates import add_months
from core.db import db
from core.dues.models import DuesPayment
from core.points.rules import CollectContext, Deed, PointRule


def collect_on_time(ctx: CollectContext) -> list[Deed]:
    """Every payment for a month (its first day) in the period, paid by that month's end:
    one query (the month's end is compared in Python, the same on both databases)."""
    rows = db.session.execute(
        select(DuesPayment.member_id, DuesPayment.month, DuesPayment.paid_on)
        .where(
            DuesPayment.month >= ctx.start,
            DuesPayment.month <= ctx.end,
            DuesPayment.month <= date.today(),
        )
    )
    deeds = []
    for member_id, month, paid_on in rows:
        if paid_on >= add_months(month, 1):
            continue  # paid after the month ended
        deeds.append(Deed(member_id=member_id, occurred_on=month,
                          source_ref=f"dues:{month:%Y-%m}",
                          evidence={"month": f"{month:%Y-%m}", "paid_on": paid_on.isoformat()}))
    return deeds


def point_rules() -> list[PointRule]:
    return [
        PointRule(
            key="dues.on_time", name="按时交纳党费", points=1, category="dues", yearly_cap=12,
            collect=collect_on_time,
            description="当月党费在当月底前交纳，每月记 1 分，每年最多 12 分（按交纳记录自动计分）。",
        )
    ]
