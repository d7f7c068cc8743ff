"""The points API: rules (the tenant's own and changes to plugin rules), entries recorded and
approved by different people, attachments, settings, the user ↔ member link, permissions,
tenant isolation and bad input answered 4xx naming the field."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from core.db import db
from core.points.models import PointEntry
from tests.points.conftest import new_member
from tests.support.auth import error_fields

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_rules_listing_and_tenant_rules(client, tenant, tenant_b, auth_headers):
    admin = auth_headers(tenant)
    member = auth_headers(tenant, role="member")
    rules = {r["key"]: r for r in client.get("/api/v1/points/rules", headers=member).get_json()}
    assert {"life.attendance", "dues.on_time", "points.volunteering", "points.study",
            "points.pioneer", "points.breach"} <= set(rules)
    assert rules["life.attendance"]["collected"] is True and rules["points.breach"]["points"] == "-10.00"
    assert rules["points.volunteering"]["yearly_cap"] == "50.00"

    body = {"key": "tenant.flood", "name": "抗洪抢险", "points": 8, "category": "volunteering",
            "yearly_cap": 16, "evidence_required": True}
    assert client.post("/api/v1/points/rules", json=body, headers=member).status_code == 403
    made = client.post("/api/v1/points/rules", json=body, headers=admin)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["source"] == "tenant" and made.get_json()["points"] == "8.00"
    assert client.post("/api/v1/points/rules", json=body, headers=admin).status_code == 409
    bad = client.post("/api/v1/points/rules", headers=admin, json={
        "key": "points.mine", "name": "", "points": 0, "category": "x", "yearly_cap": -1})
    assert bad.status_code == 422
    assert error_fields(bad.get_json()) == {"key", "name", "points", "category", "yearly_cap"}
    off = client.patch("/api/v1/points/rules/tenant.flood", json={"active": False, "points": 9},
                       headers=admin)
    assert off.get_json()["active"] is False and off.get_json()["points"] == "9.00"
    # another tenant has none of it
    other = auth_headers(tenant_b)
    keys = {r["key"] for r in client.get("/api/v1/points/rules", headers=other).get_json()}
    assert "tenant.flood" not in keys
    assert client.patch("/api/v1/points/rules/tenant.flood", json={"active": True},
                        headers=other).status_code == 404


def test_overriding_a_plugin_rule(client, tenant, auth_headers):
    admin = auth_headers(tenant)
    url = "/api/v1/points/rules/points.volunteering"
    changed = client.patch(url, json={"points": 3, "yearly_cap": None}, headers=admin).get_json()
    assert changed["points"] == "3.00" and changed["yearly_cap"] is None
    assert sorted(changed["overridden"]) == ["points", "yearly_cap"]
    assert changed["default_points"] == "5.00" and changed["default_yearly_cap"] == "50.00"
    refused = client.patch(url, json={"name": "改名", "points": -3}, headers=admin)
    assert refused.status_code == 422 and "name" in error_fields(refused.get_json())
    sign = client.patch(url, json={"points": -3}, headers=admin)
    assert sign.status_code == 422 and error_fields(sign.get_json()) == {"points"}
    back = client.patch(url, json={"reset": True}, headers=admin).get_json()
    assert (back["points"], back["yearly_cap"], back["overridden"]) == ("5.00", "50.00", [])
    assert client.patch("/api/v1/points/rules/nope.x", json={"active": False},
                        headers=admin).status_code == 404


def test_entries_recorded_by_one_approved_by_another(client, tenant, in_tenant, tree,
                                                     auth_headers):
    with in_tenant(tenant):
        m = new_member(tree["G"])
        db.session.commit()
        member_id = str(m.id)
    recorder = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    approver = auth_headers(tenant, role="org_manager", org=tree["C"])
    other_branch = auth_headers(tenant, role="branch_secretary", org=tree["Y"])
    plain = auth_headers(tenant, role="member", org=tree["X"])
    body = {"member_id": member_id, "rule_key": "points.volunteering",
            "occurred_on": "2025-05-04", "evidence": "社区清扫"}
    assert client.post("/api/v1/points/entries", json=body, headers=plain).status_code == 403
    assert client.post("/api/v1/points/entries", json=body, headers=other_branch).status_code == 422
    made = client.post("/api/v1/points/entries", json=body, headers=recorder)
    assert made.status_code == 201, made.get_json()
    entry = made.get_json()
    assert entry["status"] == "pending" and entry["points"] is None
    assert entry["requested_points"] == "5.00" and entry["org_id"] == str(tree["G"])
    url = f"/api/v1/points/entries/{entry['id']}"

    upload = client.post(f"{url}/attachment", headers=recorder, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(PNG), "照片.png")})
    assert upload.status_code == 200, upload.get_json()
    assert upload.get_json()["attachment_name"] == "照片.png"
    got = client.get(f"{url}/attachment", headers=approver)
    assert got.status_code == 200 and got.data == PNG
    fake = client.post(f"{url}/attachment", headers=recorder, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"not a pdf"), "x.pdf")})
    assert fake.status_code == 422 and "file" in error_fields(fake.get_json())

    own = client.post(f"{url}/approve", headers=recorder)
    assert own.status_code == 403
    assert client.post(f"{url}/approve", headers=other_branch).status_code == 404
    assert client.post(f"{url}/approve", headers=plain).status_code == 403
    done = client.post(f"{url}/approve", headers=approver)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "approved" and done.get_json()["points"] == "5.00"
    assert client.post(f"{url}/approve", headers=approver).status_code == 409
    assert client.post(f"{url}/reject", json={"reason": "x"}, headers=approver).status_code == 409

    listed = client.get("/api/v1/points/entries?year=2025&status=approved", headers=recorder)
    assert [e["id"] for e in listed.get_json()] == [entry["id"]]
    assert client.get("/api/v1/points/entries", headers=other_branch).get_json() == []
    assert client.get("/api/v1/points/entries", headers=plain).status_code == 403
    bad = client.get("/api/v1/points/entries?status=odd&year=x", headers=recorder)
    assert bad.status_code == 422 and error_fields(bad.get_json()) == {"status", "year"}


def test_self_approval_where_the_tenant_allows_it(client, tenant, in_tenant, tree, auth_headers):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        db.session.commit()
        member_id = str(m.id)
    admin = auth_headers(tenant)
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    body = {"member_id": member_id, "rule_key": "points.study", "occurred_on": "2025-05-04",
            "approve": True}
    refused = client.post("/api/v1/points/entries", json=body, headers=secretary)
    assert refused.status_code == 422 and error_fields(refused.get_json()) == {"approve"}
    assert client.get("/api/v1/points/settings", headers=secretary).status_code == 403
    settings = client.put("/api/v1/points/settings", json={"self_approve": True}, headers=admin)
    assert settings.status_code == 200 and settings.get_json()["self_approve"] is True
    made = client.post("/api/v1/points/entries", json=body, headers=secretary)
    assert made.status_code == 201 and made.get_json()["status"] == "approved"
    reject_me = client.post("/api/v1/points/entries", headers=secretary,
                            json={**body, "approve": False})
    rejected = client.post(f"/api/v1/points/entries/{reject_me.get_json()['id']}/reject",
                           json={"reason": ""}, headers=admin)
    assert rejected.status_code == 422 and error_fields(rejected.get_json()) == {"reason"}


def test_settings_are_validated_naming_the_field(client, tenant, auth_headers):
    admin = auth_headers(tenant)
    got = client.get("/api/v1/points/settings", headers=admin).get_json()
    assert got["exempt_categories"] == ["mobile", "lost_contact", "elderly"]
    for body, field in (({"exempt_categories": ["martians"]}, "exempt_categories"),
                        ({"gold_threshold": 50}, "gold_threshold"),
                        ({"elderly_age": "old"}, "elderly_age"),
                        ({"colour": "red"}, "colour")):
        bad = client.put("/api/v1/points/settings", json=body, headers=admin)
        assert bad.status_code == 422, body
        assert field in str(bad.get_json()["errors"])
    assert client.put("/api/v1/points/settings", data="[]", headers={
        **admin, "Content-Type": "application/json"}).status_code == 422


def test_bad_entry_input_names_the_field_and_writes_nothing(client, tenant, in_tenant, tree,
                                                           auth_headers):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        db.session.commit()
        member_id = str(m.id)
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    cases = [
        ({"rule_key": "points.study"}, {"member_id", "occurred_on"}),
        ({"member_id": "x", "rule_key": "points.study", "occurred_on": "yesterday"},
         {"member_id", "occurred_on"}),
        ({"member_id": member_id, "rule_key": "points.none", "occurred_on": "2025-01-01"},
         {"rule_key"}),
        ({"member_id": member_id, "rule_key": "points.pioneer", "occurred_on": "2025-01-01"},
         {"evidence"}),
        ({"member_id": member_id, "rule_key": "points.study",
          "occurred_on": (date.today().replace(year=date.today().year + 1)).isoformat()},
         {"occurred_on"}),
    ]
    for body, fields in cases:
        response = client.post("/api/v1/points/entries", json=body, headers=secretary)
        assert response.status_code == 422, (body, response.get_json())
        assert error_fields(response.get_json()) == fields, body
    with in_tenant(tenant):
        assert db.session.scalar(select(PointEntry.id)) is None


def test_another_tenants_ids_are_404(client, tenant, tenant_b, in_tenant, tree, auth_headers):
    with in_tenant(tenant):
        m = new_member(tree["X"], name="秘密党员")
        db.session.commit()
        member_id = str(m.id)
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    entry = client.post("/api/v1/points/entries", headers=secretary, json={
        "member_id": member_id, "rule_key": "points.study", "occurred_on": "2025-01-01"}).get_json()
    other = auth_headers(tenant_b)
    for method, url in (("get", f"/api/v1/points/entries/{entry['id']}"),
                        ("post", f"/api/v1/points/entries/{entry['id']}/approve"),
                        ("get", f"/api/v1/points/members/{member_id}"),
                        ("post", f"/api/v1/points/members/{member_id}/card")):
        response = client.open(url, method=method.upper(), headers=other)
        assert response.status_code == 404, url
        assert "秘密党员" not in response.get_data(as_text=True)


def test_linking_users_to_members(client, tenant, tenant_b, in_tenant, tree, auth_headers,
                                  make_user):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        db.session.commit()
        member_id = str(m.id)
    admin = auth_headers(tenant)
    first, second = make_user(tenant, role=None), make_user(tenant, role=None)
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    assert client.patch(f"/api/v1/users/{first.id}", json={"member_id": member_id},
                        headers=secretary).status_code == 403
    ok = client.patch(f"/api/v1/users/{first.id}", json={"member_id": member_id}, headers=admin)
    assert ok.status_code == 200 and ok.get_json()["member_id"] == member_id
    taken = client.patch(f"/api/v1/users/{second.id}", json={"member_id": member_id},
                         headers=admin)
    assert taken.status_code == 409 and error_fields(taken.get_json()) == {"member_id"}
    unknown = client.patch(f"/api/v1/users/{second.id}", json={"member_id": "x"}, headers=admin)
    assert unknown.status_code == 422 and error_fields(unknown.get_json()) == {"member_id"}
    missing = client.patch(f"/api/v1/users/{second.id}", json={}, headers=admin)
    assert missing.status_code == 422 and error_fields(missing.get_json()) == {"member_id"}
    other = auth_headers(tenant_b)
    foreign = client.patch(f"/api/v1/users/{second.id}", json={"member_id": member_id},
                           headers=other)
    assert foreign.status_code == 404
    users_b = auth_headers(tenant_b)
    b_user = client.post("/api/v1/users", headers=users_b, json={
        "username": "bee", "password": "Passw0rd!x", "member_id": member_id})
    assert b_user.status_code == 422 and error_fields(b_user.get_json()) == {"member_id"}
    created = client.post("/api/v1/users", headers=admin, json={
        "username": "own", "password": "Passw0rd!x", "member_id": None})
    assert created.status_code == 201 and created.get_json()["member_id"] is None
    unlinked = client.patch(f"/api/v1/users/{first.id}", json={"member_id": None}, headers=admin)
    assert unlinked.get_json()["member_id"] is None
