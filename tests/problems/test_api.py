"""The problems API around the flow: who records what, what a list shows, filters, bad
input naming its field with nothing written, tenant isolation, problems from warnings."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from core.db import db
from core.db.mixins import utcnow
from core.problems.models import Problem, ProblemEvent
from core.warnings.models import Warning
from tests.dues.conftest import new_member
from tests.problems.conftest import problem_body
from tests.support.auth import error_fields


def _count(in_tenant, tenant, model=Problem) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def test_who_may_record(client, tenant, city, login):
    secretary = login(tenant, "branch_secretary", "X")
    response = client.post("/api/v1/problems", headers=secretary, json=problem_body(city["X"]))
    assert response.status_code == 403
    response = client.post("/api/v1/problems", headers=secretary,
                           json=problem_body(city["X"], source="self", title="自查：党费台账不全"))
    assert response.status_code == 201, response.get_json()
    # a branch secretary of X cannot record even a self-found problem of Y: not seen → 404
    response = client.post("/api/v1/problems", headers=secretary, json=problem_body(city["Y"], source="self"))
    assert response.status_code == 404
    assert client.post("/api/v1/problems", headers=login(tenant, "member", "X"),
                       json=problem_body(city["X"], source="self")).status_code == 403
    c1 = login(tenant, "org_manager", "C1")
    assert client.post("/api/v1/problems", headers=c1, json=problem_body(city["Y"])).status_code == 201
    assert client.post("/api/v1/problems", headers=c1, json=problem_body(city["Z"])).status_code == 404
    assert client.post("/api/v1/problems", json=problem_body(city["X"]),
                       headers={"X-Tenant": "alpha"}).status_code == 401


def test_self_problem_corrected_by_its_secretary_others_not(client, tenant, city, login, new_problem):
    secretary = login(tenant, "branch_secretary", "X")
    own = new_problem(secretary, city["X"], source="self")
    response = client.patch(f"/api/v1/problems/{own['id']}", headers=secretary,
                            json={"version": 1, "description": "补充说明"})
    assert response.status_code == 200, response.get_json()
    other = new_problem(login(tenant, "org_manager", "C1"), city["X"])
    response = client.patch(f"/api/v1/problems/{other['id']}", headers=secretary,
                            json={"version": 1, "description": "想改"})
    assert response.status_code == 403


def test_list_shows_only_what_the_user_sees_with_filters(client, tenant, city, login, new_problem):
    admin = login(tenant, "tenant_admin")
    x1 = new_problem(admin, city["X"], title="X的问题", source="inspection")
    new_problem(admin, city["Y"], title="Y的问题", source="report")
    z = new_problem(admin, city["Z"], title="Z的问题", source="inspection")
    late = new_problem(admin, city["X"], title="X逾期", found_on="2024-03-01", deadline="2024-04-01")

    def titles(headers, **query):
        response = client.get("/api/v1/problems", headers=headers, query_string=query)
        assert response.status_code == 200, response.get_json()
        return sorted(p["title"] for p in response.get_json())

    assert titles(admin) == ["X的问题", "X逾期", "Y的问题", "Z的问题"]
    c1 = login(tenant, "org_manager", "C1")
    assert titles(c1) == ["X的问题", "X逾期", "Y的问题"]
    assert titles(login(tenant, "member", "X")) == ["X的问题", "X逾期"]
    assert titles(admin, org=str(city["C1"])) == ["X的问题", "X逾期", "Y的问题"]
    assert titles(admin, org=str(city["X"]), source="inspection") == ["X的问题", "X逾期"]
    assert titles(admin, overdue="true") == ["X逾期"]
    assert "X逾期" not in titles(admin, overdue="false")
    assert titles(admin, year=2024) == ["X逾期"]
    assert titles(admin, status="open", org=str(city["Y"])) == ["Y的问题"]
    assert client.get("/api/v1/problems", headers=c1, query_string={"org": str(city["Z"])}).status_code == 404
    listed = client.get("/api/v1/problems", headers=admin, query_string={"overdue": "true"}).get_json()
    assert listed[0]["id"] == late["id"] and listed[0]["overdue"] is True
    assert listed[0]["days_overdue"] == (date.today() - date(2024, 4, 1)).days
    response = client.get("/api/v1/problems", headers=admin, query_string={"page_size": 2})
    assert len(response.get_json()) == 2 and '"total": 4' in response.headers["X-Pagination"]
    # a problem of Z is 404 for C1's manager, like an unknown id
    assert client.get(f"/api/v1/problems/{z['id']}", headers=c1).status_code == 404
    assert client.get(f"/api/v1/problems/{x1['id']}", headers=c1).status_code == 200


def test_bad_input_names_the_field_and_writes_nothing(client, tenant, city, login, in_tenant):
    admin = login(tenant, "tenant_admin")
    cases = [
        ({"source": "gossip"}, "source"),
        ({"category": "不存在的类别"}, "category"),
        ({"deadline": "soon"}, "deadline"),
        ({"title": ""}, "title"),
        ({"title": "记录\u0000不全"}, "title"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"found_on": (date.today() + timedelta(days=3)).isoformat()}, "found_on"),
        ({"found_on": "2025-05-01", "deadline": "2025-04-01"}, "deadline"),
        ({"responsible_member_id": str(uuid.uuid4())}, "responsible_member_id"),
        ({"designation_id": str(uuid.uuid4())}, "designation_id"),
        ({"source": "warning", "source_ref": "not-a-warning", "org_id": None}, "source_ref"),
        ({"source": "warning", "source_ref": str(uuid.uuid4()), "org_id": None}, "source_ref"),
        ({"source": "warning", "org_id": None}, "source_ref"),
        ({"org_id": None}, "org_id"),
    ]
    for changes, field in cases:
        response = client.post("/api/v1/problems", headers=admin, json=problem_body(city["X"], **changes))
        assert response.status_code == 422, (changes, response.get_json())
        assert field in error_fields(response.get_json()), (changes, response.get_json())
    assert _count(in_tenant, tenant) == 0
    assert _count(in_tenant, tenant, ProblemEvent) == 0


def test_responsible_member_must_belong_to_the_org(client, tenant, city, login, in_tenant):
    admin = login(tenant, "tenant_admin")
    with in_tenant(tenant):
        inside = new_member(city["X"], name="李四")
        outside = new_member(city["Z"], name="王五")
        db.session.commit()
        inside_id, outside_id = str(inside.id), str(outside.id)
    response = client.post("/api/v1/problems", headers=admin,
                           json=problem_body(city["X"], responsible_member_id=outside_id))
    assert response.status_code == 422 and "responsible_member_id" in error_fields(response.get_json())
    response = client.post("/api/v1/problems", headers=admin,
                           json=problem_body(city["C1"], category="组织建设", responsible_member_id=inside_id,
                                             responsible_name=None))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["responsible_name"] == "李四"


def test_another_tenants_ids_are_404(client, tenant, tenant_b, city, login, new_problem, auth_headers):
    admin_a = login(tenant, "tenant_admin")
    problem = new_problem(admin_a, city["X"])
    admin_b = auth_headers(tenant_b)
    pid = problem["id"]
    assert client.get(f"/api/v1/problems/{pid}", headers=admin_b).status_code == 404
    assert client.patch(f"/api/v1/problems/{pid}", headers=admin_b,
                        json={"version": 1, "title": "x"}).status_code == 404
    for step in ("start", "submit", "approve", "reject", "reopen"):
        body = {"reason": "x"} if step in ("reject", "reopen") else {}
        response = client.post(f"/api/v1/problems/{pid}/{step}", headers=admin_b, json=body)
        assert response.status_code == 404, step
    assert client.get(f"/api/v1/problems/{pid}/evidence", headers=admin_b).status_code == 404
    assert client.get("/api/v1/problems", headers=admin_b).get_json() == []
    response = client.post("/api/v1/problems", headers=admin_b, json=problem_body(city["X"]))
    assert response.status_code == 404
    assert client.get("/api/v1/problems/not-an-id", headers=admin_a).status_code == 404
    assert client.get(f"/api/v1/problems/{uuid.uuid4()}", headers=admin_a).status_code == 404


def _warning(in_tenant, tenant, org_id, rule_key="life.committee_meeting_overdue") -> str:
    with in_tenant(tenant):
        now = utcnow()
        warning = Warning(rule_key=rule_key, org_id=org_id, subject_key="", severity="warning",
                          message="已 75 天未召开支委会（应每月一次）", figures={"days": 75}, state="open",
                          opened_at=now, last_seen_at=now)
        db.session.add(warning)
        db.session.commit()
        return str(warning.id)


def test_problem_from_a_warning(client, tenant, tenant_b, city, login, in_tenant, auth_headers):
    warning_id = _warning(in_tenant, tenant, city["X"])
    c2 = login(tenant, "org_manager", "C2")
    assert client.post(f"/api/v1/problems/from-warning/{warning_id}", headers=c2, json={}).status_code == 404
    secretary = login(tenant, "branch_secretary", "X")
    assert client.post(f"/api/v1/problems/from-warning/{warning_id}", headers=secretary,
                       json={}).status_code == 403
    c1 = login(tenant, "org_manager", "C1")
    response = client.post(f"/api/v1/problems/from-warning/{warning_id}", headers=c1, json={})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["org_id"] == str(city["X"]) and body["source"] == "warning"
    assert body["warning_id"] == warning_id and body["source_ref"] == warning_id
    assert body["title"] == "支委会未按期召开" and body["category"] == "组织生活"
    assert body["description"] == "已 75 天未召开支委会（应每月一次）"
    assert body["deadline"] == (date.today() + timedelta(days=30)).isoformat()
    # once is enough while it is not closed
    response = client.post(f"/api/v1/problems/from-warning/{warning_id}", headers=c1, json={})
    assert response.status_code == 409 and "warning_id" in error_fields(response.get_json())
    # the same through POST "" with source=warning: the warning's organisation is taken
    other = _warning(in_tenant, tenant, city["Y"], rule_key="dues.unpaid_3_months")
    response = client.post("/api/v1/problems", headers=c1,
                           json=problem_body(None, source="warning", source_ref=other, org_id=None))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["org_id"] == str(city["Y"])
    response = client.post("/api/v1/problems", headers=c1,
                           json=problem_body(city["X"], source="warning", source_ref=other))
    assert response.status_code == 422 and "org_id" in error_fields(response.get_json())
    # another tenant's warning id is unknown
    assert client.post(f"/api/v1/problems/from-warning/{warning_id}", headers=auth_headers(tenant_b),
                       json={}).status_code == 404
    assert client.post(f"/api/v1/problems/from-warning/{uuid.uuid4()}", headers=c1, json={}).status_code == 404


def test_settings_read_and_replaced_by_tenant_admin(client, tenant, city, login):
    admin = login(tenant, "tenant_admin")
    body = client.get("/api/v1/problems/settings", headers=admin).get_json()
    assert body["evidence_required"] is True and "书记不胜任" in body["weak_reason_categories"]
    assert body["overridden"] == [] and body["default_deadline_days"] == 30
    manager = login(tenant, "org_manager", "C1")
    assert client.put("/api/v1/problems/settings", headers=manager,
                      json={"evidence_required": False}).status_code == 403
    response = client.put("/api/v1/problems/settings", headers=admin,
                          json={"categories": [], "default_deadline_days": 0})
    assert response.status_code == 422
    assert {"categories", "default_deadline_days"} <= error_fields(response.get_json())
    response = client.put("/api/v1/problems/settings", headers=admin, json={"colour": "red"})
    assert response.status_code == 422 and "colour" in error_fields(response.get_json())
    assert client.get("/api/v1/problems/settings", headers=admin).get_json()["overridden"] == []
    response = client.put("/api/v1/problems/settings", headers=admin,
                          json={"categories": ["组织建设", "台账管理"], "default_deadline_days": 15})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["categories"] == ["组织建设", "台账管理"]
    assert response.get_json()["overridden"] == ["categories", "default_deadline_days"]
    assert client.post("/api/v1/problems", headers=admin, json=problem_body(
        city["X"], category="台账管理")).status_code == 201
