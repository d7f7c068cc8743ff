"""The pairings API: sides checked (422 naming the field), no duplicate active pairing,
dissolving kept as history, who may arrange and who may record, tasks and activities,
filters by subtree, another tenant's 404, stale versions 409."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.db import db
from core.pairings.models import Pairing, PairingActivity, PairingTask
from tests.pairings.conftest import days_ago
from tests.support.auth import error_fields


def _count(in_tenant, tenant, model=Pairing) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def _post(client, headers, city, org, partner, **more):
    body = {"org_id": str(city[org]), "partner_org_id": str(city[partner]), **more}
    return client.post("/api/v1/pairings", headers=headers, json=body)


def test_sides_are_checked_naming_the_field(client, tenant, city, login, in_tenant):
    admin = login(tenant)
    cases = [
        (("V1", "V2"), "org_id"),  # a village does not initiate
        (("JG1", "GZ1"), "partner_org_id"),  # an SOE is not a village or community
        (("GZ1G", "V1"), "org_id"),  # a 党小组 is not paired
        (("JG1", "JG1"), "partner_org_id"),  # itself
    ]
    for (org, partner), field in cases:
        response = _post(client, admin, city, org, partner)
        assert response.status_code == 422, response.get_json()
        assert field in error_fields(response.get_json())
    response = _post(client, admin, city, "JG1", "V1", started_on=(date.today() + timedelta(days=3)).isoformat())
    assert response.status_code == 422 and "started_on" in error_fields(response.get_json())
    response = client.post("/api/v1/pairings", headers=admin, json={"org_id": "nope", "partner_org_id": str(city["V1"])})
    assert response.status_code == 422 and "org_id" in error_fields(response.get_json())
    assert _count(in_tenant, tenant) == 0
    # the community committee and the SOE branch are fine sides
    assert _post(client, admin, city, "GZ1", "SQ").status_code == 201
    assert _post(client, admin, city, "JG", "SQ1").status_code == 201
    assert _count(in_tenant, tenant) == 2


def test_no_duplicate_active_pairing_and_dissolving_keeps_history(client, tenant, city, login, new_pairing, in_tenant):
    admin = login(tenant)
    first = new_pairing(admin)
    assert first["status"] == "active" and first["partner_name"] == "桃源村党支部"
    again = _post(client, admin, city, "JG1", "V1")
    assert again.status_code == 409 and "partner_org_id" in error_fields(again.get_json())
    # dissolving needs a reason
    url = f"/api/v1/pairings/{first['id']}/dissolve"
    response = client.post(url, headers=admin, json={"end_reason": ""})
    assert response.status_code == 422 and "end_reason" in error_fields(response.get_json())
    response = client.post(url, headers=admin, json={"end_reason": "帮扶任务完成，调整结对", "ended_on": days_ago(300).isoformat()})
    assert response.status_code == 422 and "ended_on" in error_fields(response.get_json())
    response = client.post(url, headers=admin, json={"end_reason": "帮扶任务完成，调整结对", "version": first["version"]})
    assert response.status_code == 200, response.get_json()
    ended = response.get_json()
    assert ended["status"] == "dissolved" and ended["ended_on"] == date.today().isoformat()
    assert ended["end_reason"] == "帮扶任务完成，调整结对"
    assert client.post(url, headers=admin, json={"end_reason": "再次"}).status_code == 409
    # the same two may pair again; the dissolved one stays in the history
    second = new_pairing(admin)
    listed = client.get("/api/v1/pairings", headers=admin).get_json()
    assert {(p["id"], p["status"]) for p in listed} == {(first["id"], "dissolved"), (second["id"], "active")}
    only_active = client.get("/api/v1/pairings?status=active", headers=admin).get_json()
    assert [p["id"] for p in only_active] == [second["id"]]
    # a dissolved pairing takes no new activity
    response = client.post(f"/api/v1/pairings/{first['id']}/activities", headers=admin,
                           json={"held_on": days_ago(1).isoformat(), "kind": "visit", "topic": "走访"})
    assert response.status_code == 409
    assert _count(in_tenant, tenant) == 2


def test_who_may_arrange_and_who_may_record(client, tenant, city, login, new_pairing):
    # a branch secretary of one side does not see the other: 404, nothing arranged
    organ = login(tenant, "branch_secretary", "JG1")
    assert _post(client, organ, city, "JG1", "V1").status_code == 404
    # the county committee's manager sees and writes both
    manager = login(tenant, "org_manager", "R")
    pairing = new_pairing(manager)
    # each side's secretary sees it and records tasks and activities
    village = login(tenant, "branch_secretary", "V1")
    for headers in (organ, village):
        assert client.get(f"/api/v1/pairings/{pairing['id']}", headers=headers).status_code == 200
        response = client.post(f"/api/v1/pairings/{pairing['id']}/tasks", headers=headers,
                               json={"title": "共建党群服务中心"})
        assert response.status_code == 201, response.get_json()
    # but may not dissolve it alone
    response = client.post(f"/api/v1/pairings/{pairing['id']}/dissolve", headers=village, json={"end_reason": "不想结对"})
    assert response.status_code == 403
    # a member sees it but records nothing; another village's secretary does not see it
    member = login(tenant, "member", "V1")
    assert client.get(f"/api/v1/pairings/{pairing['id']}", headers=member).status_code == 200
    assert client.post(f"/api/v1/pairings/{pairing['id']}/tasks", headers=member,
                       json={"title": "x"}).status_code == 403
    other = login(tenant, "branch_secretary", "V2")
    assert client.get(f"/api/v1/pairings/{pairing['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/pairings", headers=other).get_json() == []
    assert [p["id"] for p in client.get("/api/v1/pairings", headers=member).get_json()] == [pairing["id"]]


def test_other_tenant_is_404(client, tenant, tenant_b, city, login, new_pairing, auth_headers):
    pairing = new_pairing(login(tenant))
    other = auth_headers(tenant_b)
    assert client.get(f"/api/v1/pairings/{pairing['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/pairings/{pairing['id']}/tasks", headers=other, json={"title": "x"}).status_code == 404
    assert client.get(f"/api/v1/pairings?org={city['R']}", headers=other).status_code == 404
    assert client.get("/api/v1/pairings/not-an-id", headers=other).status_code == 404


def test_tasks_flow(client, tenant, city, login, new_pairing, in_tenant):
    admin = login(tenant)
    pairing = new_pairing(admin)
    base = f"/api/v1/pairings/{pairing['id']}/tasks"
    response = client.post(base, headers=admin, json={"title": "修缮村级活动场所", "due_on": days_ago(300).isoformat()})
    assert response.status_code == 422 and "due_on" in error_fields(response.get_json())
    response = client.post(base, headers=admin, json={"title": "   "})
    assert response.status_code == 422 and "title" in error_fields(response.get_json())
    task = client.post(base, headers=admin, json={"title": "修缮村级活动场所", "due_on": days_ago(10).isoformat()}).get_json()
    assert task["done"] is False and task["overdue"] is True
    response = client.patch(f"{base}/{task['id']}", headers=admin, json={"version": task["version"], "done": True,
                                                                          "result": "已完成修缮"})
    assert response.status_code == 200, response.get_json()
    done = response.get_json()
    assert done["done"] and done["done_on"] == date.today().isoformat() and not done["overdue"]
    stale = client.patch(f"{base}/{task['id']}", headers=admin, json={"version": task["version"], "result": "x"})
    assert stale.status_code == 409 and "version" in error_fields(stale.get_json())
    undone = client.patch(f"{base}/{task['id']}", headers=admin, json={"done": False}).get_json()
    assert undone["done"] is False and undone["done_on"] is None
    detail = client.get(f"/api/v1/pairings/{pairing['id']}", headers=admin).get_json()
    assert [t["title"] for t in detail["task_list"]] == ["修缮村级活动场所"] and detail["tasks"] == 1
    assert client.delete(f"{base}/{task['id']}", headers=admin).status_code == 204
    assert client.delete(f"{base}/{task['id']}", headers=admin).status_code == 404
    assert _count(in_tenant, tenant, PairingTask) == 0


def test_activities_flow(client, tenant, city, login, new_pairing, in_tenant):
    admin = login(tenant)
    pairing = new_pairing(admin)
    base = f"/api/v1/pairings/{pairing['id']}/activities"
    body = {"held_on": days_ago(5).isoformat(), "kind": "service", "topic": "党员志愿服务进村",
            "org_participants": 8, "partner_participants": 11, "results": "走访困难户 12 户"}
    for change, field in (({"held_on": days_ago(300).isoformat()}, "held_on"),
                          ({"held_on": (date.today() + timedelta(days=1)).isoformat()}, "held_on"),
                          ({"kind": "party"}, "kind"), ({"org_participants": -1}, "org_participants"),
                          ({"meeting_id": str(city["R"])}, "kind")):
        response = client.post(base, headers=admin, json={**body, **change})
        assert response.status_code == 422, (change, response.get_json())
        assert field in error_fields(response.get_json())
    assert _count(in_tenant, tenant, PairingActivity) == 0
    activity = client.post(base, headers=admin, json=body).get_json()
    assert activity["kind_label"] == "为民办实事" and activity["partner_participants"] == 11
    response = client.patch(f"{base}/{activity['id']}", headers=admin, json={"version": activity["version"], "topic": "志愿服务"})
    assert response.status_code == 200 and response.get_json()["topic"] == "志愿服务"
    detail = client.get(f"/api/v1/pairings/{pairing['id']}", headers=admin).get_json()
    assert detail["activities"] == 1 and detail["last_activity_on"] == body["held_on"]
    # the start day may not move past the first activity
    response = client.patch(f"/api/v1/pairings/{pairing['id']}", headers=admin, json={"started_on": days_ago(1).isoformat()})
    assert response.status_code == 422 and "started_on" in error_fields(response.get_json())
    assert client.delete(f"{base}/{activity['id']}", headers=admin).status_code == 204
    assert _count(in_tenant, tenant, PairingActivity) == 0


def test_list_filters_by_subtree(client, tenant, city, login, new_pairing):
    admin = login(tenant)
    village = new_pairing(admin, "JG1", "V1")
    community = new_pairing(admin, "GZ1", "SQ")
    def ids(query):
        response = client.get(f"/api/v1/pairings?{query}", headers=admin)
        assert response.status_code == 200, response.get_json()
        return {p["id"] for p in response.get_json()}
    assert ids(f"org={city['T']}") == {village["id"]}  # the village side in the township
    assert ids(f"org={city['GZ']}") == {community["id"]}  # the initiating side under 国资委
    assert ids(f"org={city['S']}") == {community["id"]}
    assert ids(f"org={city['R']}") == {village["id"], community["id"]}
    assert ids(f"org={city['V2']}") == set()
    assert client.get("/api/v1/pairings?status=nope", headers=admin).status_code == 422


def test_writes_are_audited(client, tenant, city, login, new_pairing, in_tenant):
    from core.audit.models import AuditEntry

    admin = login(tenant)
    pairing = new_pairing(admin)
    client.post(f"/api/v1/pairings/{pairing['id']}/tasks", headers=admin, json={"title": "修路"})
    client.post(f"/api/v1/pairings/{pairing['id']}/dissolve", headers=admin, json={"end_reason": "调整结对"})
    with in_tenant(tenant):
        rows = db.session.execute(select(AuditEntry.object_type, AuditEntry.action, AuditEntry.object_id,
                                         AuditEntry.changed)
                                  .where(AuditEntry.object_type.in_(("pairings", "pairing_tasks")))
                                  .order_by(AuditEntry.at)).all()
    assert [(r.object_type, r.action) for r in rows] == [
        ("pairings", "create"), ("pairing_tasks", "create"), ("pairings", "update")]
    assert rows[-1].object_id.endswith(pairing["id"]) or pairing["id"] in rows[-1].object_id
    assert {"status", "ended_on", "end_reason"} <= set(rows[-1].changed)


def test_settings(client, tenant, city, login, new_pairing):
    admin = login(tenant)
    read = client.get("/api/v1/pairings/settings", headers=admin).get_json()
    assert (read["org_categories"], read["partner_categories"], read["overridden"]) == ([1, 2, 4], [3, 7], [])
    both = client.put("/api/v1/pairings/settings", headers=admin,
                      json={"org_categories": [1, 3], "version": read["version"]})
    assert both.status_code == 422 and "partner_categories" in error_fields(both.get_json())
    assert client.put("/api/v1/pairings/settings", headers=login(tenant, "org_manager", "R"),
                      json={"figure_months": 3}).status_code == 403
    # a tenant that counts public institutions (⑥) as an initiating side
    done = client.put("/api/v1/pairings/settings", headers=admin,
                      json={"org_categories": [1, 2, 4, 6], "figure_months": 3, "version": read["version"]})
    assert done.status_code == 200 and done.get_json()["overridden"] == ["figure_months", "org_categories"]
    stale = client.put("/api/v1/pairings/settings", headers=admin, json={"figure_months": 4, "version": read["version"]})
    assert stale.status_code == 409 and "version" in error_fields(stale.get_json())
    assert client.get("/api/v1/pairings/figures", headers=admin).get_json()["months"] == 3
    # the sides follow the setting: ③ is no longer refused as a partner only when configured
    response = client.post("/api/v1/pairings", headers=admin, json={
        "org_id": str(city["R"]), "partner_org_id": str(city["V1"])})  # R is ⑨
    assert response.status_code == 422 and "org_id" in error_fields(response.get_json())
