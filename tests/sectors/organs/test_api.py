"""The organs API: who may read and write what, bad input named by field with nothing
written, state rules (one brand per organisation, evidence for a milestone done, decisions
kept for the committee), lists limited to what the user sees, and tenant walls."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from core.db import db
from core.plugins import service as plugin_service
from plugins.organs.models import Brand, BrandMilestone, BusinessGoal, ModelAssessment
from tests.sectors.organs.conftest import PLUGIN, org
from tests.support.auth import error_fields

BASE = "/api/v1/organs"
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


def _count(in_tenant, tenant, model) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def _brand_body(org_id, **fields):
    return {"org_id": str(org_id), "name": "财政为民·红色账本", "slogan": "算好民生账",
            "plan": "推进措施与运行机制", "status": "active", "started_on": "2024-01-01", **fields}


def test_brand_lifecycle_and_permissions(client, tenant, organs_city, auth_headers, in_tenant):
    c = organs_city
    secretary = auth_headers(tenant, role="branch_secretary", org=c["A"])
    response = client.post(f"{BASE}/brands", headers=secretary, json=_brand_body(c["A"]))
    assert response.status_code == 201, response.get_json()
    brand = response.get_json()
    assert brand["status_label"] == "创建中" and brand["milestones"] == []
    # one brand per organisation
    again = client.post(f"{BASE}/brands", headers=secretary, json=_brand_body(c["A"], name="第二个"))
    assert again.status_code == 409 and "org_id" in error_fields(again.get_json())
    # a member reads, cannot write; another branch's secretary does not see it at all
    member = auth_headers(tenant, role="member", org=c["A"])
    assert client.get(f"{BASE}/brands/{brand['id']}", headers=member).status_code == 200
    assert client.patch(f"{BASE}/brands/{brand['id']}", headers=member, json={"slogan": "x"}).status_code == 403
    assert client.post(f"{BASE}/brands", headers=member, json=_brand_body(c["B"])).status_code == 404
    other = auth_headers(tenant, role="branch_secretary", org=c["B"])
    assert client.get(f"{BASE}/brands/{brand['id']}", headers=other).status_code == 404
    assert client.patch(f"{BASE}/brands/{brand['id']}", headers=other, json={"slogan": "x"}).status_code == 404
    assert client.post(f"{BASE}/brands", headers=other, json=_brand_body(c["A"])).status_code == 404
    assert [b["name"] for b in client.get(f"{BASE}/brands", headers=other).get_json()] == []

    # milestones: one done needs evidence; a done one is not deleted
    url = f"{BASE}/brands/{brand['id']}/milestones"
    response = client.post(url, headers=secretary, json={"title": "挂牌", "due_on": "2024-03-01",
                                                          "done_on": "2024-02-20"})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"evidence"}
    response = client.post(url, headers=secretary, json={"title": "挂牌", "due_on": "2024-03-01",
                                                          "done_on": "2024-02-20", "evidence": "照片"})
    assert response.status_code == 201 and response.get_json()["on_time"] is True
    done = response.get_json()
    response = client.post(url, headers=secretary, json={"title": "宣讲", "due_on": "2024-04-01"})
    late = response.get_json()
    assert late["overdue"] is True and late["days_overdue"] == (date.today() - date(2024, 4, 1)).days
    assert client.delete(f"{url}/{done['id']}", headers=secretary).status_code == 409
    response = client.patch(f"{url}/{late['id']}", headers=secretary, json={"done_on": TOMORROW, "evidence": "x"})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"done_on"}
    response = client.patch(f"{url}/{late['id']}", headers=secretary, json={"due_on": "2023-12-01"})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"due_on"}
    listed = client.get(f"{BASE}/brands", headers=member).get_json()
    assert listed[0]["milestones_total"] == 2 and listed[0]["milestones_overdue"] == 1
    assert client.delete(f"{url}/{late['id']}", headers=secretary).status_code == 204
    assert client.delete(f"{url}/{late['id']}", headers=secretary).status_code == 404
    assert client.delete(f"{url}/not-an-id", headers=secretary).status_code == 404

    # recognition (命名示范品牌) is the committee's
    recognise = {"status": "recognised", "recognition": "市级示范品牌"}
    response = client.patch(f"{BASE}/brands/{brand['id']}", headers=secretary, json=recognise)
    assert response.status_code == 403
    manager = auth_headers(tenant, role="org_manager", org=c["W"])
    response = client.patch(f"{BASE}/brands/{brand['id']}", headers=manager, json={"status": "recognised"})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"recognition"}
    response = client.patch(f"{BASE}/brands/{brand['id']}", headers=manager, json=recognise)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["recognised_on"] == date.today().isoformat()
    # the secretary still edits the brand, but cannot withdraw the recognition
    assert client.patch(f"{BASE}/brands/{brand['id']}", headers=secretary, json={"slogan": "新口号"}).status_code == 200
    assert client.patch(f"{BASE}/brands/{brand['id']}", headers=secretary, json={"status": "active"}).status_code == 403
    with in_tenant(tenant):
        assert db.session.scalar(select(Brand.recognition)) == "市级示范品牌"


def test_bad_input_names_the_field_and_writes_nothing(client, tenant, organs_city, auth_headers, in_tenant,
                                                      make_org):
    c = organs_city
    admin = auth_headers(tenant)
    cases = [
        (_brand_body(c["A"], colour="red"), "colour"),
        (_brand_body(c["A"], status="famous"), "status"),
        (_brand_body(c["A"], name=""), "name"),
        (_brand_body(c["A"], started_on="soon"), "started_on"),
        (_brand_body(c["A"], started_on=TOMORROW), "started_on"),
        (_brand_body(c["A"], status="active", started_on=None), "started_on"),
        (_brand_body(c["A"], recognition="市级示范品牌"), "status"),
    ]
    for body, field in cases:
        response = client.post(f"{BASE}/brands", headers=admin, json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in error_fields(response.get_json()), (body, response.get_json())
    with in_tenant(tenant):
        other = make_org("别的领域支部").id  # not an organs organisation
        group = make_org("第一党小组", kind="group", parent=org(c["A"]), sector=PLUGIN).id
        db.session.commit()
    for org_id in (other, group):
        response = client.post(f"{BASE}/brands", headers=admin, json=_brand_body(org_id))
        assert response.status_code == 422 and error_fields(response.get_json()) == {"org_id"}
    assert client.post(f"{BASE}/brands", headers=admin, json=_brand_body(uuid.uuid4())).status_code == 404
    assert client.post(f"{BASE}/brands", headers=admin, json=_brand_body("nope")).status_code == 422
    assert _count(in_tenant, tenant, Brand) == 0

    response = client.post(f"{BASE}/business-goals", headers=admin, json={
        "org_id": str(c["A"]), "year": 1999, "business_goal": "x"})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"year"}
    response = client.post(f"{BASE}/business-goals", headers=admin, json={
        "org_id": str(c["A"]), "year": 2024, "business_goal": "x", "reviewed_on": TOMORROW})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"reviewed_on"}
    response = client.post(f"{BASE}/business-goals", headers=admin, json={
        "org_id": str(c["A"]), "year": 2024, "business_goal": "x", "status": "great"})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"status"}
    assert _count(in_tenant, tenant, BusinessGoal) == 0
    response = client.get(f"{BASE}/brands", headers=admin, query_string={"status": "nope"})
    assert response.status_code == 422 and error_fields(response.get_json()) == {"status"}
    assert client.get(f"{BASE}/brands", headers=admin, query_string={"org": str(uuid.uuid4())}).status_code == 404


def test_model_assessment(client, tenant, organs_city, auth_headers, in_tenant):
    c = organs_city
    secretary = auth_headers(tenant, role="branch_secretary", org=c["A"])
    criteria = client.get(f"{BASE}/model-assessments/criteria", headers=secretary).get_json()["criteria"]
    assert criteria[0] == "政治建设作表率" and len(criteria) == 8
    body = {"org_id": str(c["A"]), "year": 2024, "criteria": {"政治建设作表率": True, "勤俭节约": True}}
    response = client.post(f"{BASE}/model-assessments", headers=secretary, json=body)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"criteria"}
    assert "勤俭节约" in response.get_json()["message"]
    body["criteria"] = {"政治建设作表率": True, "作风建设": True}
    response = client.post(f"{BASE}/model-assessments", headers=secretary, json=body)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["met"] == 2 and made["total"] == 8 and made["criteria"]["纪律建设"] is False
    assert made["status"] == "self_assessed"
    again = client.post(f"{BASE}/model-assessments", headers=secretary, json=body)
    assert again.status_code == 409 and error_fields(again.get_json()) == {"year"}
    url = f"{BASE}/model-assessments/{made['id']}"
    response = client.patch(url, headers=secretary, json={"criteria": {**body["criteria"], "纪律建设": True}})
    assert response.status_code == 200 and response.get_json()["met"] == 3
    # recommending is the committee's; after it the self-assessment is frozen for the branch
    assert client.patch(url, headers=secretary, json={"status": "recommended"}).status_code == 403
    manager = auth_headers(tenant, role="org_manager", org=c["W"])
    response = client.patch(url, headers=manager, json={"status": "recommended", "decision_note": "推荐参评"})
    assert response.status_code == 200 and response.get_json()["decided_on"] == date.today().isoformat()
    response = client.patch(url, headers=secretary, json={"note": "补充"})
    assert response.status_code == 409 and error_fields(response.get_json()) == {"status"}
    assert client.patch(url, headers=manager, json={"status": "recognised"}).get_json()["status_label"] == "已命名模范机关"
    listed = client.get(f"{BASE}/model-assessments", headers=auth_headers(tenant, role="member", org=c["A"]),
                        query_string={"year": 2024, "status": "recognised"}).get_json()
    assert [a["id"] for a in listed] == [made["id"]]
    other = auth_headers(tenant, role="branch_secretary", org=c["B"])
    assert client.get(url, headers=other).status_code == 404
    assert client.get(f"{BASE}/model-assessments", headers=other).get_json() == []


def test_business_goals(client, tenant, organs_city, auth_headers, in_tenant):
    c = organs_city
    secretary = auth_headers(tenant, role="branch_secretary", org=c["A"])
    response = client.post(f"{BASE}/business-goals", headers=secretary, json={
        "org_id": str(c["A"]), "year": 2024, "business_goal": "惠企资金直达率 100%",
        "party_measure": "党员包联重点企业"})
    assert response.status_code == 201, response.get_json()
    goal = response.get_json()
    assert goal["status"] == "planned" and goal["reviewed_on"] is None
    url = f"{BASE}/business-goals/{goal['id']}"
    response = client.patch(url, headers=secretary, json={"status": "done", "result": "全部直达"})
    assert response.status_code == 200 and response.get_json()["reviewed_on"] == date.today().isoformat()
    client.post(f"{BASE}/business-goals", headers=secretary, json={
        "org_id": str(c["A"]), "year": 2023, "business_goal": "去年的"})
    member = auth_headers(tenant, role="member", org=c["A"])
    assert [g["year"] for g in client.get(f"{BASE}/business-goals", headers=member,
                                          query_string={"year": 2024}).get_json()] == [2024]
    assert client.delete(url, headers=member).status_code == 403
    other = auth_headers(tenant, role="branch_secretary", org=c["B"])
    assert client.delete(url, headers=other).status_code == 404
    assert client.delete(url, headers=secretary).status_code == 204
    assert client.get(url, headers=secretary).status_code == 404


def test_overview(client, tenant, organs_city, auth_headers, in_tenant):
    from core.sdk import set_org_attributes

    c = organs_city
    with in_tenant(tenant):
        set_org_attributes(org(c["A"]), {"organ_name": "甲局", "staff_total": 120, "party_office_full_time": 1})
        db.session.commit()
    admin = auth_headers(tenant)
    client.post(f"{BASE}/brands", headers=admin, json=_brand_body(c["B"]))
    rows = {r["org_name"]: r for r in client.get(f"{BASE}/overview", headers=admin).get_json()}
    assert set(rows) == {"甲局机关党支部", "乙局机关党支部", "丙局机关党支部", "丁局机关党委"}
    assert rows["甲局机关党支部"]["full_time_required"] == 2 and rows["甲局机关党支部"]["staffing_met"] is False
    assert rows["乙局机关党支部"]["brand_name"] == "财政为民·红色账本"
    assert rows["丙局机关党支部"]["staff_total"] is None and rows["丙局机关党支部"]["staffing_met"] is None
    secretary = auth_headers(tenant, role="branch_secretary", org=c["A"])
    assert [r["org_name"] for r in client.get(f"{BASE}/overview", headers=secretary).get_json()] == ["甲局机关党支部"]
    assert client.get(f"{BASE}/overview", headers=secretary, query_string={"org": str(c["B"])}).status_code == 404


def test_another_tenants_ids_are_404(client, tenant, tenant_b, organs_city, auth_headers, in_tenant):
    c = organs_city
    admin = auth_headers(tenant)
    brand = client.post(f"{BASE}/brands", headers=admin, json=_brand_body(c["A"])).get_json()
    goal = client.post(f"{BASE}/business-goals", headers=admin, json={
        "org_id": str(c["A"]), "year": 2024, "business_goal": "x"}).get_json()
    assessment = client.post(f"{BASE}/model-assessments", headers=admin, json={
        "org_id": str(c["A"]), "year": 2024}).get_json()
    with in_tenant(tenant_b):
        plugin_service.set_enabled(PLUGIN, True)
        db.session.commit()
    other = auth_headers(tenant_b)
    assert client.get(f"{BASE}/brands/{brand['id']}", headers=other).status_code == 404
    assert client.patch(f"{BASE}/business-goals/{goal['id']}", headers=other, json={"status": "done"}).status_code == 404
    assert client.get(f"{BASE}/model-assessments/{assessment['id']}", headers=other).status_code == 404
    assert client.post(f"{BASE}/brands", headers=other, json=_brand_body(c["B"])).status_code == 404
    assert client.get(f"{BASE}/brands", headers=other).get_json() == []
    assert _count(in_tenant, tenant_b, BrandMilestone) == 0 and _count(in_tenant, tenant_b, ModelAssessment) == 0
