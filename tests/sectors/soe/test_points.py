"""The soe point rules: ``soe.innovation`` collected from the innovation register (one entry
per member and result, idempotent), ``soe.vanguard_post`` recorded by hand with evidence."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.db import db
from core.points import registry as point_registry
from core.points.models import PointEntry
from tests.sectors.soe import builders as b


def test_innovation_points_collected_once(enterprises, tenant, in_tenant, org, add_member, collect_points):
    with in_tenant(tenant):
        a = org("A")
        first, second = add_member(a), add_member(org("AG"))
        done = b.innovation(a, [first, second], date(2025, 9, 1))
        b.innovation(a, [first], date(2024, 9, 1), title="去年的成果")  # outside the period
        db.session.commit()
        report = collect_points(date(2025, 1, 1), date(2025, 12, 31), ["soe.innovation"])
        assert report["added"] == 2
        entries = db.session.scalars(select(PointEntry).where(PointEntry.rule_key == "soe.innovation")).all()
        assert {(e.member_id, e.source_ref) for e in entries} == {
            (first.id, f"soe_innovations:{done.id}"), (second.id, f"soe_innovations:{done.id}")}
        assert all(e.occurred_on == date(2025, 9, 1) for e in entries)
        db.session.commit()
        assert collect_points(date(2025, 1, 1), date(2025, 12, 31), ["soe.innovation"])["added"] == 0


def test_point_rules_declared(enterprises, tenant, in_tenant):
    with in_tenant(tenant):
        rules = point_registry.tenant_rules()
        assert rules["soe.innovation"].collect is not None and rules["soe.innovation"].yearly_cap == 20
        vanguard = rules["soe.vanguard_post"]
        assert vanguard.collect is None and vanguard.evidence_required and vanguard.name == "党员先锋岗、责任区履职"
