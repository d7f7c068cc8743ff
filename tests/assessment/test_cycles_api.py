"""The cycles API: opening, the run as a job, results with the breakdown adding up, review,
publish and reopen, members, settings; who sees and may do what; bad input as 4xx naming
the field; another tenant's ids as 404."""

from __future__ import annotations

import json
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import inspect

from core.db import db
from tests.assessment import cycle_helpers as h
from tests.support.auth import error_fields

D = Decimal


@pytest.fixture
def city(tenant, in_tenant, indicator_plugin):
    """R → C1 → A (5 full), B (2 full, 1 lost contact), C (10 full, no contact/phone);
    R → C2 → D (no members). Scores after a run: C 70, A 65, B 54, D 30."""
    tenant_id = inspect(tenant).identity[0]  # the Tenant may be detached by a login already
    indicator_plugin(h.CT_INDICATORS, tenants=[tenant_id])
    with in_tenant(tenant_id):
        ids = h.build_city()
        ids["broken"] = h.make_standard("坏标准", weights={"ct.broken": 50, "ct.members": 50}).id
        db.session.commit()
        return {k: str(v) for k, v in ids.items()}


@pytest.fixture
def admin(tenant, auth_headers):
    return auth_headers(tenant)


def _open(client, headers, city, **body):
    body = {"name": "2024年度考核", "period": "year", "year": 2024, "root_org_id": city["R"],
            "standard_ids": [city["standard"]], **body}
    response = client.post("/api/v1/cycles", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _run(client, headers, cycle_id, run_jobs):
    response = client.post(f"/api/v1/cycles/{cycle_id}/run", headers=headers)
    assert response.status_code == 202, response.get_json()
    run_jobs()
    job = client.get(response.headers["Location"], headers=headers).get_json()
    return response.get_json(), job


@pytest.fixture
def evaluated(client, admin, city, run_jobs):
    cycle = _open(client, admin, city)
    _, job = _run(client, admin, cycle["id"], run_jobs)
    assert job["state"] == "finished", job
    return cycle["id"]


def _breakdown_sum(detail) -> Decimal:
    return sum((D(line["points"]) for line in detail["breakdown"]), D(0))


def test_open_run_and_read_results(client, admin, city, run_jobs):
    cycle = _open(client, admin, city)
    assert cycle["state"] == "open" and cycle["starts_on"] == "2024-01-01" and cycle["ends_on"] == "2024-12-31"
    assert [s["version"] for s in cycle["standards"]] == [1] and cycle["can_assess"] is True
    started, job = _run(client, admin, cycle["id"], run_jobs)
    assert started["name"] == "assessment.run_cycle" and started["id"] == job["id"]
    assert job["state"] == "finished" and job["progress"] == 100
    assert job["result"]["orgs"] == 4 and job["result"]["cycle_id"] == cycle["id"]

    shown = client.get(f"/api/v1/cycles/{cycle['id']}", headers=admin).get_json()
    assert shown["state"] == "evaluated" and shown["run_summary"]["orgs"] == 4

    response = client.get(f"/api/v1/cycles/{cycle['id']}/results", headers=admin)
    assert response.status_code == 200
    rows = response.get_json()
    assert [(r["org_code"], r["score"], r["stars"]) for r in rows] == [
        ("C", "70.00", 3), ("A", "65.00", 2), ("B", "54.00", 1), ("D", "30.00", 1)]
    assert json.loads(response.headers["X-Pagination"])["total"] == 4
    assert rows[0]["rank_peers"] == 1 and rows[0]["peers_count"] == 4 and rows[0]["change"] == "new"

    def codes(**query):
        found = client.get(f"/api/v1/cycles/{cycle['id']}/results", query_string=query, headers=admin)
        assert found.status_code == 200, found.get_json()
        return [r["org_code"] for r in found.get_json()]

    assert codes(stars=1) == ["B", "D"]
    assert codes(org_id=city["C1"]) == ["C", "A", "B"]
    assert codes(kind="committee") == []
    assert codes(page=2, page_size=3) == ["D"]

    detail = client.get(f"/api/v1/cycles/{cycle['id']}/results/{city['A']}", headers=admin).get_json()
    assert detail["standard_name"] == "测试标准" and detail["standard_version"] == 1
    assert [line["key"] for line in detail["breakdown"]] == ["ct.members", "ct.size", "ct.records", "ct.lost", "ct.review"]
    assert detail["breakdown"][0]["evidence"] == {"members": 5}
    assert _breakdown_sum(detail) == D(detail["score"]) == D(65)
    assert detail["notes"] == ["得分 65，不低于 60 分，评为 2 星"]


def test_review_through_the_api_keeps_the_breakdown_adding_up(client, admin, city, evaluated):
    base = f"/api/v1/cycles/{evaluated}/results/{city['A']}"
    response = client.put(f"{base}/manual/ct.review", json={"points": "19.5", "reason": "群众评价好"}, headers=admin)
    assert response.status_code == 200, response.get_json()
    detail = response.get_json()
    assert detail["score"] == "84.50" and detail["stars"] == 4
    assert detail["manual_scores"][0]["points"] == "19.50" and detail["manual_scores"][0]["entered_by"].startswith("user:")

    response = client.post(f"{base}/adjustments", json={"points": 20, "reason": "获评省级示范"}, headers=admin)
    assert response.status_code == 201
    adjustment = response.get_json()
    detail = client.get(base, headers=admin).get_json()
    assert detail["score"] == "100.00" and detail["clamp"] == "-4.50"
    assert [line["kind"] for line in detail["breakdown"][-2:]] == ["adjustment", "clamp"]
    assert detail["breakdown"][-1]["name"] == "调整"
    assert _breakdown_sum(detail) == D(100)

    response = client.put(f"{base}/veto", json={"reason": "发生严重违纪违法案件", "note": "案件"}, headers=admin)
    assert response.status_code == 200 and response.get_json()["reason"] == "发生严重违纪违法案件"
    detail = client.get(base, headers=admin).get_json()
    assert detail["stars"] == 1 and detail["vetoed"] and detail["veto"]["note"] == "案件"
    assert client.delete(f"{base}/veto", headers=admin).status_code == 204
    assert client.delete(f"{base}/adjustments/{adjustment['id']}", headers=admin).status_code == 204
    detail = client.get(base, headers=admin).get_json()
    assert (detail["score"], detail["stars"], detail["veto"], detail["adjustments"]) == ("84.50", 4, None, [])
    assert _breakdown_sum(detail) == D("84.5")
    assert client.delete(f"{base}/adjustments/{adjustment['id']}", headers=admin).status_code == 404

    # the other organisations were re-ranked without a re-run
    rows = client.get(f"/api/v1/cycles/{evaluated}/results", headers=admin).get_json()
    assert [r["org_code"] for r in rows][:2] == ["A", "C"]


def test_publish_reopen_and_optimistic_version(client, admin, city, evaluated):
    cycle = client.get(f"/api/v1/cycles/{evaluated}", headers=admin).get_json()
    stale = client.post(f"/api/v1/cycles/{evaluated}/publish", json={"version": cycle["version"] - 1}, headers=admin)
    assert stale.status_code == 409 and "version" in error_fields(stale.get_json())
    published = client.post(f"/api/v1/cycles/{evaluated}/publish", json={"version": cycle["version"]}, headers=admin)
    assert published.status_code == 200 and published.get_json()["state"] == "published"
    again = client.post(f"/api/v1/cycles/{evaluated}/publish", json={}, headers=admin)
    assert again.status_code == 409
    assert client.post(f"/api/v1/cycles/{evaluated}/run", headers=admin).status_code == 409
    refused = client.post(f"/api/v1/cycles/{evaluated}/results/{city['A']}/adjustments",
                          json={"points": 1, "reason": "x"}, headers=admin)
    assert refused.status_code == 409
    no_reason = client.post(f"/api/v1/cycles/{evaluated}/reopen", json={}, headers=admin)
    assert no_reason.status_code == 422 and error_fields(no_reason.get_json()) == {"reason"}
    reopened = client.post(f"/api/v1/cycles/{evaluated}/reopen", json={"reason": "复核"}, headers=admin)
    assert reopened.status_code == 200
    assert (reopened.get_json()["state"], reopened.get_json()["reopen_reason"]) == ("evaluated", "复核")
    # every transition is in the audit log, with who made it
    log = client.get("/api/v1/audit", query_string={"object_type": "assessment_cycles", "object_id": evaluated},
                     headers=admin).get_json()["items"]
    moves = [(e["after"]["state"], e["actor_label"].split(":")[0]) for e in log
             if e["action"] == "update" and "state" in (e["changed"] or [])]
    assert moves == [("evaluated", "user"), ("published", "user"), ("evaluated", "job")]
    assert [e["action"] for e in log][-1] == "create"


def test_a_failed_run_is_a_failed_job_naming_the_indicator(client, admin, city, run_jobs):
    cycle = _open(client, admin, city, standard_ids=[city["broken"]])
    _, job = _run(client, admin, cycle["id"], run_jobs)
    assert job["state"] == "failed"
    assert "ct.broken" in job["error"] and "坏指标" in job["error"]
    shown = client.get(f"/api/v1/cycles/{cycle['id']}", headers=admin).get_json()
    assert shown["state"] == "open" and shown["run_summary"] is None
    assert client.get(f"/api/v1/cycles/{cycle['id']}/results", headers=admin).get_json() == []


def test_who_sees_and_who_may_act(client, tenant, auth_headers, city, evaluated, admin):
    manager_root = auth_headers(tenant, role="org_manager", org=UUID(city["R"]))
    manager_c1 = auth_headers(tenant, role="org_manager", org=UUID(city["C1"]))
    secretary_a = auth_headers(tenant, role="branch_secretary", org=UUID(city["A"]))
    member_d = auth_headers(tenant, role="member", org=UUID(city["D"]))
    base = f"/api/v1/cycles/{evaluated}"

    # before publication: assessors only
    assert client.get(base, headers=manager_root).get_json()["can_assess"] is True
    for headers in (manager_c1, secretary_a, member_d):
        assert client.get(base, headers=headers).status_code == 404
        assert client.get(f"{base}/results", headers=headers).status_code == 404
        assert client.post(f"{base}/run", headers=headers).status_code == 404
        assert client.get("/api/v1/cycles", headers=headers).get_json() == []
    adjusted = client.post(f"{base}/results/{city['B']}/adjustments", json={"points": 2, "reason": "加分"},
                           headers=manager_root)
    assert adjusted.status_code == 201
    assert client.post(f"{base}/publish", json={}, headers=manager_root).status_code == 200

    # after: everyone sees the results of what they see, and acts on nothing
    shown = client.get(base, headers=secretary_a)
    assert shown.status_code == 200 and shown.get_json()["can_assess"] is False
    assert [c["id"] for c in client.get("/api/v1/cycles", headers=secretary_a).get_json()] == [evaluated]
    assert [r["org_code"] for r in client.get(f"{base}/results", headers=secretary_a).get_json()] == ["A"]
    assert [r["org_code"] for r in client.get(f"{base}/results", headers=manager_c1).get_json()] == ["C", "A", "B"]
    assert [r["org_code"] for r in client.get(f"{base}/results", headers=member_d).get_json()] == ["D"]
    assert client.get(f"{base}/results/{city['A']}", headers=secretary_a).status_code == 200
    assert client.get(f"{base}/results/{city['B']}", headers=secretary_a).status_code == 404
    members = client.get(f"{base}/members", headers=secretary_a).get_json()
    assert len(members) == 5 and {m["org_name"] for m in members} == {"A组织"}
    for method, path, body in (
        ("post", f"{base}/reopen", {"reason": "x"}),
        ("post", f"{base}/run", None),
        ("put", f"{base}/results/{city['A']}/veto", {"reason": "发生严重违纪违法案件"}),
        ("post", f"{base}/results/{city['A']}/adjustments", {"points": 5, "reason": "x"}),
    ):
        assert client.open(path, method=method.upper(), json=body, headers=manager_c1).status_code == 403
    # opening a cycle needs org_manager on its root
    denied = client.post("/api/v1/cycles", json={"name": "支部考核", "period": "year", "year": 2024,
                                                 "root_org_id": city["A"]}, headers=secretary_a)
    assert denied.status_code == 403
    unseen = client.post("/api/v1/cycles", json={"name": "x", "period": "year", "year": 2024,
                                                 "root_org_id": city["C2"]}, headers=manager_c1)
    assert unseen.status_code == 422 and error_fields(unseen.get_json()) == {"root_org_id"}
    assert client.get("/api/v1/cycles/settings", headers=manager_root).status_code == 403


def test_another_tenants_cycle_is_404(client, tenant_b, auth_headers, city, evaluated):
    other = auth_headers(tenant_b)
    base = f"/api/v1/cycles/{evaluated}"
    for method, path in (("get", base), ("get", f"{base}/results"), ("get", f"{base}/members"),
                         ("get", f"{base}/results/{city['A']}"), ("post", f"{base}/run"),
                         ("post", f"{base}/publish")):
        response = client.open(path, method=method.upper(), json={}, headers=other)
        assert response.status_code == 404, (method, path)
    assert client.get("/api/v1/cycles", headers=other).get_json() == []


def test_bad_input_is_a_4xx_naming_the_field(client, admin, city, evaluated):
    response = client.post("/api/v1/cycles", json={}, headers=admin)
    assert response.status_code == 422
    assert error_fields(response.get_json()) == {"name", "period", "year", "root_org_id"}
    for body, field in (
        ({"period": "half", "part": 3}, "part"),
        ({"period": "month"}, "period"),
        ({"year": 1990}, "year"),
        ({"root_org_id": "not-an-id"}, "root_org_id"),
        ({"standard_ids": ["4f1c4e36-1111-4a4a-9a9a-000000000000"]}, "standard_ids.0"),
        ({"standard_ids": []}, "standard_ids"),
    ):
        payload = {"name": "x", "period": "year", "year": 2024, "root_org_id": city["R"], **body}
        refused = client.post("/api/v1/cycles", json=payload, headers=admin)
        assert refused.status_code == 422, (body, refused.get_json())
        assert field in error_fields(refused.get_json()), (body, refused.get_json())

    base = f"/api/v1/cycles/{evaluated}/results/{city['A']}"
    for method, path, body, field in (
        ("put", f"{base}/manual/ct.review", {"points": "abc", "reason": "x"}, "points"),
        ("put", f"{base}/manual/ct.review", {"points": 25, "reason": "x"}, "points"),
        ("put", f"{base}/manual/ct.review", {"points": 5}, "reason"),
        ("put", f"{base}/manual/ct.size", {"points": 5, "reason": "x"}, "indicator_key"),
        ("post", f"{base}/adjustments", {"points": 0, "reason": "x"}, "points"),
        ("post", f"{base}/adjustments", {"points": 5, "reason": ""}, "reason"),
        ("put", f"{base}/veto", {"reason": "迟到"}, "reason"),
        ("put", f"{base}/veto", {}, "reason"),
        ("put", f"{base}/veto", {"reason": "发生严重违纪违法案件\x00"}, "reason"),
        ("put", f"{base}/manual/%00", {"points": 5, "reason": "x"}, "indicator_key"),
    ):
        refused = client.open(path, method=method.upper(), json=body, headers=admin)
        assert refused.status_code == 422, (path, body, refused.get_json())
        assert error_fields(refused.get_json()) == {field}, (path, body, refused.get_json())
    assert client.get(base, headers=admin).get_json()["score"] == "65.00"  # nothing written
    outside = f"/api/v1/cycles/{evaluated}/results/{city['C1']}"
    assert client.post(f"{outside}/adjustments", json={"points": 5, "reason": "x"}, headers=admin).status_code == 404
    assert client.get(outside, headers=admin).status_code == 404
    assert client.get("/api/v1/cycles/not-an-id", headers=admin).status_code == 404


def test_settings(client, admin):
    response = client.get("/api/v1/cycles/settings", headers=admin)
    assert response.status_code == 200
    body = response.get_json()
    assert body["star_thresholds"] == ["90.00", "80.00", "70.00", "60.00"]
    assert body["fortress_formula"] == "score" and body["overridden"] == []
    refused = client.put("/api/v1/cycles/settings", json={"fortress_formula": "score +"}, headers=admin)
    assert refused.status_code == 422 and "fortress_formula" in error_fields(refused.get_json())
    refused = client.put("/api/v1/cycles/settings", json={"vanguard_formula": "nobody * 2"}, headers=admin)
    assert refused.status_code == 422 and "vanguard_formula" in error_fields(refused.get_json())
    refused = client.put("/api/v1/cycles/settings", json={"no_such": 1}, headers=admin)
    assert refused.status_code == 422 and "no_such" in error_fields(refused.get_json())
    refused = client.put("/api/v1/cycles/settings", data="[]", headers={**admin, "Content-Type": "application/json"})
    assert refused.status_code == 422
    saved = client.put("/api/v1/cycles/settings", json={"five_star_cap": "0.2", "vanguard_formula": "points * 2"},
                       headers=admin)
    assert saved.status_code == 200
    body = saved.get_json()
    assert body["five_star_cap"] == "0.2000" and body["overridden"] == ["five_star_cap", "vanguard_formula"]
    assert client.get("/api/v1/cycles/settings", headers=admin).get_json()["vanguard_formula"] == "points * 2"


def test_members_and_their_vanguard_index(client, admin, city, evaluated):
    response = client.get(f"/api/v1/cycles/{evaluated}/members", query_string={"org_id": city["B"]}, headers=admin)
    assert response.status_code == 200
    rows = response.get_json()
    assert len(rows) == 3
    assert [r["exempt"] for r in rows] == [False, False, True]  # the lost-contact member last
    assert rows[-1]["vanguard_index"] is None and rows[-1]["rank_in_branch"] is None
    assert all(r["branch_size"] == 2 for r in rows)
    everyone = client.get(f"/api/v1/cycles/{evaluated}/members", query_string={"page_size": 100}, headers=admin)
    assert json.loads(everyone.headers["X-Pagination"])["total"] == 18
