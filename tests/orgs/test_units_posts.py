"""Units an organisation serves (with the credit code check) and its committee posts with
their history."""

from __future__ import annotations

import pytest

from core.db import db
from core.orgs import service as orgs
from core.orgs.units import credit_code_problem
from tests.orgs.conftest import new_member
from tests.support.auth import error_fields


@pytest.mark.parametrize(
    "code, valid",
    [
        ("91350100M000100Y43", True),
        ("91110000100010310K", True),
        ("91350100M000100Y44", False),  # check character
        ("91350100M00010Y43", False),  # 17 characters
        ("9135010OM000100Y43", False),  # O is not in the alphabet
        ("91AB0100M000100Y43", False),  # division code must be digits
    ],
)
def test_credit_code_check(code, valid):
    assert (credit_code_problem(code) is None) == valid


@pytest.fixture
def branch(tenant, in_tenant):
    """R → B (a branch) and S (its sibling), with a member M in B. Returns ids."""
    with in_tenant(tenant):
        r = orgs.create(name="市委", code="R", kind="committee")
        b = orgs.create(name="支部", code="B", kind="branch", parent=r)
        s = orgs.create(name="兄弟支部", code="S", kind="branch", parent=r)
        m = new_member(b, name="张三")
        gone = new_member(b, name="李四", status="left")
        db.session.commit()
        return {"R": r.id, "B": b.id, "S": s.id, "M": m.id, "gone": gone.id}


def test_units(client, tenant, branch, auth_headers):
    headers = auth_headers(tenant)
    url = f"/api/v1/orgs/{branch['B']}/units"
    bad = client.post(url, json={"name": "某公司", "unit_type": "enterprise",
                                 "credit_code": "91350100M000100Y44"}, headers=headers)
    assert bad.status_code == 422 and "credit_code" in error_fields(bad.get_json())
    wrong_type = client.post(url, json={"name": "x", "unit_type": "club"}, headers=headers)
    assert wrong_type.status_code == 422 and "unit_type" in error_fields(wrong_type.get_json())
    undeclared = client.post(url, json={"name": "某公司", "unit_type": "enterprise",
                                        "attributes": {"employees": 120}}, headers=headers)
    assert undeclared.status_code == 422  # no plugin declares attributes for this unit
    assert "attributes.employees" in error_fields(undeclared.get_json())
    made = client.post(url, json={"name": "某公司", "unit_type": "enterprise",
                                  "credit_code": " 91350100m000100y43 "}, headers=headers)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["credit_code"] == "91350100M000100Y43"
    client.post(url, json={"name": "桃源村", "unit_type": "village"}, headers=headers)
    listed = client.get(url, headers=headers).get_json()
    assert {u["name"] for u in listed} == {"某公司", "桃源村"}
    assert {u["unit_type"] for u in listed} == {"enterprise", "village"}

    secretary = auth_headers(tenant, role="branch_secretary", org=branch["B"])
    assert client.get(url, headers=secretary).status_code == 200
    assert client.post(url, json={"name": "y", "unit_type": "other"},
                       headers=secretary).status_code == 403
    # a secretary keeps the unit's figures (attributes) but not its name or type
    unit_url = f"{url}/{made.get_json()['id']}"
    assert client.patch(unit_url, json={"attributes": {}}, headers=secretary).status_code == 200
    assert client.patch(unit_url, json={"name": "改名"}, headers=secretary).status_code == 403
    sibling = auth_headers(tenant, role="org_manager", org=branch["S"])
    assert client.get(url, headers=sibling).status_code == 404
    unit_id = made.get_json()["id"]
    assert client.delete(f"{url}/{unit_id}", headers=sibling).status_code == 404
    assert client.delete(f"{url}/{unit_id}", headers=headers).status_code == 204
    assert client.delete(f"{url}/{unit_id}", headers=headers).status_code == 404
    assert len(client.get(url, headers=headers).get_json()) == 1


def test_posts_and_their_history(client, tenant, branch, auth_headers):
    headers = auth_headers(tenant)
    url = f"/api/v1/orgs/{branch['B']}/posts"

    def start(**body):
        return client.post(url, json={"started_on": "2021-01-01", **body}, headers=headers)

    secretary = start(post="secretary", member_id=str(branch["M"]))
    assert secretary.status_code == 201, secretary.get_json()
    assert secretary.get_json()["holder_name"] == "张三"
    cases = [
        ({"post": "chairman", "person_name": "x"}, 422, "post"),
        ({"post": "deputy_secretary"}, 422, "member_id"),
        ({"post": "deputy_secretary", "person_name": "x", "member_id": str(branch["M"])}, 422,
         "person_name"),
        ({"post": "deputy_secretary", "member_id": str(branch["gone"])}, 422, "member_id"),
        ({"post": "deputy_secretary", "member_id": "01900000-0000-7000-8000-000000000000"}, 422,
         "member_id"),
        ({"post": "secretary", "person_name": "王五"}, 409, "post"),  # one secretary at a time
        ({"post": "deputy_secretary", "person_name": "x", "started_on": "soon"}, 422,
         "started_on"),
    ]
    for body, status, field in cases:
        response = start(**body)
        assert response.status_code == status, (body, response.get_json())
        assert field in error_fields(response.get_json()), (body, response.get_json())
    assert start(post="committee_member", person_name="第一书记 赵六").status_code == 201

    detail = client.get(f"/api/v1/orgs/{branch['B']}", headers=headers).get_json()
    assert detail["secretary"] == "张三"
    post_id = secretary.get_json()["id"]
    too_early = client.post(f"{url}/{post_id}/end", json={"ended_on": "2020-01-01"},
                            headers=headers)
    assert too_early.status_code == 422 and "ended_on" in error_fields(too_early.get_json())
    ended = client.post(f"{url}/{post_id}/end", json={"ended_on": "2024-01-01", "reason": "换届"},
                        headers=headers)
    assert ended.status_code == 200 and ended.get_json()["ended_on"] == "2024-01-01"
    again = client.post(f"{url}/{post_id}/end", json={"ended_on": "2024-02-01"}, headers=headers)
    assert again.status_code == 409
    assert start(post="secretary", person_name="王五", started_on="2024-01-01").status_code == 201

    current = client.get(url, headers=headers).get_json()
    assert [(p["post"], p["holder_name"]) for p in current] == [
        ("secretary", "王五"), ("committee_member", "第一书记 赵六")]
    history = client.get(f"{url}?include_ended=true", headers=headers).get_json()
    assert [(p["post"], p["holder_name"], p["ended_on"]) for p in history][:2] == [
        ("secretary", "张三", "2024-01-01"), ("secretary", "王五", None)]
    assert client.get(f"/api/v1/orgs/{branch['B']}", headers=headers).get_json()[
        "secretary"] == "王五"

    secretary_headers = auth_headers(tenant, role="branch_secretary", org=branch["B"])
    assert client.get(url, headers=secretary_headers).status_code == 200
    assert client.post(url, json={"post": "committee_member", "person_name": "x",
                                  "started_on": "2024-01-01"},
                       headers=secretary_headers).status_code == 403
    assert client.post(f"/api/v1/orgs/{branch['S']}/posts/{post_id}/end",
                       json={"ended_on": "2024-02-01"}, headers=headers).status_code == 404
