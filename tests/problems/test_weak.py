"""Weak-and-lax organisations (软弱涣散): designated by the level above, rectified, de-listed
only once every linked problem is closed; one designation at a time, history kept."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from core.db import db
from core.problems.models import WeakDesignation, WeakEvent
from tests.problems.conftest import add_text_evidence
from tests.support.auth import error_fields


def _body(org_id, **changes) -> dict:
    body = {"org_id": str(org_id), "year": 2025, "reason_category": "组织生活不正常",
            "description": "全年仅召开2次支委会", "rectification_plan": "三个月内完成整顿",
            "leader_name": "王局长", "instructor_name": "赵指导员"}
    body.update(changes)
    return body


def _close(client, tenant, login, pid):
    secretary = login(tenant, "branch_secretary", "X")
    client.post(f"/api/v1/problems/{pid}/start", headers=secretary, json={})
    add_text_evidence(client, secretary, pid)
    client.post(f"/api/v1/problems/{pid}/submit", headers=secretary, json={"rectification": "已整改"})
    response = client.post(f"/api/v1/problems/{pid}/approve", headers=login(tenant, "org_manager", "C1"), json={})
    assert response.status_code == 200, response.get_json()


def test_designation_to_delisting(client, tenant, city, login, new_problem, in_tenant):
    c1 = login(tenant, "org_manager", "C1")
    secretary = login(tenant, "branch_secretary", "X")
    first = new_problem(c1, city["X"], title="支委会不按期召开")
    for headers in (secretary, login(tenant, "org_manager", "X")):
        response = client.post("/api/v1/problems/weak-orgs", headers=headers, json=_body(city["X"]))
        assert response.status_code == 403, response.get_json()
    response = client.post("/api/v1/problems/weak-orgs", headers=c1,
                           json=_body(city["X"], problem_ids=[first["id"]]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    wid = body["id"]
    assert body["status"] == "designated" and body["status_label"] == "已认定"
    assert body["leader_name"] == "王局长" and body["instructor_name"] == "赵指导员"
    assert [p["id"] for p in body["problems"]] == [first["id"]]
    # a second problem linked at creation
    second = new_problem(c1, city["X"], title="党员管理松散", designation_id=wid)
    assert second["designation_id"] == wid

    response = client.post(f"/api/v1/problems/weak-orgs/{wid}/delist", headers=c1, json={})
    assert response.status_code == 409  # not rectifying yet
    response = client.post(f"/api/v1/problems/weak-orgs/{wid}/start", headers=secretary, json={"comment": "开始整顿"})
    assert response.status_code == 200 and response.get_json()["status"] == "rectifying"

    _close(client, tenant, login, first["id"])
    response = client.post(f"/api/v1/problems/weak-orgs/{wid}/delist", headers=c1, json={"comment": "验收"})
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert "1 个关联问题未销号" in body["message"] and "党员管理松散" in body["message"]
    assert body["errors"]["problems"] == [f"{second['id']}: 党员管理松散"]
    with in_tenant(tenant):
        row = db.session.scalar(select(WeakDesignation).where(WeakDesignation.id == uuid.UUID(wid)))
        assert row.status == "rectifying" and row.delisted_on is None
        assert db.session.scalar(select(func.count()).select_from(WeakEvent).where(
            WeakEvent.kind == "delisted")) == 0

    _close(client, tenant, login, second["id"])
    assert client.post(f"/api/v1/problems/weak-orgs/{wid}/delist", headers=secretary, json={}).status_code == 403
    response = client.post(f"/api/v1/problems/weak-orgs/{wid}/delist", headers=c1, json={"comment": "验收合格"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "delisted" and body["delisted_on"] and body["delisting_comment"] == "验收合格"
    assert [(e["kind"], e["to_status"], e["label"]) for e in body["events"]] == [
        ("designated", "designated", "认定为软弱涣散党组织"), ("started", "rectifying", "开始整顿"),
        ("delisted", "delisted", "摘帽销号")]

    # designated again later: the history keeps both
    response = client.post("/api/v1/problems/weak-orgs", headers=c1, json=_body(city["X"], year=2026,
                                                                                reason_category="书记不胜任"))
    assert response.status_code == 201, response.get_json()
    history = response.get_json()["history"]
    assert [(h["year"], h["status"]) for h in history] == [(2026, "designated"), (2025, "delisted")]


def test_one_designation_at_a_time(client, tenant, city, login):
    c1 = login(tenant, "org_manager", "C1")
    assert client.post("/api/v1/problems/weak-orgs", headers=c1, json=_body(city["Y"])).status_code == 201
    response = client.post("/api/v1/problems/weak-orgs", headers=c1, json=_body(city["Y"], year=2026))
    assert response.status_code == 409 and "org_id" in error_fields(response.get_json())


def test_bad_designations_name_the_field(client, tenant, city, login, new_problem, in_tenant):
    c1 = login(tenant, "org_manager", "C1")
    y_problem = new_problem(c1, city["Y"])
    cases = [
        ({"reason_category": "看不顺眼"}, "reason_category"),
        ({"year": 1990}, "year"),
        ({"year": "二〇二五"}, "year"),
        ({"designated_on": "2999-01-01"}, "designated_on"),
        ({"problem_ids": [y_problem["id"]]}, "problem_ids.0"),
        ({"problem_ids": ["nope"]}, "problem_ids"),
        ({"reason_category": None}, "reason_category"),
    ]
    for changes, field in cases:
        response = client.post("/api/v1/problems/weak-orgs", headers=c1, json=_body(city["X"], **changes))
        assert response.status_code == 422, (changes, response.get_json())
        fields = error_fields(response.get_json())
        assert field in fields or field.split(".")[0] in fields, (changes, response.get_json())
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(WeakDesignation)) == 0
    # the tenant's own reasons
    admin = login(tenant, "tenant_admin")
    client.put("/api/v1/problems/settings", headers=admin, json={"weak_reason_categories": ["集体经济薄弱"]})
    assert client.post("/api/v1/problems/weak-orgs", headers=c1,
                       json=_body(city["X"], reason_category="集体经济薄弱")).status_code == 201


def test_root_designated_by_a_tenant_admin(client, tenant, city, login):
    response = client.post("/api/v1/problems/weak-orgs", headers=login(tenant, "org_manager", "R"),
                           json=_body(city["R"]))
    assert response.status_code == 403
    assert client.post("/api/v1/problems/weak-orgs", headers=login(tenant, "tenant_admin"),
                       json=_body(city["R"])).status_code == 201


def test_list_scope_edit_and_tenant_isolation(client, tenant, tenant_b, city, login, auth_headers):
    admin = login(tenant, "tenant_admin")
    x = client.post("/api/v1/problems/weak-orgs", headers=admin, json=_body(city["X"])).get_json()
    client.post("/api/v1/problems/weak-orgs", headers=admin, json=_body(city["Z"], year=2024))
    c1 = login(tenant, "org_manager", "C1")
    listed = client.get("/api/v1/problems/weak-orgs", headers=c1).get_json()
    assert [d["org_name"] for d in listed] == ["X支部"]
    assert len(client.get("/api/v1/problems/weak-orgs", headers=admin, query_string={"year": 2024}).get_json()) == 1
    assert len(client.get("/api/v1/problems/weak-orgs", headers=admin,
                          query_string={"active": "false"}).get_json()) == 0
    assert client.get("/api/v1/problems/weak-orgs", headers=c1,
                      query_string={"org": str(city["Z"])}).status_code == 404

    url = f"/api/v1/problems/weak-orgs/{x['id']}"
    response = client.patch(url, headers=c1, json={"version": 1, "rectification_plan": "新的方案"})
    assert response.status_code == 200 and response.get_json()["version"] == 2
    response = client.patch(url, headers=c1, json={"version": 1, "leader_name": "过期"})
    assert response.status_code == 409 and "version" in error_fields(response.get_json())
    response = client.patch(url, headers=login(tenant, "branch_secretary", "X"),
                            json={"version": 2, "leader_name": "自己改"})
    assert response.status_code == 403

    admin_b = auth_headers(tenant_b)
    assert client.get(url, headers=admin_b).status_code == 404
    assert client.post(f"{url}/start", headers=admin_b, json={}).status_code == 404
    assert client.post(f"{url}/delist", headers=admin_b, json={}).status_code == 404
    assert client.get("/api/v1/problems/weak-orgs", headers=admin_b).get_json() == []
    assert client.post("/api/v1/problems/weak-orgs", headers=admin_b, json=_body(city["Y"])).status_code == 404
