"""Recording meetings: eligibility, attendance rates, the quorum and election thresholds,
and who may record what."""

from __future__ import annotations

from datetime import date, time

import pytest

from core.api.errors import ApiError
from core.db import db
from core.life import service
from core.orgs import posts
from tests.life.helpers import days_ago, make_org, meeting
from tests.orgs.conftest import add_members, new_member
from tests.support.auth import error_fields


@pytest.fixture
def branch(tenant, in_tenant):
    with in_tenant(tenant):
        root = make_org("R", kind="committee")
        yield make_org("B1", parent=root)


def test_meeting_with_attendance_gives_rates_and_figures(branch):
    group = make_org("G1", kind="group", parent=branch)
    full = add_members(branch, 3) + add_members(group, 1)
    probationary = new_member(group, status="probationary")
    new_member(branch, status="transferred_out")  # gone: not expected
    db.session.flush()
    m = meeting(branch, "general_meeting", days_ago(3), present=[full[0], full[1], probationary],
                absences=[(full[2], "出差")])
    db.session.commit()
    assert (m.eligible_count, m.present_count) == (5, 3)
    assert (m.voting_count, m.voting_present) == (4, 2)
    assert service.rate(m.present_count, m.eligible_count) == 0.6
    assert m.quorum_met is False  # exactly half of the voting members: no quorum
    assert m.election_valid is None
    rows = {row.member_id: row for row, _ in service.attendance_of(m)}
    assert rows[full[2].id].absence_reason == "出差" and not rows[full[2].id].present
    assert rows[full[3].id].present is False and rows[full[3].id].absence_reason is None
    assert rows[probationary.id].present is True


@pytest.mark.parametrize(("voting", "present", "met"), [(4, 2, False), (4, 3, True), (5, 2, False), (5, 3, True)])
def test_quorum_is_more_than_half(voting, present, met):
    assert service.quorum_met(present, voting) is met


@pytest.mark.parametrize(("voting", "present", "valid"), [(5, 4, False), (5, 5, True), (10, 8, False), (10, 9, True), (0, 0, False)])
def test_election_needs_more_than_four_fifths(voting, present, valid):
    assert service.election_valid(present, voting) is valid


def test_election_meeting_flags_validity(branch):
    members = add_members(branch, 5)
    db.session.flush()
    m = meeting(branch, "general_meeting", days_ago(1), present=members[:4], is_election=True)
    assert (m.quorum_met, m.election_valid) == (True, False)  # 4 of 5 is exactly 4/5
    service.set_attendance(m, branch, present=[x.id for x in members])
    assert m.election_valid is True


def test_committee_meeting_expects_the_post_holders(branch):
    members = add_members(branch, 6)
    db.session.flush()
    posts.start(branch, post="secretary", member_id=members[0].id, started_on=date(2020, 1, 1))
    posts.start(branch, post="committee_member", member_id=members[1].id, started_on=date(2020, 1, 1))
    ended = posts.start(branch, post="deputy_secretary", member_id=members[2].id, started_on=date(2020, 1, 1))
    posts.end(ended, date(2021, 1, 1))
    m = meeting(branch, "committee_meeting", days_ago(2), present=[members[0]])
    assert (m.eligible_count, m.present_count) == (2, 1)
    with pytest.raises(ApiError) as refused:
        meeting(branch, "committee_meeting", days_ago(2), present=[members[3]])
    assert "present_member_ids" in refused.value.errors


def test_talk_counts_whoever_was_talked_with(branch):
    members = add_members(branch, 3)
    db.session.flush()
    m = meeting(branch, "talk", days_ago(1), present=[members[1]])
    assert (m.eligible_count, m.present_count) == (1, 1)
    with pytest.raises(ApiError) as refused:
        meeting(branch, "talk", days_ago(1))
    assert "present_member_ids" in refused.value.errors


def test_refusals_name_the_field(branch):
    members = add_members(branch, 2)
    stranger = make_org("B2", parent=None)
    outsider = new_member(stranger)
    db.session.flush()
    cases = [
        ({"present": [outsider]}, "present_member_ids"),
        ({"present": [members[0]], "absences": [(members[0], "x")]}, "absences"),
        ({"is_election": True, "kind_": "theme_day"}, "is_election"),
        ({"held_on_": date(2999, 1, 1)}, "held_on"),
    ]
    for args, field in cases:
        kind = args.pop("kind_", "general_meeting")
        held_on = args.pop("held_on_", days_ago(1))
        with pytest.raises(ApiError) as refused:
            meeting(branch, kind, held_on, **args)
        assert field in refused.value.errors, (args, refused.value.errors)
    with pytest.raises(ApiError) as refused:
        meeting(branch, "group_meeting", days_ago(1))
    assert "org_id" in refused.value.errors  # a branch does not hold 党小组会


def test_member_review_grades(branch):
    members = add_members(branch, 2)
    db.session.flush()
    m = meeting(branch, "member_review", days_ago(1), present=members,
                grades=[{"member_id": members[0].id, "grade": "excellent"},
                        {"member_id": members[1].id, "grade": "qualified"}])
    assert {g.member_id: g.grade for g in service.grades_of(m)} == {
        members[0].id: "excellent", members[1].id: "qualified"}
    with pytest.raises(ApiError) as refused:
        meeting(branch, "theme_day", days_ago(1), grades=[{"member_id": members[0].id, "grade": "excellent"}])
    assert "grades" in refused.value.errors


# -- API ---------------------------------------------------------------------------------------


@pytest.fixture
def tree(tenant, in_tenant):
    """Two branches with members; returns ids."""
    with in_tenant(tenant):
        root = make_org("R", kind="committee")
        b1, b2 = make_org("B1", parent=root), make_org("B2", parent=root)
        m1, m2 = add_members(b1, 2), add_members(b2, 1)
        db.session.commit()
        return {"root": root.id, "b1": b1.id, "b2": b2.id,
                "m1": [m.id for m in m1], "m2": [m.id for m in m2]}


def _body(org_id, present, kind="general_meeting", held_on=None, **more):
    return {"kind": kind, "org_id": str(org_id), "held_on": (held_on or days_ago(1)).isoformat(),
            "topic": "学习贯彻", "present_member_ids": [str(i) for i in present], **more}


def test_api_records_and_reads_meetings(client, tenant, tree, auth_headers):
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["b1"])
    response = client.post("/api/v1/meetings", headers=secretary,
                           json=_body(tree["b1"], tree["m1"][:1], absences=[
                               {"member_id": str(tree["m1"][1]), "reason": "病假"}]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["attendance_rate"] == 0.5 and body["quorum_met"] is False
    assert body["notices"] and "Quorum" in body["notices"][0]
    meeting_id = body["id"]

    # another branch: the secretary cannot record there, and it looks unknown
    response = client.post("/api/v1/meetings", headers=secretary, json=_body(tree["b2"], tree["m2"]))
    assert response.status_code == 404

    admin = auth_headers(tenant)
    client.post("/api/v1/meetings", headers=admin, json=_body(tree["b2"], tree["m2"]))
    listed = client.get("/api/v1/meetings?kind=general_meeting", headers=secretary).get_json()
    assert [m["id"] for m in listed] == [meeting_id]  # b2's is out of scope
    assert len(client.get(f"/api/v1/meetings?subtree_of={tree['root']}", headers=admin).get_json()) == 2
    future = (days_ago(-30)).isoformat()
    assert client.get(f"/api/v1/meetings?from={future}", headers=admin).get_json() == []

    response = client.put(f"/api/v1/meetings/{meeting_id}/attendance", headers=secretary,
                          json={"present_member_ids": [str(i) for i in tree["m1"]]})
    assert response.status_code == 200 and response.get_json()["quorum_met"] is True
    response = client.patch(f"/api/v1/meetings/{meeting_id}", headers=secretary,
                            json={"minutes": "会议记录", "topic": "新议题"})
    assert response.status_code == 200 and response.get_json()["minutes"] == "会议记录"
    attendance = client.get(f"/api/v1/meetings/{meeting_id}/attendance", headers=secretary).get_json()
    assert all(row["present"] for row in attendance) and len(attendance) == 2

    response = client.post("/api/v1/meetings", headers=secretary,
                           json=_body(tree["b1"], [tree["m2"][0]]))
    assert response.status_code == 422 and "present_member_ids" in error_fields(response.get_json())
    response = client.post("/api/v1/meetings", headers=secretary, json={"kind": "nope"})
    assert response.status_code == 422 and {"kind", "org_id", "held_on", "topic"} <= error_fields(response.get_json())

    member = auth_headers(tenant, role="member", org=tree["b1"])
    assert client.delete(f"/api/v1/meetings/{meeting_id}", headers=member).status_code == 403
    assert client.delete(f"/api/v1/meetings/{meeting_id}", headers=secretary).status_code == 204
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=secretary).status_code == 404


def test_api_member_attendance_rates(client, tenant, tree, auth_headers):
    admin = auth_headers(tenant)
    a, b = tree["m1"]
    client.post("/api/v1/meetings", headers=admin, json=_body(tree["b1"], [a, b], held_on=days_ago(20)))
    client.post("/api/v1/meetings", headers=admin, json=_body(tree["b1"], [a], kind="theme_day", held_on=days_ago(10)))
    client.post("/api/v1/meetings", headers=admin, json=_body(tree["b2"], tree["m2"], held_on=days_ago(10)))
    client.post("/api/v1/meetings", headers=admin, json=_body(tree["b1"], [b], held_on=days_ago(100)))
    url = (f"/api/v1/meetings/attendance?subtree_of={tree['b1']}"
           f"&from={days_ago(30).isoformat()}&to={days_ago(0).isoformat()}")
    response = client.get(url, headers=admin)
    assert response.status_code == 200, response.get_json()
    rates = {row["member_id"]: (row["expected"], row["attended"], row["rate"]) for row in response.get_json()}
    assert rates == {str(a): (2, 2, 1.0), str(b): (2, 1, 0.5)}
    response = client.get(f"/api/v1/meetings/attendance?from={days_ago(0)}&to={days_ago(5)}", headers=admin)
    assert response.status_code == 422


def test_other_tenant_meeting_is_404(client, tenant, tenant_b, tree, auth_headers):
    admin = auth_headers(tenant)
    meeting_id = client.post("/api/v1/meetings", headers=admin,
                             json=_body(tree["b1"], tree["m1"])).get_json()["id"]
    other = auth_headers(tenant_b)
    for method, url in [("get", f"/api/v1/meetings/{meeting_id}"),
                        ("get", f"/api/v1/meetings/{meeting_id}/attendance"),
                        ("get", f"/api/v1/meetings/{meeting_id}/attachments"),
                        ("delete", f"/api/v1/meetings/{meeting_id}"),
                        ("get", "/api/v1/meetings/not-a-uuid")]:
        assert getattr(client, method)(url, headers=other).status_code == 404, url
    assert client.post("/api/v1/meetings", headers=other, json=_body(tree["b1"], [])).status_code == 404


def test_update_keeps_what_is_not_sent(branch):
    members = add_members(branch, 3)
    db.session.flush()
    m = meeting(branch, "general_meeting", days_ago(3), present=members[:2])
    service.update_meeting(m, branch, {"absences": [{"member_id": members[2].id, "reason": "病假"}]})
    rows = {row.member_id: row for row, _ in service.attendance_of(m)}
    assert rows[members[2].id].absence_reason == "病假" and m.present_count == 2
    service.update_meeting(m, branch, {"held_on": days_ago(2), "minutes": "记录"})
    assert (m.held_on, m.minutes, m.present_count) == (days_ago(2), "记录", 2)
    with pytest.raises(ApiError) as refused:
        service.update_meeting(m, branch, {"ends_at": time(8), "starts_at": time(9)})
    assert "ends_at" in refused.value.errors
