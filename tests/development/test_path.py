"""The whole 25-step path through the API, the step list, overrides, scope and isolation."""

from __future__ import annotations

from datetime import date

from core.development import steps as S
from core.development.rules import add_months
from tests.development.conftest import applicant_body, four_years_ago, rule_codes
from tests.development.helpers import at, branch_meeting_day, timeline

UNKNOWN = "01900000-0000-7000-8000-000000000000"


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_the_25_steps_admit_and_convert_a_member(client, tenant, tree, secretary, introducers, walk):
    start = four_years_ago()
    person_id = walk(start, 16, introducers)
    person = _ok(client.get(f"/api/v1/development/{person_id}", headers=secretary))
    assert (person["stage"], person["stage_name"], person["member_id"]) == ("candidate", "发展对象", None)
    steps = timeline(start, introducers)
    by_code = {s["code"]: s for s in steps}
    _ok(client.post(f"/api/v1/development/{person_id}/steps", json=by_code[17], headers=secretary), 201)
    person = _ok(client.get(f"/api/v1/development/{person_id}", headers=secretary))
    assert person["stage"] == "probationary"
    member_id = person["member_id"]
    member = _ok(client.get(f"/api/v1/members/{member_id}", headers=secretary))
    joined = branch_meeting_day(start)
    assert (member["status"], member["joined_on"], member["full_on"]) == ("probationary", joined.isoformat(), None)
    assert (member["org_id"], member["name"], member["phone"]) == (str(tree["X"]), "孙小明", "13912345678")
    assert person["probation_ends_on"] == add_months(joined, 12).isoformat()

    for step in steps:
        if step["code"] >= 18:
            _ok(client.post(f"/api/v1/development/{person_id}/steps", json=step, headers=secretary), 201)
    person = _ok(client.get(f"/api/v1/development/{person_id}", headers=secretary))
    assert person["stage"] == "full"
    assert [s["code"] for s in person["steps"]] == [1, 2, 3, 4, 5, 6, 6, *range(7, 26)]
    assert not any(s["override"] or s["flagged_for_review"] for s in person["steps"])
    assert person["steps"][0]["name"] == "递交入党申请书"
    member = _ok(client.get(f"/api/v1/members/{member_id}", headers=secretary))
    assert (member["status"], member["full_on"]) == ("full", add_months(joined, 12).isoformat())
    history = _ok(client.get(f"/api/v1/members/{member_id}/history", headers=secretary))
    assert [(e["kind"], e["reason"]) for e in history] == [("admitted", "发展党员"), ("converted", "预备党员转正")]
    assert history[0]["occurred_on"] == joined.isoformat()
    assert history[1]["occurred_on"] == add_months(joined, 12).isoformat()
    # a full member is not in the pipeline any more
    assert _ok(client.get("/api/v1/development?stage=full", headers=secretary))[0]["id"] == person_id
    assert _ok(client.get("/api/v1/development?stage=applicant", headers=secretary)) == []
    # and cannot apply again
    again = client.post("/api/v1/development", json=applicant_body(tree["X"], start,
                        id_number=member["id_number"]), headers=secretary)
    assert again.status_code == 409


def test_the_step_list(client, tenant, secretary):
    listed = _ok(client.get("/api/v1/development/steps", headers=secretary))
    assert [s["code"] for s in listed] == list(range(1, 26))
    assert [s["name"] for s in listed][:3] == ["递交入党申请书", "党组织派人谈话", "推荐和确定入党积极分子"]
    assert listed[24]["name"] == "材料归档"
    assert [s["stage"] for s in listed] == [1] * 2 + [2] * 4 + [3] * 5 + [4] * 7 + [5] * 7
    assert {r["code"] for r in listed[14]["rules"]} == {
        "step_order", "pre_review", "political_review_valid", "branch_meeting_within"}
    assert listed[0]["rules"][0] == {"code": "min_age", "name": "入党申请人须年满18周岁"}
    assert (listed[16]["enters"], listed[16]["enters_name"]) == ("probationary", "预备党员")


def test_override_needs_org_manager_and_is_flagged_until_reviewed(
    client, tenant, tree, secretary, manager, walk
):
    start = four_years_ago()
    person_id = walk(start, 1)
    late = {"code": 2, "done_on": at(start, 2).isoformat(), "evidence": "谈话记录"}
    assert rule_codes(client.post(f"/api/v1/development/{person_id}/steps", json=late, headers=secretary)) == ["talk_within"]
    body = client.post(f"/api/v1/development/{person_id}/steps", json=late | {"override_reason": "申请人外出"},
                       headers=secretary).get_json()
    assert body["code"] == 403 and body["errors"]["rules"][0]["code"] == "talk_within"
    assert rule_codes(client.post(f"/api/v1/development/{person_id}/steps", json=late, headers=manager)) == ["talk_within"]
    step = _ok(client.post(f"/api/v1/development/{person_id}/steps",
                           json=late | {"override_reason": "申请人外出务工，返乡后谈话"}, headers=manager), 201)
    assert (step["override"], step["flagged_for_review"], step["violated_rules"]) == (True, True, ["talk_within"])
    assert step["overridden_by"].startswith("user:")
    listed = _ok(client.get("/api/v1/development/violations", headers=secretary))
    assert [(v["id"], v["person_name"], v["code"]) for v in listed] == [(step["id"], "孙小明", 2)]
    assert client.post(f"/api/v1/development/violations/{step['id']}/review", json={"note": "已核实"},
                       headers=secretary).status_code == 403
    reviewed = _ok(client.post(f"/api/v1/development/violations/{step['id']}/review",
                               json={"note": "已核实"}, headers=manager))
    assert (reviewed["flagged_for_review"], reviewed["review_note"]) == (False, "已核实")
    assert _ok(client.get("/api/v1/development/violations", headers=manager)) == []
    assert len(_ok(client.get("/api/v1/development/violations?include_reviewed=true", headers=manager))) == 1
    assert client.post(f"/api/v1/development/violations/{step['id']}/review", json={"note": "再次"},
                       headers=manager).status_code == 422


def test_scope_masking_and_tenant_isolation(client, tenant, tenant_b, tree, secretary, manager, auth_headers, walk):
    person_id = walk(four_years_ago(), 2)
    other_branch = auth_headers(tenant, role="branch_secretary", org=tree["Y"])
    reader = auth_headers(tenant, role="member", org=tree["X"])
    other_city = auth_headers(tenant_b)
    step3 = {"code": 3, "done_on": at(four_years_ago(), 3).isoformat()}
    for headers in (other_branch, other_city):
        assert client.get(f"/api/v1/development/{person_id}", headers=headers).status_code == 404
        assert client.post(f"/api/v1/development/{person_id}/steps", json=step3, headers=headers).status_code == 404
        assert client.get("/api/v1/development", headers=headers).get_json() == []
    seen = _ok(client.get(f"/api/v1/development/{person_id}", headers=reader))
    assert seen["personal_masked"] is True and "*" in seen["id_number"] and seen["phone"] == "139****5678"
    assert client.post(f"/api/v1/development/{person_id}/steps", json=step3, headers=reader).status_code == 403
    full = _ok(client.get(f"/api/v1/development/{person_id}", headers=secretary))
    assert full["personal_masked"] is False and full["phone"] == "13912345678"
    assert client.get(f"/api/v1/development/{UNKNOWN}", headers=secretary).status_code == 404
    assert client.get("/api/v1/development/not-an-id", headers=secretary).status_code == 404
    body = applicant_body(tree["X"], date(2024, 1, 5))
    assert client.post("/api/v1/development", json=body, headers=reader).status_code == 403
    body = applicant_body(tree["Y"], date(2024, 1, 5))
    assert client.post("/api/v1/development", json=body, headers=secretary).status_code == 404
    listed = _ok(client.get(f"/api/v1/development?subtree_of={tree['C1']}&stage=applicant", headers=manager))
    assert [p["id"] for p in listed] == [person_id]
    assert _ok(client.get(f"/api/v1/development?subtree_of={tree['C1']}&stage=activist", headers=manager)) == []
    assert client.get(f"/api/v1/development?subtree_of={tree['C2']}", headers=secretary).status_code == 404


def test_bad_input_is_named(client, tenant, tree, secretary, walk):
    person_id = walk(four_years_ago(), 1)
    answer = client.post(f"/api/v1/development/{person_id}/steps",
                         json={"code": 26, "done_on": "2020-13-01"}, headers=secretary)
    assert answer.status_code == 422 and set(answer.get_json()["errors"]) == {"code", "done_on"}
    future = add_months(date.today(), 1).isoformat()
    answer = client.post(f"/api/v1/development/{person_id}/steps", json={"code": 2, "done_on": future},
                         headers=secretary)
    assert answer.status_code == 422 and "done_on" in answer.get_json()["errors"]
    first = timeline(four_years_ago())[0]
    _ok(client.post(f"/api/v1/development/{person_id}/steps", json=first, headers=secretary), 201)
    assert client.post(f"/api/v1/development/{person_id}/steps", json=first, headers=secretary).status_code == 409
    stopped = _ok(client.post(f"/api/v1/development/{person_id}/status",
                              json={"status": "stopped", "reason": "本人撤回申请"}, headers=secretary))
    assert stopped["status"] == "stopped"
    step3 = {"code": 3, "done_on": at(four_years_ago(), 3).isoformat()}
    assert client.post(f"/api/v1/development/{person_id}/steps", json=step3, headers=secretary).status_code == 422


def test_settings_change_the_numbers(client, tenant, tree, secretary, auth_headers, walk):
    admin = auth_headers(tenant)
    start = four_years_ago()
    late = {"code": 2, "done_on": at(at(start, 1), 0, 10).isoformat()}
    person_id = walk(start, 1)
    assert rule_codes(client.post(f"/api/v1/development/{person_id}/steps", json=late, headers=secretary)) == ["talk_within"]
    assert client.put("/api/v1/development/settings", json={"talk_within_months": 2}, headers=secretary).status_code == 403
    bad = client.put("/api/v1/development/settings", json={"talk_within_months": -1, "nope": 1}, headers=admin)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"talk_within_months", "nope"}
    assert _ok(client.put("/api/v1/development/settings", json={"talk_within_months": 2}, headers=admin))["talk_within_months"] == 2
    _ok(client.post(f"/api/v1/development/{person_id}/steps", json=late, headers=secretary), 201)
    assert _ok(client.get("/api/v1/development/settings", headers=secretary))["min_age"] == 18
    assert S.LAST_CODE == 25
