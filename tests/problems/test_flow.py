"""The rectification flow (问题清单 → 整改 → 销号) through the API: every transition and its
event, who may close a problem out, evidence and measures before submission, deadline
changes, optimistic locking, and that a refused step writes nothing."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from core.db import db
from core.problems.models import Problem, ProblemEvent
from tests.problems.conftest import add_text_evidence
from tests.support.auth import error_fields


def _post(client, headers, problem_id, step, **body):
    return client.post(f"/api/v1/problems/{problem_id}/{step}", headers=headers, json=body)


def _events(body) -> list[tuple]:
    return [(e["kind"], e["from_status"], e["to_status"]) for e in body["events"]]


def test_whole_flow_open_to_reopened(client, tenant, city, login, new_problem):
    manager_c1 = login(tenant, "org_manager", "C1")
    secretary = login(tenant, "branch_secretary", "X")
    approver = login(tenant, "org_manager", "C1")
    problem = new_problem(manager_c1, city["X"])
    pid = problem["id"]
    assert problem["status"] == "open" and problem["status_label"] == "待整改"
    assert problem["org_name"] == "X支部" and problem["version"] == 1

    response = _post(client, secretary, pid, "start", comment="已制定整改计划")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "rectifying"

    assert add_text_evidence(client, secretary, pid).status_code == 201
    response = _post(client, secretary, pid, "submit", rectification="补齐会议记录，建立台账")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["rectification"] == "补齐会议记录，建立台账"
    assert body["submitted_by"] and body["can_close"] is False  # the secretary cannot close

    response = _post(client, approver, pid, "reject", reason="缺少5月份会议记录")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "rectifying"
    assert response.get_json()["submitted_by"] is None

    response = _post(client, secretary, pid, "submit", comment="已补齐")  # measures kept
    assert response.status_code == 200, response.get_json()
    assert client.get(f"/api/v1/problems/{pid}", headers=approver).get_json()["can_close"] is True

    response = _post(client, approver, pid, "approve", comment="整改到位，同意销号")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "closed" and body["closed_by"] and body["closed_at"]

    response = _post(client, approver, pid, "reopen", reason="回访发现问题反弹",
                     deadline=(date.today() + timedelta(days=60)).isoformat())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "rectifying" and body["closed_at"] is None
    assert body["deadline"] == (date.today() + timedelta(days=60)).isoformat()
    assert _events(body) == [
        ("created", None, "open"),
        ("started", "open", "rectifying"),
        ("evidence_added", None, None),
        ("submitted", "rectifying", "submitted"),
        ("rejected", "submitted", "rectifying"),
        ("submitted", "rectifying", "submitted"),
        ("approved", "submitted", "closed"),
        ("reopened", "closed", "rectifying"),
        ("deadline_changed", None, None),
    ]
    by_kind = {e["kind"]: e for e in body["events"]}
    assert by_kind["rejected"]["comment"] == "缺少5月份会议记录"
    assert by_kind["approved"]["comment"] == "整改到位，同意销号"
    assert by_kind["approved"]["details"] == {"on_time": True}
    assert by_kind["reopened"]["comment"] == "回访发现问题反弹"
    assert all(e["actor_label"].startswith("user:") and e["created_at"] for e in body["events"])
    assert by_kind["started"]["label"] == "开始整改"


def _submitted(client, tenant, city, login, new_problem, code="X", submitter=None):
    creator = login(tenant, "tenant_admin")
    submitter = submitter or login(tenant, "branch_secretary", code)
    pid = new_problem(creator, city[code])["id"]
    assert _post(client, submitter, pid, "start").status_code == 200
    assert add_text_evidence(client, submitter, pid).status_code == 201
    response = _post(client, submitter, pid, "submit", rectification="已整改")
    assert response.status_code == 200, response.get_json()
    return pid


def test_close_out_only_by_the_level_above(client, tenant, city, login, new_problem, in_tenant):
    pid = _submitted(client, tenant, city, login, new_problem)
    # the branch itself, even with a high role on it
    for headers in (login(tenant, "branch_secretary", "X"), login(tenant, "org_manager", "X")):
        response = _post(client, headers, pid, "approve")
        assert response.status_code == 403, response.get_json()
    # a manager of another committee cannot even see it
    assert _post(client, login(tenant, "org_manager", "C2"), pid, "approve").status_code == 404
    # branch_secretary on the parent is not enough
    response = _post(client, login(tenant, "branch_secretary", "C1"), pid, "approve")
    assert response.status_code == 403
    # a member of the parent's subtree sees it but cannot close
    assert _post(client, login(tenant, "member", "C1"), pid, "approve").status_code == 403
    with in_tenant(tenant):
        assert db.session.scalar(select(Problem.status).where(Problem.id == uuid.UUID(pid))) == "submitted"
    # a manager above the parent (R) holds org_manager on C1 too
    response = _post(client, login(tenant, "org_manager", "R"), pid, "approve")
    assert response.status_code == 200, response.get_json()


def test_submitter_cannot_close_even_from_the_level_above(client, tenant, city, login, new_problem):
    c1_manager = login(tenant, "org_manager", "C1")
    pid = _submitted(client, tenant, city, login, new_problem, submitter=c1_manager)
    response = _post(client, c1_manager, pid, "approve")
    assert response.status_code == 403
    assert "提交" in response.get_json()["message"]
    assert client.get(f"/api/v1/problems/{pid}", headers=c1_manager).get_json()["can_close"] is False
    assert _post(client, login(tenant, "org_manager", "C1"), pid, "approve").status_code == 200


def test_root_problem_is_closed_by_a_tenant_admin(client, tenant, city, login, new_problem):
    admin = login(tenant, "tenant_admin")
    root_manager = login(tenant, "org_manager", "R")
    pid = new_problem(admin, city["R"], category="组织建设")["id"]
    assert _post(client, root_manager, pid, "start").status_code == 200
    assert add_text_evidence(client, root_manager, pid).status_code == 201
    assert _post(client, root_manager, pid, "submit", rectification="已整改").status_code == 200
    assert _post(client, login(tenant, "org_manager", "R"), pid, "approve").status_code == 403
    assert _post(client, admin, pid, "approve").status_code == 200


def test_reject_and_reopen_need_the_level_above_and_a_reason(client, tenant, city, login, new_problem, in_tenant):
    pid = _submitted(client, tenant, city, login, new_problem)
    secretary = login(tenant, "branch_secretary", "X")
    approver = login(tenant, "org_manager", "C1")
    assert _post(client, secretary, pid, "reject", reason="自己退回").status_code == 403
    response = _post(client, approver, pid, "reject")
    assert response.status_code == 422 and "reason" in error_fields(response.get_json())
    response = _post(client, approver, pid, "reject", reason="   ")
    assert response.status_code == 422 and "reason" in error_fields(response.get_json())
    assert _post(client, approver, pid, "approve").status_code == 200
    assert _post(client, secretary, pid, "reopen", reason="复查").status_code == 403
    response = _post(client, approver, pid, "reopen", reason="复查", deadline="2000-01-01")
    assert response.status_code == 422 and "deadline" in error_fields(response.get_json())
    with in_tenant(tenant):
        assert db.session.scalar(select(Problem.status).where(Problem.id == uuid.UUID(pid))) == "closed"


def test_transitions_out_of_order_are_409(client, tenant, city, login, new_problem):
    admin = login(tenant, "tenant_admin")
    secretary = login(tenant, "branch_secretary", "X")
    pid = new_problem(admin, city["X"])["id"]
    for step, body in (("submit", {"rectification": "x"}), ("approve", {}), ("reject", {"reason": "x"}),
                       ("reopen", {"reason": "x"})):
        response = _post(client, admin, pid, step, **body)
        assert response.status_code == 409, (step, response.get_json())
        assert "status" in error_fields(response.get_json())
    assert _post(client, secretary, pid, "start").status_code == 200
    assert _post(client, secretary, pid, "start").status_code == 409


def test_submission_needs_measures_and_evidence(client, tenant, city, login, new_problem, in_tenant):
    admin = login(tenant, "tenant_admin")
    secretary = login(tenant, "branch_secretary", "X")
    pid = new_problem(admin, city["X"])["id"]
    assert _post(client, secretary, pid, "start").status_code == 200
    response = _post(client, secretary, pid, "submit", rectification="已整改")
    assert response.status_code == 422 and "evidence" in error_fields(response.get_json())
    response = _post(client, secretary, pid, "submit")
    assert response.status_code == 422 and "rectification" in error_fields(response.get_json())
    assert add_text_evidence(client, secretary, pid).status_code == 201
    response = _post(client, secretary, pid, "submit", rectification="  ")
    assert response.status_code == 422 and "rectification" in error_fields(response.get_json())
    # nothing half-written by the refusals: still rectifying, no measures, no submit event
    with in_tenant(tenant):
        problem = db.session.scalar(select(Problem).where(Problem.id == uuid.UUID(pid)))
        assert problem.status == "rectifying" and problem.rectification is None
        assert db.session.scalar(select(func.count()).select_from(ProblemEvent).where(
            ProblemEvent.problem_id == uuid.UUID(pid), ProblemEvent.kind == "submitted")) == 0
    assert _post(client, secretary, pid, "submit", rectification="已整改").status_code == 200


def test_evidence_not_required_when_the_tenant_says_so(client, tenant, city, login, new_problem):
    admin = login(tenant, "tenant_admin")
    response = client.put("/api/v1/problems/settings", headers=admin, json={"evidence_required": False})
    assert response.status_code == 200, response.get_json()
    secretary = login(tenant, "branch_secretary", "X")
    pid = new_problem(admin, city["X"])["id"]
    assert _post(client, secretary, pid, "start").status_code == 200
    response = _post(client, secretary, pid, "submit", rectification="已整改")
    assert response.status_code == 200, response.get_json()


def test_deadline_change_needs_a_reason_and_is_an_event(client, tenant, city, login, new_problem):
    admin = login(tenant, "tenant_admin")
    problem = new_problem(admin, city["X"])
    url = f"/api/v1/problems/{problem['id']}"
    later = (date.today() + timedelta(days=90)).isoformat()
    response = client.patch(url, headers=admin, json={"version": 1, "deadline": later})
    assert response.status_code == 422 and "deadline_reason" in error_fields(response.get_json())
    response = client.patch(url, headers=admin, json={"version": 1, "deadline": later,
                                                      "deadline_reason": "涉及资金审批，申请延期", "title": "新标题"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["deadline"] == later and body["title"] == "新标题" and body["version"] == 2
    changed = [e for e in body["events"] if e["kind"] == "deadline_changed"]
    assert changed[0]["comment"] == "涉及资金审批，申请延期"
    assert changed[0]["details"] == {"from": problem["deadline"], "to": later}
    assert [e["details"] for e in body["events"] if e["kind"] == "updated"] == [{"fields": ["title"]}]


def test_stale_version_is_409_and_writes_nothing(client, tenant, city, login, new_problem, in_tenant):
    admin = login(tenant, "tenant_admin")
    problem = new_problem(admin, city["X"])
    url = f"/api/v1/problems/{problem['id']}"
    assert client.patch(url, headers=admin, json={"version": 1, "title": "第一次修改"}).status_code == 200
    response = client.patch(url, headers=admin, json={"version": 1, "title": "过期的修改"})
    assert response.status_code == 409 and "version" in error_fields(response.get_json())
    response = _post(client, admin, problem["id"], "start", version=1)
    assert response.status_code == 409 and "version" in error_fields(response.get_json())
    with in_tenant(tenant):
        row = db.session.scalar(select(Problem).where(Problem.id == uuid.UUID(problem["id"])))
        assert row.title == "第一次修改" and row.status == "open" and row.version == 2
    response = client.patch(url, headers=admin, json={"title": "无版本"})
    assert response.status_code == 422 and "version" in error_fields(response.get_json())


def test_closed_problem_cannot_be_edited(client, tenant, city, login, new_problem):
    pid = _submitted(client, tenant, city, login, new_problem)
    approver = login(tenant, "org_manager", "C1")
    assert _post(client, approver, pid, "approve").status_code == 200
    version = client.get(f"/api/v1/problems/{pid}", headers=approver).get_json()["version"]
    response = client.patch(f"/api/v1/problems/{pid}", headers=login(tenant, "tenant_admin"),
                            json={"version": version, "title": "改"})
    assert response.status_code == 409
