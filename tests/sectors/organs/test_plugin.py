"""The organs plugin as a whole: its attributes, its default standard, its point rules, its
demo data, and what disabling it hides (and keeps)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.assessment import registry
from core.db import db
from core.plugins import service as plugin_service
from core.points.models import PointEntry
from core.warnings import engine
from plugins.organs import service
from plugins.organs.models import Brand, BrandMilestone, BusinessGoal, ModelAssessment
from tests.sectors.organs.conftest import PLUGIN, org
from tests.support.auth import error_fields

BASE = "/api/v1/organs"


# -- attributes -------------------------------------------------------------------------------------


def test_attributes_through_the_orgs_api(client, tenant, organs_city, auth_headers):
    c = organs_city
    admin = auth_headers(tenant)
    url = f"/api/v1/orgs/{c['A']}"
    response = client.patch(url, headers=admin, json={"attributes": {
        "organ_name": "甲局", "staff_total": 10, "party_office_full_time": 8, "party_office_part_time": 5}})
    assert response.status_code == 422
    assert error_fields(response.get_json()) == {"attributes.party_office_full_time"}
    response = client.patch(url, headers=admin, json={"attributes": {"staff_total": -1}})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"attributes.staff_total"}
    response = client.patch(url, headers=admin, json={"attributes": {
        "organ_name": "甲局", "staff_total": 86, "party_office_full_time": 1, "party_office_head": "周海燕"}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["attributes"]["staff_total"] == 86
    # an organ unit keeps its staff and departments; an unknown key is refused
    response = client.post(f"{url}/units", headers=admin, json={
        "name": "甲局", "unit_type": "government_organ", "attributes": {"staff_total": 86, "internal_departments": 9}})
    assert response.status_code == 201, response.get_json()
    response = client.post(f"{url}/units", headers=admin, json={
        "name": "甲局", "unit_type": "government_organ", "attributes": {"rank": "正处"}})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"attributes.rank"}


# -- standard ---------------------------------------------------------------------------------------


def test_default_standard_is_valid_and_copies(sector_tenant, tenant, in_tenant):
    from core.assessment.standards import check_template, copy_template

    sector_tenant(PLUGIN)
    with in_tenant(tenant):
        template = registry.tenant_templates()["organs.organ_standard"]
        assert template.name == "机关党支部（模范机关）考核标准" and template.sector == PLUGIN
        assert check_template(template) == []
        own = sum(i.weight for i in template.items if i.indicator.startswith("organs."))
        assert own == 34 and sum(i.weight for i in template.items) == 100
        standard = copy_template("organs.organ_standard")
        db.session.commit()
        assert standard.name == template.name


# -- point rules -------------------------------------------------------------------------------------


def test_brand_milestone_points_are_collected_once(organs_city, tenant, in_tenant, add_member, collect_points):
    c = organs_city
    with in_tenant(tenant):
        lead, other = add_member(org(c["A"])), add_member(org(c["A"]))
        brand = service.create_brand(org(c["A"]), {"name": "红色账本", "status": "active",
                                                   "started_on": date(2023, 1, 1)})
        for title, due, done, who in (("挂牌", date(2024, 3, 1), date(2024, 2, 25), lead),
                                      ("宣讲", date(2024, 4, 1), date(2024, 4, 20), lead),  # late: no points
                                      ("评估", date(2024, 6, 1), date(2024, 5, 30), other),
                                      ("无人", date(2024, 6, 1), date(2024, 5, 30), None),
                                      ("未完成", date(2024, 7, 1), None, lead)):
            service.add_milestone(brand, org(c["A"]), {
                "title": title, "due_on": due, "done_on": done, "evidence": "佐证" if done else None,
                "responsible_member_id": who.id if who else None})
        db.session.commit()
        first = collect_points(date(2024, 1, 1), date(2024, 12, 31), ["organs.brand_milestone"])
        assert first["added"] == 2
        entries = db.session.execute(select(PointEntry.member_id, PointEntry.points, PointEntry.source_ref)
                                     .where(PointEntry.rule_key == "organs.brand_milestone")).all()
        assert {e.member_id for e in entries} == {lead.id, other.id}
        assert all(e.source_ref.startswith("organs_brand_milestones:") and e.points == 3 for e in entries)
        again = collect_points(date(2024, 1, 1), date(2024, 12, 31), ["organs.brand_milestone"])
        assert again["added"] == 0


def test_vanguard_post_is_recorded_by_hand_with_evidence(organs_city, tenant, in_tenant, add_member):
    from core.api.errors import ApiError
    from core.points import ledger
    from core.points.registry import tenant_rules

    c = organs_city
    with in_tenant(tenant):
        member = add_member(org(c["A"]))
        rule = tenant_rules()["organs.vanguard_post"]
        assert rule.collect is None and rule.evidence_required
        with pytest.raises(ApiError) as refused:
            ledger.record(member, rule, date(2024, 5, 1))
        assert set(refused.value.errors) == {"evidence"}
        entry = ledger.record(member, rule, date(2024, 5, 1), evidence="国库支付窗口党员先锋岗")
        assert entry.requested_points == 5


# -- demo -----------------------------------------------------------------------------------------------


def test_demo_data_once_with_results(sector_tenant, tenant, in_tenant, sweep, measure, score_of):
    from core.demo import data
    from plugins.organs.demo import ensure

    today = date(date.today().year - 1, 6, 15)  # the demo's day, in the past whenever the test runs
    sector_tenant(PLUGIN)
    with in_tenant(tenant):
        data.ensure_tree()
        data.ensure_members()
        said = ensure(today)
        db.session.commit()
        assert "市财政局机关党支部" in said and "财政为民·红色账本" in said
        counts = [db.session.scalar(select(func.count()).select_from(m))
                  for m in (Brand, BrandMilestone, ModelAssessment, BusinessGoal)]
        assert counts == [1, 5, 1, 4]
        assert ensure(today) is None
        db.session.commit()
        assert [db.session.scalar(select(func.count()).select_from(m))
                for m in (Brand, BrandMilestone, ModelAssessment, BusinessGoal)] == counts

        bureau = db.session.scalar(select(Brand.org_id))
        overdue = sweep("organs.brand_milestone_overdue", today)
        assert set(overdue) == {(bureau, None)} and overdue[(bureau, None)]["days"] == 20
        assert set(sweep("organs.business_goals_missed", today)) == {(bureau, None)}
        assert sweep("organs.party_staff_short", today) == {}
        assert sweep("organs.brand_missing", today) == {}

        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
        model = measure("organs.model_organ", [bureau], start, end)[bureau]
        assert model.value == 7
        integration = measure("organs.business_integration", [bureau], start, end)[bureau]
        assert integration.value == 75
        brand = measure("organs.brand", [bureau], start, end)[bureau]
        # due that year: two done on time, the overdue one and the evaluation (due in September)
        assert brand.value == 50 and brand.evidence["late"].startswith("“红色账本”进企业")
        staffing = measure("organs.party_office_staffing", [bureau], start, end)[bureau]
        assert staffing.value == 3
        finance = measure("organs.dues_finance", [bureau], start, end)[bureau]
        assert finance.value == 0  # core's demo assigns no 会计/出纳: shown as a shortfall
        assert score_of("organs.model_organ", model).points < 10


# -- disabling -------------------------------------------------------------------------------------------


def test_disabling_hides_and_keeps_everything(client, tenant, tenant_b, organs_city, in_tenant, auth_headers):
    from core.sdk import set_org_attributes

    c = organs_city
    with in_tenant(tenant):
        set_org_attributes(org(c["A"]), {"staff_total": 120, "party_office_full_time": 1})
        brand_id = service.create_brand(org(c["A"]), {"name": "红色账本"}).id
        db.session.commit()
        engine.sweep(date(2024, 5, 1), ["organs.brand_missing", "organs.party_staff_short"])
        db.session.commit()
    admin = auth_headers(tenant)

    def visible() -> dict:
        with in_tenant(tenant):
            indicators = {k for k in registry.tenant_indicators() if k.startswith("organs.")}
            templates = {k for k in registry.tenant_templates() if k.startswith("organs.")}
        warnings = client.get("/api/v1/warnings", headers=admin).get_json()
        return {
            "brands": client.get(f"{BASE}/brands", headers=admin).status_code,
            "brand": client.get(f"{BASE}/brands/{brand_id}", headers=admin).status_code,
            "overview": client.get(f"{BASE}/overview", headers=admin).status_code,
            "indicators": len(indicators), "templates": len(templates),
            "warnings": sorted({w["rule_key"] for w in warnings if w["rule_key"].startswith("organs.")}),
            "attributes": client.get(f"/api/v1/orgs/{c['A']}", headers=admin).get_json()["attributes"],
        }

    def enable(on: bool):
        with in_tenant(tenant):
            plugin_service.set_enabled(PLUGIN, on)
            db.session.commit()

    shown = visible()
    assert shown == {"brands": 200, "brand": 200, "overview": 200, "indicators": 5, "templates": 1,
                     "warnings": ["organs.brand_missing", "organs.party_staff_short"],
                     "attributes": {"staff_total": 120, "party_office_full_time": 1}}
    enable(False)
    assert visible() == {"brands": 404, "brand": 404, "overview": 404, "indicators": 0, "templates": 0,
                         "warnings": [], "attributes": {}}
    assert client.post(f"{BASE}/business-goals", headers=admin, json={
        "org_id": str(c["A"]), "year": 2024, "business_goal": "x"}).status_code == 404
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(Brand)) == 1
    enable(True)
    assert visible() == shown

    # a tenant that never enabled the plugin sees none of it
    other = auth_headers(tenant_b)
    assert client.get(f"{BASE}/brands", headers=other).status_code == 404
    assert client.get(f"{BASE}/brands/{brand_id}", headers=other).status_code == 404
    assert client.get(f"{BASE}/model-assessments/criteria", headers=other).status_code == 404
    with in_tenant(tenant_b):
        assert not any(key.startswith("organs.") for key in registry.tenant_indicators())
