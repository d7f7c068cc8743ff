"""The rural point rules: duty posts taken and mobile members' own reports collected from
the records (idempotently, capped per year), and 设岗定责履职 recorded by hand with evidence."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.api.errors import ApiError
from core.db import db
from core.points import ledger
from core.points.models import PointEntry
from core.points.registry import tenant_rules
from tests.sectors.rural import builders as b

RULES = ["rural.duty_taken", "rural.mobile_report"]


def test_deeds_collected_once(villages, tenant, in_tenant, org, add_member, collect_points):
    with in_tenant(tenant):
        plain, other = add_member(org("A")), add_member(org("B"))
        away = add_member(org("AG"), status="mobile", mobile_since=date(2023, 1, 1))
        first = b.duty(org("A"), plain, date(2024, 3, 1))
        b.duty(org("A"), plain, date(2024, 5, 1), name="纠纷调解岗")
        b.duty(org("A"), plain, date(2024, 6, 1), name="村务监督岗")  # over the cap of 6
        b.duty(org("B"), other, date(2023, 3, 1))  # another year
        for month in (1, 3, 5, 7, 9):
            b.contact(org("A"), away, date(2024, month, 2), initiated_by="member")
        b.contact(org("A"), away, date(2024, 11, 2))  # the branch called: no points
        db.session.commit()
        report = collect_points(date(2024, 1, 1), date(2024, 12, 31), RULES)
        assert report["rules"]["rural.duty_taken"] == {"found": 3, "added": 3, "capped": 1}
        assert report["rules"]["rural.mobile_report"] == {"found": 5, "added": 5, "capped": 1}
        entries = db.session.scalars(select(PointEntry).where(PointEntry.rule_key.in_(RULES))).all()
        awarded = {}
        for e in entries:
            awarded[e.member_id] = awarded.get(e.member_id, 0) + e.points
        assert awarded == {plain.id: 6, away.id: 8}
        refs = {e.source_ref for e in entries}
        assert f"rural_member_duties:{first.id}" in refs
        db.session.commit()
        again = collect_points(date(2024, 1, 1), date(2024, 12, 31), RULES)
        assert again["added"] == 0


def test_duty_service_is_recorded_by_hand_with_evidence(villages, tenant, in_tenant, org, add_member):
    with in_tenant(tenant):
        member = add_member(org("A"))
        rule = tenant_rules()["rural.duty_service"]
        assert rule.collect is None and rule.evidence_required and rule.yearly_cap == 24
        with pytest.raises(ApiError) as refused:
            ledger.record(member, rule, date(2024, 5, 1))
        assert "evidence" in refused.value.errors
        entry = ledger.record(member, rule, date(2024, 5, 1), evidence="调解邻里宅基地纠纷一起，附调解协议")
        assert entry.requested_points == 2 and entry.status == "pending"
