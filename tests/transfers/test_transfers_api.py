"""Transfers through the API: inside a tenant, to another tenant, refusals, cancellations,
and what each side may see and do."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from core.audit.models import AuditEntry
from core.db import db
from core.transfers import codes
from tests.support.auth import error_fields
from tests.transfers.helpers import accept, issue, issued

# ---------------------------------------------------------------------------------------------
# inside one tenant


def test_internal_transfer_moves_the_member_only_when_the_receiver_accepts(
    client, city_a, add_member, look, admin_a, auth_headers
):
    member_id, _ = add_member(city_a, "1")
    letter = issued(client, admin_a, member_id, to_org_id=city_a.orgs["2"])
    assert letter["kind"] == "internal" and letter["status"] == "pending"
    assert letter["member_name"] == "张三" and letter["exchange_state"] is None
    assert len(codes.normalize(letter["code"])) == codes.LENGTH
    assert date.fromisoformat(letter["expires_on"]) > date.fromisoformat(letter["issued_on"])
    assert look.member(city_a, member_id).org_id == city_a.orgs["1"]  # not yet

    receiver = auth_headers(city_a.tenant, role="branch_secretary", org=city_a.orgs["2"])
    # The receiving branch cannot accept into an organisation outside what it was sent to.
    wrong = accept(client, receiver, letter["code"], city_a.orgs["1"])
    assert wrong.status_code in (403, 404, 422)
    response = accept(client, receiver, letter["code"].lower())  # typed codes are forgiving
    assert response.status_code == 200, response.get_json()
    done = response.get_json()
    assert done["status"] == "completed" and done["to_org_id"] == str(city_a.orgs["2"])
    assert look.member(city_a, member_id).org_id == city_a.orgs["2"]
    assert look.member(city_a, member_id).status == "full"
    assert [k for k, _ in look.events(city_a, member_id)] == ["admitted", "moved"]

    again = accept(client, receiver, letter["code"])  # a retry changes nothing
    assert again.status_code == 200 and again.get_json()["status"] == "completed"
    assert [k for k, _ in look.events(city_a, member_id)] == ["admitted", "moved"]


def test_internal_letter_refused_and_cancelled(client, city_a, add_member, look, admin_a):
    member_id, _ = add_member(city_a, "1")
    letter = issued(client, admin_a, member_id, to_org_id=city_a.orgs["2"])
    missing = client.post(f"/api/v1/transfers/incoming/{letter['code']}/refuse", json={},
                          headers=admin_a)
    assert missing.status_code == 422 and "reason" in error_fields(missing.get_json())
    refused = client.post(f"/api/v1/transfers/incoming/{letter['code']}/refuse",
                          json={"reason": "人员不符"}, headers=admin_a)
    assert refused.status_code == 200, refused.get_json()
    assert refused.get_json()["status"] == "refused"
    assert refused.get_json()["refusal_reason"] == "人员不符"
    assert look.member(city_a, member_id).org_id == city_a.orgs["1"]
    assert accept(client, admin_a, letter["code"]).status_code == 409

    second = issued(client, admin_a, member_id, to_org_id=city_a.orgs["2"])
    cancelled = client.post(f"/api/v1/transfers/{second['id']}/cancel", headers=admin_a)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert accept(client, admin_a, second["code"]).status_code == 409
    again = client.post(f"/api/v1/transfers/{second['id']}/cancel", headers=admin_a)
    assert again.status_code == 409
    assert look.member(city_a, member_id).org_id == city_a.orgs["1"]


def test_issuing_is_checked(client, city_a, city_b, add_member, admin_a, auth_headers):
    member_id, _ = add_member(city_a, "1")
    both = issue(client, admin_a, member_id, to_org_id=city_a.orgs["2"], to_tenant=city_b.slug)
    assert both.status_code == 422 and {"to_org_id", "to_tenant"} <= error_fields(both.get_json())
    neither = issue(client, admin_a, member_id)
    assert neither.status_code == 422
    same = issue(client, admin_a, member_id, to_org_id=city_a.orgs["1"])
    assert same.status_code == 422 and "to_org_id" in error_fields(same.get_json())
    own = issue(client, admin_a, member_id, to_tenant=city_a.slug)
    assert own.status_code == 422 and "to_tenant" in error_fields(own.get_json())
    unknown = issue(client, admin_a, member_id, to_tenant="nowhere")
    assert unknown.status_code == 404 and "to_tenant" in error_fields(unknown.get_json())
    foreign_org = issue(client, admin_a, member_id, to_org_id=city_b.orgs["1"])
    assert foreign_org.status_code == 404
    late = issue(client, admin_a, member_id, to_org_id=city_a.orgs["2"],
                 expires_on=(date.today() + timedelta(days=400)).isoformat())
    assert late.status_code == 422 and "expires_on" in error_fields(late.get_json())
    blank = issue(client, admin_a, member_id, to_org_id=city_a.orgs["2"], reason="  ")
    assert blank.status_code == 422 and "reason" in error_fields(blank.get_json())
    bad_id = client.post("/api/v1/transfers", json={"member_id": "nope", "reason": "x",
                                                    "to_tenant": city_b.slug}, headers=admin_a)
    assert bad_id.status_code == 422 and "member_id" in error_fields(bad_id.get_json())

    # Only someone keeping the member's register may issue: a keeper elsewhere sees nothing.
    other = auth_headers(city_a.tenant, role="branch_secretary", org=city_a.orgs["2"])
    assert issue(client, other, member_id, to_org_id=city_a.orgs["2"]).status_code == 404
    plain = auth_headers(city_a.tenant, role="member", org=city_a.orgs["1"])
    assert issue(client, plain, member_id, to_org_id=city_a.orgs["2"]).status_code == 403
    keeper = auth_headers(city_a.tenant, role="branch_secretary", org=city_a.orgs["1"])
    assert issue(client, keeper, member_id, to_org_id=city_a.orgs["2"]).status_code == 201

    # One open letter per member.
    twice = issue(client, admin_a, member_id, to_tenant=city_b.slug)
    assert twice.status_code == 409 and "member_id" in error_fields(twice.get_json())


def test_list_filters_and_scope(client, city_a, add_member, admin_a, auth_headers):
    first, _ = add_member(city_a, "1")
    second, _ = add_member(city_a, "2", name="李四")
    issued(client, admin_a, first, to_org_id=city_a.orgs["2"])
    letter = issued(client, admin_a, second, to_org_id=city_a.orgs["1G"])
    client.post(f"/api/v1/transfers/{letter['id']}/cancel", headers=admin_a)

    listed = client.get("/api/v1/transfers", headers=admin_a)
    assert listed.status_code == 200
    assert json.loads(listed.headers["X-Pagination"])["total"] == 2
    pending = client.get("/api/v1/transfers?status=pending", headers=admin_a).get_json()
    assert [x["member_name"] for x in pending] == ["张三"]
    assert client.get("/api/v1/transfers?status=nope", headers=admin_a).status_code == 422
    by_member = client.get(f"/api/v1/transfers?member_id={second}", headers=admin_a).get_json()
    assert [x["status"] for x in by_member] == ["cancelled"]

    # A keeper of branch 2 sees the letter sent to it and the one sent from it, not more.
    keeper = auth_headers(city_a.tenant, role="branch_secretary", org=city_a.orgs["2"])
    seen = client.get("/api/v1/transfers", headers=keeper).get_json()
    assert sorted(x["member_name"] for x in seen) == ["张三", "李四"]
    keeper_g = auth_headers(city_a.tenant, role="branch_secretary", org=city_a.orgs["1G"])
    seen_g = client.get("/api/v1/transfers", headers=keeper_g).get_json()
    assert [x["member_name"] for x in seen_g] == ["李四"]
    hidden = client.get(f"/api/v1/transfers/{pending[0]['id']}", headers=keeper_g)
    assert hidden.status_code == 404
    assert client.get("/api/v1/transfers/not-an-id", headers=admin_a).status_code == 404


# ---------------------------------------------------------------------------------------------
# between tenants


def test_transfer_to_another_tenant(client, city_a, city_b, add_member, look, admin_a, admin_b,
                                    in_tenant):
    member_id, number = add_member(city_a, "1", phone="13900001111")
    letter = issued(client, admin_a, member_id, to_tenant=city_b.slug, to_org_code="B1")
    assert letter["kind"] == "outgoing" and letter["status"] == "pending"
    assert letter["exchange_state"] == "offered" and letter["peer_tenant"] == city_b.slug
    code = letter["code"]

    # B sees the letter waiting, with only what it needs; the person is not in B yet.
    incoming = client.get("/api/v1/transfers/incoming", headers=admin_b)
    assert incoming.status_code == 200, incoming.get_json()
    [offer] = incoming.get_json()
    assert offer["code"] == code and offer["name"] == "张三"
    assert offer["id_number"] != number and offer["id_number"][-4:] == number[-4:]
    assert offer["from_tenant_name"] == "甲市委组织部" and offer["to_org"] == "B1"
    assert "phone" not in offer and "13900001111" not in json.dumps(offer, ensure_ascii=False)
    assert look.members_with(city_b, number) == []
    # Nor does A's incoming list show it: it is addressed to B.
    assert client.get("/api/v1/transfers/incoming", headers=admin_a).get_json() == []

    received = accept(client, admin_b, code, city_b.orgs["1"])
    assert received.status_code == 200, received.get_json()
    receipt = received.get_json()
    assert receipt["kind"] == "incoming" and receipt["status"] == "completed"
    assert receipt["peer_tenant"] == city_a.slug and receipt["to_org_id"] == str(city_b.orgs["1"])

    [arrived] = look.members_with(city_b, number)
    assert arrived.org_id == city_b.orgs["1"] and arrived.status == "full"
    assert arrived.phone == "13900001111" and arrived.joined_on == date(2015, 6, 1)
    assert look.events(city_b, arrived.id) == [("transfer_in", "full")]
    assert str(arrived.id) == receipt["member_id"]

    left = look.member(city_a, member_id)
    assert left.status == "transferred_out" and left.org_id == city_a.orgs["1"]
    assert look.events(city_a, member_id) == [("admitted", "full"), ("transfer_out", "transferred_out")]
    with in_tenant(city_a.tenant):  # A's trail names who acted, from the other city
        [change] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "members",
                                     AuditEntry.action == "update")
        ).all()
        assert change.actor_label.startswith(f"{city_b.slug}: user:")
        assert change.actor_user_id is None  # a user of another tenant is no user here
    sender_view = client.get(f"/api/v1/transfers/{letter['id']}", headers=admin_a).get_json()
    assert sender_view["status"] == "completed" and sender_view["exchange_state"] == "completed"
    assert look.envelope(codes.normalize(code)).state == "completed"

    # Accepting again answers with the same receipt and creates nobody.
    again = accept(client, admin_b, code, city_b.orgs["2"])
    assert again.status_code == 200 and again.get_json()["member_id"] == receipt["member_id"]
    assert len(look.members_with(city_b, number)) == 1 and look.total == 1
    assert look.events(city_a, member_id)[-1] == ("transfer_out", "transferred_out")
    assert len(look.events(city_a, member_id)) == 2
    # B's list shows its copy of the letter.
    assert [x["kind"] for x in client.get("/api/v1/transfers", headers=admin_b).get_json()] == ["incoming"]
    # The incoming list's default is what waits for an answer; state=all shows the rest.
    assert client.get("/api/v1/transfers/incoming", headers=admin_b).get_json() == []
    every = client.get("/api/v1/transfers/incoming?state=all", headers=admin_b).get_json()
    assert [x["state"] for x in every] == ["completed"]


def test_a_member_can_come_back(client, city_a, city_b, add_member, look, admin_a, admin_b):
    member_id, number = add_member(city_a, "1")
    there = issued(client, admin_a, member_id, to_tenant=city_b.slug)
    assert accept(client, admin_b, there["code"], city_b.orgs["2"]).status_code == 200
    [in_b] = look.members_with(city_b, number)
    back = issued(client, admin_b, in_b.id, to_tenant=city_a.slug)
    response = accept(client, admin_a, back["code"], city_a.orgs["2"])
    assert response.status_code == 200, response.get_json()
    # The same record in A, taken in again; B's becomes transferred out.
    assert response.get_json()["member_id"] == str(member_id)
    returned = look.member(city_a, member_id)
    assert returned.status == "full" and returned.org_id == city_a.orgs["2"]
    assert [k for k, _ in look.events(city_a, member_id)] == ["admitted", "transfer_out", "transfer_in"]
    assert look.member(city_b, in_b.id).status == "transferred_out"


def test_refusal_leaves_the_member_where_they_are(client, city_a, city_b, add_member, look,
                                                  admin_a, admin_b, auth_headers):
    member_id, number = add_member(city_a, "1")
    letter = issued(client, admin_a, member_id, to_tenant=city_b.slug)
    secretary_b = auth_headers(city_b.tenant, role="branch_secretary", org=city_b.orgs["1"])
    denied = client.post(f"/api/v1/transfers/incoming/{letter['code']}/refuse",
                         json={"reason": "查无此人"}, headers=secretary_b)
    assert denied.status_code == 403  # refusing another city's letter is the department's call
    refused = client.post(f"/api/v1/transfers/incoming/{letter['code']}/refuse",
                          json={"reason": "查无此人"}, headers=admin_b)
    assert refused.status_code == 200, refused.get_json()
    assert refused.get_json()["exchange_state"] == "refused"

    sender = client.get(f"/api/v1/transfers/{letter['id']}", headers=admin_a).get_json()
    assert sender["status"] == "refused" and sender["refusal_reason"] == "查无此人"
    assert look.member(city_a, member_id).status == "full"
    assert look.events(city_a, member_id) == [("admitted", "full")]
    assert look.members_with(city_b, number) == []
    late = accept(client, admin_b, letter["code"], city_b.orgs["1"])
    assert late.status_code == 409 and look.members_with(city_b, number) == []
    # A refused letter is closed: the sender can issue a new one.
    assert issue(client, admin_a, member_id, to_tenant=city_b.slug).status_code == 201


def test_cancel_before_and_after_the_answer(client, city_a, city_b, add_member, look, admin_a,
                                            admin_b):
    first, number = add_member(city_a, "1")
    letter = issued(client, admin_a, first, to_tenant=city_b.slug)
    cancelled = client.post(f"/api/v1/transfers/{letter['id']}/cancel", headers=admin_a)
    assert cancelled.status_code == 200 and cancelled.get_json()["exchange_state"] == "cancelled"
    assert accept(client, admin_b, letter["code"], city_b.orgs["1"]).status_code == 409
    assert look.members_with(city_b, number) == []

    second, _ = add_member(city_a, "1", name="李四")
    answered = issued(client, admin_a, second, to_tenant=city_b.slug)
    assert accept(client, admin_b, answered["code"], city_b.orgs["1"]).status_code == 200
    too_late = client.post(f"/api/v1/transfers/{answered['id']}/cancel", headers=admin_a)
    assert too_late.status_code == 409
    assert look.member(city_a, second).status == "transferred_out"


def test_tenants_do_not_see_each_others_letters(client, city_a, city_b, add_member, admin_a,
                                                admin_b, auth_headers):
    member_id, _ = add_member(city_a, "1")
    letter = issued(client, admin_a, member_id, to_tenant=city_b.slug)
    internal_id, _ = add_member(city_a, "1", name="李四")
    internal = issued(client, admin_a, internal_id, to_org_id=city_a.orgs["2"])

    # B knows neither letter by id, even the one addressed to it.
    for known in (letter, internal):
        assert client.get(f"/api/v1/transfers/{known['id']}", headers=admin_b).status_code == 404
        assert client.post(f"/api/v1/transfers/{known['id']}/cancel",
                           headers=admin_b).status_code == 404
    assert client.get("/api/v1/transfers", headers=admin_b).get_json() == []
    # A's internal letter's code means nothing in B; nor does a wrong or malformed code.
    assert accept(client, admin_b, internal["code"], city_b.orgs["1"]).status_code == 404
    wrong = letter["code"][:-1] + ("0" if letter["code"][-1] != "0" else "1")
    assert accept(client, admin_b, wrong, city_b.orgs["1"]).status_code == 404
    assert accept(client, admin_b, "nonsense", city_b.orgs["1"]).status_code == 404
    assert client.post(f"/api/v1/transfers/incoming/{wrong}/refuse", json={"reason": "x"},
                       headers=admin_b).status_code == 404
    # B cannot take the member into one of A's organisations.
    assert accept(client, admin_b, letter["code"], city_a.orgs["1"]).status_code == 404
    # Nor can A accept its own letter, nor a third city.
    assert accept(client, admin_a, letter["code"], city_a.orgs["2"]).status_code == 404
    # The receiver must name where the member goes.
    unnamed = accept(client, admin_b, letter["code"])
    assert unnamed.status_code == 422 and "org_id" in error_fields(unnamed.get_json())
    # A keeper of one branch of B cannot accept into another branch.
    keeper = auth_headers(city_b.tenant, role="branch_secretary", org=city_b.orgs["2"])
    assert accept(client, keeper, letter["code"], city_b.orgs["1"]).status_code == 404
    assert accept(client, keeper, letter["code"], city_b.orgs["2"]).status_code == 200
    # Only organisation managers see the incoming list.
    assert client.get("/api/v1/transfers/incoming", headers=keeper).status_code == 403
