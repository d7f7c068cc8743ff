"""Dues paid month by month and points earned over the synthetic city's year.

Dues are counted from the year's first month (the tenant's ``arrears_from``: the records
start on the platform then, so earlier months are never arrears). Members pay month by
month — the current month about half of them so far — except ~3 % who stopped 3–5 months
ago and ~1 % 6–12 months ago (``dues.unpaid_3_months`` / ``dues.unpaid_6_months``), and
members out of contact since they were lost.

Each generator yields tuples in the order of its ``…_COLUMNS`` for :mod:`core.seed.bulk`
(a million payments: nothing looked up per row).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from core.dates import add_months
from core.db import new_id

ACTOR = "seed"
CHANNELS = ("wechat", "wechat", "bank", "cash", "alipay")
PAYMENT_COLUMNS = ("id", "member_id", "org_id", "month", "amount", "channel", "paid_on", "recorded_by")


def months(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months up to and including this one."""
    this = today.replace(day=1)
    return [add_months(this, -i) for i in range(count - 1, -1, -1)]


def dues_payments(members: list[dict], rng: random.Random, today: date, count: int) -> Iterator[tuple]:
    """Payment rows (see the module docstring); ``members`` are the active members' rows."""
    recent = months(today, count)
    current = recent[-1]
    for member in members:
        first = max(member["joined_on"].replace(day=1), recent[0])
        roll = rng.random()
        if roll < 0.01:
            stop = add_months(current, -rng.randint(6, 12))  # the first month not paid
        elif roll < 0.04:
            stop = add_months(current, -rng.randint(3, 5))
        elif rng.random() < 0.5:
            stop = add_months(current, 1)
        else:
            stop = current  # not yet this month
        if member["lost_contact_since"] is not None:
            stop = min(stop, member["lost_contact_since"].replace(day=1))
        member_id, org_id, amount = member["id"], member["org_id"], member["_due"]
        for month in recent:
            if first <= month < stop:
                paid_on = min(month + timedelta(days=rng.randrange(0, 25)), today)
                yield (new_id(), member_id, org_id, month, amount, rng.choice(CHANNELS), paid_on, ACTOR)


# (rule key, name, category, points)
POINT_DEEDS = (
    ("points.volunteering", "志愿服务", "volunteering", Decimal(5)),
    ("points.study", "学习", "study", Decimal(2)),
    ("points.pioneer", "先锋表现", "other", Decimal(10)),
)
POINT_COLUMNS = ("id", "member_id", "org_id", "rule_key", "rule_name", "category", "requested_points",
                 "points", "occurred_on", "evidence", "status", "recorded_by", "approved_by", "approved_at")


def points(members: list[dict], rng: random.Random, today: date, count: int) -> Iterator[tuple]:
    """Approved entries of the built-in rules: a few per member over the period."""
    recent = months(today, count)
    approved_at = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    for member in members:
        if member["status"] not in ("full", "probationary"):
            continue
        for _ in range(rng.choice((0, 1, 2, 3, 4))):
            key, name, category, value = rng.choice(POINT_DEEDS)
            day = min(rng.choice(recent).replace(day=rng.randint(1, 28)), today)
            yield (new_id(), member["id"], member["org_id"], key, name, category, value, value,
                   max(day, member["joined_on"]), "支部认定", "approved", ACTOR, ACTOR, approved_at)
