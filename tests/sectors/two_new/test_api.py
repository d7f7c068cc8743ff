"""The two_new API on both databases: the register's routes, their permissions (members
read, the committee's org_manager writes, anything out of scope is a 404), bad input named
by field, tenant walls, the 两个覆盖 summary, and the sector's attributes through core's
organisation and unit routes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from core.db import db
from core.plugins import service as plugin_service
from tests.sectors.two_new.conftest import TODAY, credit_code, make_comprehensive
from tests.support.auth import error_fields

BASE = "/api/v1/two_new"


@pytest.fixture
def manager(area, auth_headers, tenant):
    return auth_headers(tenant, role="org_manager", org=area["LX"])


DROP = object()


def _unit(client, headers, area, **changes):
    """POST a valid unit with ``changes`` (a value of ``DROP`` leaves the key out)."""
    body = {"org_id": str(area["LX"]), "name": "恒通物流有限公司", "kind": "enterprise",
            "industry": "交通运输业", "employees": 260, "party_members": 5, "full_members": 4}
    body.update(changes)
    return client.post(f"{BASE}/units", json={k: v for k, v in body.items() if v is not DROP},
                       headers=headers)


def test_units_crud_with_coverage(client, area, manager, tenant, in_tenant):
    made = _unit(client, manager, area, credit_code=credit_code(7).lower())
    assert made.status_code == 201, made.get_json()
    unit = made.get_json()
    assert unit["credit_code"] == credit_code(7)
    assert (unit["coverage"], unit["coverage_label"], unit["should_form_own"]) == ("none", "未覆盖", True)
    assert unit["org_name"] == "两新工委" and unit["kind_label"] == "非公有制企业"
    small = _unit(client, manager, area, name="绿源餐饮", party_members=1, full_members=None,
                  covered_by_org_id=str(area["JB"])).get_json()
    assert (small["coverage"], small["full_members"], small["should_form_own"]) == ("joint", 1, False)
    assert small["covered_by_name"] == "园区联合党支部"

    url = f"{BASE}/units/{unit['id']}"
    patched = client.patch(url, json={"covered_by_org_id": str(area["XB"])}, headers=manager)
    assert patched.status_code == 200, patched.get_json()
    assert (patched.get_json()["coverage"], patched.get_json()["should_form_own"]) == ("own", False)
    assert client.get(url, headers=manager).get_json()["covered_by_name"] == "星光科技党支部"

    listed = client.get(f"{BASE}/units", headers=manager)
    assert [u["name"] for u in listed.get_json()] == ["恒通物流有限公司", "绿源餐饮"]
    assert listed.headers.get("X-Pagination")
    by_coverage = client.get(f"{BASE}/units?coverage=joint", headers=manager).get_json()
    assert [u["name"] for u in by_coverage] == ["绿源餐饮"]
    closed = client.patch(url, json={"closed_on": TODAY.isoformat()}, headers=manager)
    assert closed.status_code == 200
    assert [u["name"] for u in client.get(f"{BASE}/units", headers=manager).get_json()] == ["绿源餐饮"]
    assert len(client.get(f"{BASE}/units?include_closed=true", headers=manager).get_json()) == 2

    assert client.delete(url, headers=manager).status_code == 204
    assert client.get(url, headers=manager).status_code == 404


def test_should_form_filter_and_coverage_summary(client, area, manager, tenant, in_tenant):
    zhang = client.post(f"{BASE}/instructors", headers=manager, json={
        "org_id": str(area["LX"]), "person_name": "周建华", "employer": "市市场监管局",
        "started_on": "2025-03-01"}).get_json()
    _unit(client, manager, area)  # 4 full members, nothing: 应建尽建 and uncovered
    _unit(client, manager, area, name="星光科技", party_members=8, full_members=7,
          covered_by_org_id=str(area["XB"]), instructor_id=zhang["id"])
    _unit(client, manager, area, name="绿源餐饮", party_members=1, full_members=1,
          instructor_id=zhang["id"])
    _unit(client, manager, area, name="博远教育", party_members=0, full_members=0)
    flagged = client.get(f"{BASE}/units?should_form=true", headers=manager).get_json()
    assert [u["name"] for u in flagged] == ["恒通物流有限公司"]
    summary = client.get(f"{BASE}/coverage?org={area['LX']}", headers=manager)
    assert summary.status_code == 200, summary.get_json()
    figures = summary.get_json()
    assert figures["units"] == 4
    assert figures["by_coverage"] == {"own": 1, "joint": 0, "instructor": 1, "none": 2}
    assert (figures["with_members"], figures["organisation_covered"]) == (3, 1)
    assert figures["organisation_coverage_rate"] == pytest.approx(33.33)
    assert figures["work_coverage_rate"] == 50.0
    assert [u["name"] for u in figures["should_form"]] == ["恒通物流有限公司"]
    assert sorted(u["name"] for u in figures["uncovered"]) == ["博远教育", "恒通物流有限公司"]
    assert figures["instructors_in_post"] == 1
    instructor = client.get(f"{BASE}/instructors/{zhang['id']}", headers=manager).get_json()
    assert (instructor["units"], instructor["in_post"], instructor["role_label"]) == (2, True, "党建指导员")


def test_bad_unit_input_is_named(client, area, manager, tenant, in_tenant, auth_headers):
    cases = [
        ({"name": DROP}, "name"),
        ({"kind": "company"}, "kind"),
        ({"credit_code": "91320102MA00000070"}, "credit_code"),  # wrong check character
        ({"credit_code": "ABC"}, "credit_code"),
        ({"party_members": 2, "full_members": 3}, "full_members"),
        ({"employees": 3, "party_members": 5}, "party_members"),
        ({"party_members": -1}, "party_members"),
        ({"covered_by_org_id": str(uuid.uuid4())}, "covered_by_org_id"),
        ({"covered_by_org_id": str(area["OT"])}, "covered_by_org_id"),  # outside the subtree
        ({"covered_by_org_id": "not-an-id"}, "covered_by_org_id"),
        ({"instructor_id": str(uuid.uuid4())}, "instructor_id"),
        ({"surveyed_on": (TODAY + timedelta(days=3)).isoformat()}, "surveyed_on"),
        ({"org_id": str(area["XB"])}, "org_id"),  # a branch keeps no register
    ]
    for changes, field in cases:
        response = _unit(client, manager, area, **changes)
        assert response.status_code == 422, (changes, response.get_json())
        assert field in error_fields(response.get_json()), (changes, response.get_json())
    ended = client.post(f"{BASE}/instructors", headers=manager, json={
        "org_id": str(area["LX"]), "person_name": "刘志刚", "started_on": "2024-01-01",
        "ended_on": (TODAY - timedelta(days=1)).isoformat()}).get_json()
    response = _unit(client, manager, area, instructor_id=ended["id"])
    assert response.status_code == 422 and "instructor_id" in error_fields(response.get_json())
    first = _unit(client, manager, area, credit_code=credit_code(3))
    assert first.status_code == 201
    again = _unit(client, manager, area, name="另一家", credit_code=credit_code(3))
    assert again.status_code == 409 and "credit_code" in error_fields(again.get_json())
    url = f"{BASE}/units/{first.get_json()['id']}"
    for body, field in [({"full_members": 9}, "full_members"), ({"name": ""}, "name"),
                        ({"kind": None}, "kind"), ({"bogus": 1}, "bogus")]:
        response = client.patch(url, json=body, headers=manager)
        assert response.status_code == 422 and field in error_fields(response.get_json()), response.get_json()
    with in_tenant(tenant):
        from plugins.two_new.models import TwoNewUnit

        assert db.session.query(TwoNewUnit).count() == 1  # nothing half-written


def test_permissions_and_scope(client, area, manager, tenant, auth_headers):
    unit = _unit(client, manager, area).get_json()
    url = f"{BASE}/units/{unit['id']}"
    member = auth_headers(tenant, role="member", org=area["LX"])
    assert client.get(url, headers=member).status_code == 200
    assert _unit(client, member, area, name="乙").status_code == 403
    assert client.patch(url, json={"name": "乙"}, headers=member).status_code == 403
    assert client.delete(url, headers=member).status_code == 403
    # a secretary of a branch elsewhere sees nothing of the committee's register
    elsewhere = auth_headers(tenant, role="branch_secretary", org=area["QB"])
    assert client.get(url, headers=elsewhere).status_code == 404
    assert client.patch(url, json={"name": "乙"}, headers=elsewhere).status_code == 404
    assert _unit(client, elsewhere, area, name="乙").status_code == 404
    assert client.get(f"{BASE}/units", headers=elsewhere).get_json() == []
    assert client.get(f"{BASE}/units?org={area['LX']}", headers=elsewhere).status_code == 404
    assert client.get(f"{BASE}/coverage?org={area['LX']}", headers=elsewhere).status_code == 404
    # even the branch covered by the register keeps no register of its own
    secretary = auth_headers(tenant, role="branch_secretary", org=area["XB"])
    assert client.get(url, headers=secretary).status_code == 404
    for bad in ("not-an-id", str(uuid.uuid4())):
        assert client.get(f"{BASE}/units/{bad}", headers=manager).status_code == 404
        assert client.get(f"{BASE}/instructors/{bad}", headers=manager).status_code == 404
        assert client.get(f"{BASE}/groups/{bad}", headers=manager).status_code == 404
    assert client.get(f"{BASE}/units", headers={"X-Tenant": manager["X-Tenant"]}).status_code == 401


def test_another_tenants_ids_are_404(client, area, manager, tenant_b, in_tenant, auth_headers):
    unit = _unit(client, manager, area).get_json()
    group = client.post(f"{BASE}/groups", headers=manager, json={
        "org_id": str(area["LX"]), "kind": "courier", "name": "某快递", "workers": 30}).get_json()
    with in_tenant(tenant_b):
        plugin_service.set_enabled("two_new", True)
        db.session.commit()
    other = auth_headers(tenant_b)
    assert client.get(f"{BASE}/units/{unit['id']}", headers=other).status_code == 404
    assert client.patch(f"{BASE}/units/{unit['id']}", json={"name": "x"}, headers=other).status_code == 404
    assert client.get(f"{BASE}/groups/{group['id']}", headers=other).status_code == 404
    assert client.get(f"{BASE}/units", headers=other).get_json() == []
    assert _unit(client, other, area).status_code == 404  # the org id is another tenant's


def test_instructors(client, area, manager, tenant, in_tenant, add_member, auth_headers):
    with in_tenant(tenant):
        from tests.sectors.two_new.conftest import org

        cadre = add_member(org("LX", area), name="周建华")
        stranger = add_member(org("OT", area), name="外单位党员")
        db.session.commit()
        cadre_id, stranger_id = str(cadre.id), str(stranger.id)
    made = client.post(f"{BASE}/instructors", headers=manager, json={
        "org_id": str(area["LX"]), "member_id": cadre_id, "role": "first_secretary",
        "started_on": "2025-03-01"})
    assert made.status_code == 201, made.get_json()
    row = made.get_json()
    assert (row["person_name"], row["role_label"], row["in_post"]) == ("周建华", "党建第一书记", True)
    for body, field in [({"person_name": None, "member_id": None}, "person_name"),
                        ({"role": "boss"}, "role"), ({"started_on": None}, "started_on"),
                        ({"member_id": str(uuid.uuid4())}, "member_id"),
                        ({"member_id": stranger_id}, "member_id"),  # exists, but out of scope
                        ({"ended_on": "2020-01-01", "started_on": "2021-01-01"}, "ended_on")]:
        payload = {"org_id": str(area["LX"]), "person_name": "某人", "started_on": "2025-01-01", **body}
        payload = {k: v for k, v in payload.items() if v is not None}
        response = client.post(f"{BASE}/instructors", headers=manager, json=payload)
        assert response.status_code == 422 and field in error_fields(response.get_json()), (body, response.get_json())
    unit = _unit(client, manager, area, instructor_id=row["id"]).get_json()
    assert unit["coverage"] == "instructor"
    url = f"{BASE}/instructors/{row['id']}"
    assert client.delete(url, headers=manager).status_code == 409
    ended = client.patch(url, headers=manager, json={"ended_on": TODAY.isoformat(), "end_reason": "期满"})
    assert ended.status_code == 200 and ended.get_json()["in_post"] is False
    assert client.get(f"{BASE}/units/{unit['id']}", headers=manager).get_json()["coverage"] == "none"
    assert [i["person_name"] for i in client.get(f"{BASE}/instructors?in_post=false",
                                                  headers=manager).get_json()] == ["周建华"]
    assert client.get(f"{BASE}/instructors?in_post=true", headers=manager).get_json() == []
    member = auth_headers(tenant, role="member", org=area["LX"])
    assert client.patch(url, headers=member, json={"phone": "1"}).status_code == 403
    client.patch(f"{BASE}/units/{unit['id']}", headers=manager, json={"instructor_id": None})
    assert client.delete(url, headers=manager).status_code == 204


def test_groups(client, area, manager, tenant, in_tenant):
    body = {"org_id": str(area["LX"]), "kind": "delivery_rider", "name": "美团外卖配送员",
            "workers": 1250, "party_members": 17, "covering_org_id": str(area["LX"])}
    not_comprehensive = client.post(f"{BASE}/groups", headers=manager, json=body)
    assert not_comprehensive.status_code == 422
    assert "covering_org_id" in error_fields(not_comprehensive.get_json())
    with in_tenant(tenant):
        make_comprehensive(area, "LX", covers=["courier"])
        db.session.commit()
    wrong_kind = client.post(f"{BASE}/groups", headers=manager, json=body)
    assert wrong_kind.status_code == 422 and "covering_org_id" in error_fields(wrong_kind.get_json())
    for changes, field in [({"workers": 10}, "party_members"), ({"kind": "pilot"}, "kind"),
                           ({"covering_org_id": str(area["XB"])}, "covering_org_id"),
                           ({"workers": None}, "workers")]:
        payload = {k: v for k, v in {**body, **changes}.items() if v is not None}
        response = client.post(f"{BASE}/groups", headers=manager, json=payload)
        assert response.status_code == 422 and field in error_fields(response.get_json()), response.get_json()
    riders = client.post(f"{BASE}/groups", headers=manager, json={**body, "covering_org_id": None})
    assert riders.status_code == 201 and riders.get_json()["covered"] is False
    couriers = client.post(f"{BASE}/groups", headers=manager, json={
        **body, "kind": "courier", "name": "顺丰快递员", "workers": 300})
    assert couriers.status_code == 201, couriers.get_json()
    assert (couriers.get_json()["covered"], couriers.get_json()["kind_label"]) == (True, "快递员")
    assert [g["name"] for g in client.get(f"{BASE}/groups?covered=false", headers=manager).get_json()] \
        == ["美团外卖配送员"]
    assert [g["name"] for g in client.get(f"{BASE}/groups?kind=courier", headers=manager).get_json()] \
        == ["顺丰快递员"]
    url = f"{BASE}/groups/{riders.get_json()['id']}"
    moved = client.patch(url, headers=manager, json={"kind": "courier", "covering_org_id": str(area["LX"])})
    assert moved.status_code == 200 and moved.get_json()["covered"] is True
    assert client.patch(url, headers=manager, json={"kind": "truck_driver"}).status_code == 422
    summary = client.get(f"{BASE}/coverage?org={area['LX']}", headers=manager).get_json()
    assert (summary["groups"], summary["groups_covered"], summary["group_workers"]) == (2, 2, 1550)
    assert client.delete(url, headers=manager).status_code == 204


def test_sector_attributes_through_core_routes(client, area, tenant, auth_headers):
    admin = auth_headers(tenant)
    url = f"/api/v1/orgs/{area['XB']}"
    bad = client.patch(url, headers=admin, json={"attributes": {"nine_haves": ["有党旗", "有食堂"]}})
    assert bad.status_code == 422 and "attributes.nine_haves.1" in error_fields(bad.get_json())
    twice = client.patch(url, headers=admin, json={"attributes": {"nine_haves": ["有党旗", "有党旗"]}})
    assert twice.status_code == 422 and "attributes.nine_haves" in error_fields(twice.get_json())
    ok = client.patch(url, headers=admin, json={"attributes": {"nine_haves": ["有党旗", "有党建制度"],
                                                               "secretary_source": "owner"}})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["attributes"]["nine_haves"] == ["有党旗", "有党建制度"]
    branch_comprehensive = client.patch(url, headers=admin, json={"attributes": {"comprehensive": True}})
    assert branch_comprehensive.status_code == 422
    committee = f"/api/v1/orgs/{area['LX']}"
    lonely = client.patch(committee, headers=admin, json={"attributes": {"covers_groups": ["courier"]}})
    assert lonely.status_code == 422 and "attributes.covers_groups" in error_fields(lonely.get_json())
    good = client.patch(committee, headers=admin, json={"attributes": {
        "comprehensive": True, "covers_groups": ["courier", "delivery_rider"]}})
    assert good.status_code == 200, good.get_json()
    units = f"{url}/units"
    made = client.post(units, headers=admin, json={"name": "星光科技有限公司", "unit_type": "enterprise",
                                                   "attributes": {"employees": 120, "party_members": 8,
                                                                  "industry": "软件业"}})
    assert made.status_code == 201 and made.get_json()["attributes"]["employees"] == 120
    wrong = client.post(units, headers=admin, json={"name": "某", "unit_type": "enterprise",
                                                    "attributes": {"employees": -1}})
    assert wrong.status_code == 422 and "attributes.employees" in error_fields(wrong.get_json())
