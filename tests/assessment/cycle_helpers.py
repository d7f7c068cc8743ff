"""Helpers for the cycle tests: test indicators of every scoring kind over real data, a
small city, and shortcuts to open and run cycles.

The indicators (``CT_INDICATORS``), each set-based (one GROUP BY filtered with
``ctx.orgs``), and counting their ``measure`` calls in :data:`CALLS`:

* ``ct.members`` — threshold: active members ≥ ``target`` (default 3);
* ``ct.size`` — proportional: active members / ``target`` (default 10);
* ``ct.records`` — checklist: the organisation has a contact, a phone, a founding date;
* ``ct.lost`` — deduction: ``per_unit`` (default 5) per lost-contact member;
* ``ct.review`` — manual;
* ``ct.broken`` — threshold whose measure raises (for the failing-run test).

:data:`WEIGHTS` is a standard over the first five (20 + 30 + 15 + 15 + 20 = 100).
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields
from sqlalchemy import func, select

from core.assessment import cycles, evaluate
from core.assessment import standards as standard_service
from core.assessment.indicators import Indicator, Measurement
from core.db import db
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs import service as orgs
from core.orgs.models import Organization

CALLS: Counter = Counter()
_serial = itertools.count(1)


class TargetParams(Schema):
    target = fields.Float(load_default=3)


class SizeParams(Schema):
    target = fields.Float(load_default=10)


class DeductionParams(Schema):
    per_unit = fields.Float(load_default=5)


def _count_members(ctx, *statuses):
    rows = db.session.execute(
        select(Member.org_id, func.count())
        .where(Member.org_id.in_(ctx.orgs), Member.status.in_(statuses))
        .group_by(Member.org_id)
    )
    return dict(rows.all())


def _members(ctx):
    CALLS["ct.members"] += 1
    counts = _count_members(ctx, *ACTIVE_STATUSES)
    return {org_id: Measurement(value=n, evidence={"members": n}) for org_id, n in counts.items()}


def _size(ctx):
    CALLS["ct.size"] += 1
    counts = _count_members(ctx, *ACTIVE_STATUSES)
    return {org_id: Measurement(value=n) for org_id, n in counts.items()}


def _records(ctx):
    CALLS["ct.records"] += 1
    rows = db.session.execute(
        select(Organization.id, Organization.contact, Organization.phone, Organization.founded_on)
        .where(Organization.id.in_(ctx.orgs))
    )
    return {
        r.id: Measurement(items={"联系人": r.contact is not None, "电话": r.phone is not None,
                                 "成立日期": r.founded_on is not None})
        for r in rows
    }


def _lost(ctx):
    CALLS["ct.lost"] += 1
    counts = _count_members(ctx, "lost_contact")
    return {org_id: Measurement(value=n, evidence={"lost": n}) for org_id, n in counts.items()}


def _broken(ctx):
    CALLS["ct.broken"] += 1
    raise RuntimeError("数据源不可用")


MEMBERS = Indicator(key="ct.members", name="党员人数达标", scoring="threshold", max_points=20,
                    measure=_members, params=TargetParams, unit="人", explain="党员 {value} 人")
SIZE = Indicator(key="ct.size", name="党员规模", scoring="proportional", max_points=30,
                 measure=_size, params=SizeParams, unit="人")
RECORDS = Indicator(key="ct.records", name="基础信息", scoring="checklist", max_points=15,
                    measure=_records)
LOST = Indicator(key="ct.lost", name="失联党员", scoring="deduction", max_points=15,
                 measure=_lost, params=DeductionParams, unit="人", explain="失联党员 {value} 人")
REVIEW = Indicator(key="ct.review", name="群众评议", scoring="manual", max_points=20)
BROKEN = Indicator(key="ct.broken", name="坏指标", scoring="threshold", max_points=10,
                   measure=_broken, params=TargetParams)

CT_INDICATORS = [MEMBERS, SIZE, RECORDS, LOST, REVIEW, BROKEN]
WEIGHTS = {"ct.members": 20, "ct.size": 30, "ct.records": 15, "ct.lost": 15, "ct.review": 20}


def items(weights: dict | None = None, params: dict | None = None) -> list[dict]:
    weights = weights or WEIGHTS
    params = params or {}
    return [{"indicator": k, "weight": w, "params": params.get(k, {})} for k, w in weights.items()]


def make_standard(name="测试标准", weights=None, params=None, **kwargs):
    return standard_service.create_standard(name, items(weights, params), **kwargs)


def make_org(parent=None, kind="branch", sector=None, code=None, contact="张三", phone="123",
             founded_on=date(2000, 1, 1), **extra) -> Organization:
    code = code or f"T{next(_serial):04d}"
    org = orgs.create(name=f"{code}组织", code=code, kind=kind, parent=parent, sector=sector,
                      founded_on=founded_on, contact=contact, phone=phone, **extra)
    db.session.flush()
    return org


def add_members(org, n: int, status: str = "full") -> list[Member]:
    made = []
    for _ in range(n):
        k = next(_serial)
        made.append(Member(
            org_id=org.id, name=f"党员{k}", gender="male", ethnicity="汉族",
            birth_date=date(1980, 1, 1), id_number=f"CYCLE-ID-{k}", id_number_index=f"cycle-{k}",
            joined_on=date(2010, 1, 1), full_on=date(2011, 1, 1) if status == "full" else None,
            status=status,
        ))
    db.session.add_all(made)
    db.session.flush()
    return made


def build_city() -> dict:
    """In the current tenant: R → C1 → A (5 full), B (2 full, 1 lost contact), C (10 full, no
    contact/phone); R → C2 → D (no members); one standard over the CT indicators (flushed,
    not committed). Scores after a run: C 70, A 65, B 54, D 30. Returns the ids by code
    (and ``standard``)."""
    root = make_org(kind="committee", code="R")
    c1 = make_org(root, kind="committee", code="C1")
    c2 = make_org(root, kind="committee", code="C2")
    a, b = make_org(c1, code="A"), make_org(c1, code="B")
    c = make_org(c1, code="C", contact=None, phone=None)
    d = make_org(c2, code="D")
    add_members(a, 5)
    add_members(b, 2)
    add_members(b, 1, status="lost_contact")
    add_members(c, 10)
    standard = make_standard()
    return {"R": root.id, "C1": c1.id, "C2": c2.id, "A": a.id, "B": b.id, "C": c.id, "D": d.id,
            "standard": standard.id}


def open_cycle(root, name="2024年度考核", period="year", year=2024, part=1, standard_ids=None):
    cycle = cycles.open_cycle(name=name, period=period, year=year, part=part, root_org=root,
                              standard_ids=standard_ids)
    db.session.flush()
    return cycle


def run(cycle):
    summary = evaluate.run(cycle)
    db.session.flush()
    return summary


def results(cycle) -> dict:
    """org_id → OrgResult of the cycle."""
    from core.assessment.models.cycles import OrgResult

    db.session.expire_all()
    return {r.org_id: r for r in db.session.scalars(select(OrgResult).where(OrgResult.cycle_id == cycle.id))}


def item_results(cycle, org_id) -> dict:
    """indicator key → Item of one organisation."""
    db.session.expire_all()
    return {i.key: i for i in cycles.items(cycle, org_id)}


def give_points(member, points, on: date = date(2024, 6, 1), status: str = "approved"):
    """An approved ledger entry of ``points`` for ``member`` (straight into the ledger's
    table: what the points slice's approval leaves behind)."""
    from core.points.models import PointEntry

    entry = PointEntry(
        member_id=member.id, org_id=member.org_id, rule_key="test.deed", rule_name="测试积分",
        category="other", requested_points=Decimal(str(points)), points=Decimal(str(points)),
        occurred_on=on, status=status,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def breakdown_total(cycle, result) -> Decimal:
    """What the explanation adds up to: items + adjustments + 调整."""
    from core.assessment.models.cycles import Adjustment

    items_sum = sum((i.points for i in cycles.items(cycle, result.org_id)), Decimal(0))
    adjustments = db.session.scalar(
        select(func.coalesce(func.sum(Adjustment.points), 0))
        .where(Adjustment.cycle_id == cycle.id, Adjustment.org_id == result.org_id)
    )
    return items_sum + Decimal(str(adjustments)) + result.clamp
