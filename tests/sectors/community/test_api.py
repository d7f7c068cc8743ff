"""The community API on both databases: grids, property companies, registrations (双报到)
and services — who may write, bad input named by field, tenant walls, the overview."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.db import db
from core.plugins import service as plugin_service
from core.sdk import credit_code_check_char
from plugins.community.models import Grid, Registration, Service
from tests.support.auth import error_fields

BASE = "/api/v1/community"


def _credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


@pytest.fixture
def secretary(community_city, auth_headers):
    return auth_headers(community_city.tenant, role="branch_secretary", org=community_city.community)


@pytest.fixture
def manager(community_city, auth_headers):
    return auth_headers(community_city.tenant, role="org_manager", org=community_city.street)


def _grid(client, headers, city, **extra):
    body = {"org_id": str(city.community), "name": "第一网格", "households": 420, **extra}
    return client.post(f"{BASE}/grids", json=body, headers=headers)


# -- grids --------------------------------------------------------------------------------------------


def test_the_community_secretary_keeps_its_grids(client, community_city, secretary):
    city = community_city
    response = _grid(client, secretary, city, branch_org_id=str(city.branch), grid_worker_name="张敏")
    assert response.status_code == 201, response.get_json()
    grid = response.get_json()
    assert grid["covered"] is True and grid["branch_name"] == "幸福社区党委第一网格党支部"
    assert grid["org_name"] == "幸福社区党委"

    second = _grid(client, secretary, city, name="第二网格").get_json()
    assert second["covered"] is False
    listed = client.get(f"{BASE}/grids?subtree_of={city.community}", headers=secretary)
    assert listed.status_code == 200
    assert [g["name"] for g in listed.get_json()] == ["第一网格", "第二网格"]

    patched = client.patch(f"{BASE}/grids/{second['id']}", json={"branch_org_id": str(city.group)},
                           headers=secretary)
    assert patched.status_code == 200 and patched.get_json()["covered"] is True
    ended = client.patch(f"{BASE}/grids/{second['id']}", json={"ended_on": "2024-06-30"}, headers=secretary)
    assert ended.get_json()["ended_on"] == "2024-06-30"
    assert len(client.get(f"{BASE}/grids", headers=secretary).get_json()) == 1
    assert len(client.get(f"{BASE}/grids?include_ended=true", headers=secretary).get_json()) == 2
    # the name is free again once the grid ended
    assert _grid(client, secretary, city, name="第二网格").status_code == 201

    assert client.delete(f"{BASE}/grids/{second['id']}", headers=secretary).status_code == 204
    assert client.get(f"{BASE}/grids/{second['id']}", headers=secretary).status_code == 404


def test_a_grid_branch_is_a_branch_or_group_inside_the_community(client, community_city, secretary):
    city = community_city
    for branch_id in (city.organ, city.community, city.street):
        response = _grid(client, secretary, city, branch_org_id=str(branch_id))
        assert response.status_code == 422, branch_id
        assert error_fields(response.get_json()) == {"branch_org_id"}
    assert _grid(client, secretary, city, branch_org_id=str(city.group)).status_code == 201
    clash = _grid(client, secretary, city)
    assert clash.status_code == 409 and error_fields(clash.get_json()) == {"name"}


def test_grids_hang_on_community_organisations_only(client, community_city, auth_headers):
    city = community_city
    admin = auth_headers(city.tenant)
    response = client.post(f"{BASE}/grids", json={"org_id": str(city.organ), "name": "网格"}, headers=admin)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"org_id"}
    response = client.post(f"{BASE}/grids", json={"org_id": str(city.group), "name": "网格"}, headers=admin)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"org_id"}


def test_bad_grid_input_is_named_by_field(client, community_city, secretary):
    city = community_city
    response = client.post(f"{BASE}/grids", json={"org_id": str(city.community), "households": -1,
                                                  "colour": "red"}, headers=secretary)
    assert response.status_code == 422
    assert error_fields(response.get_json()) == {"name", "households", "colour"}
    response = client.post(f"{BASE}/grids", json={"org_id": "nope", "name": "网格"}, headers=secretary)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"org_id"}
    grid = _grid(client, secretary, city).get_json()
    response = client.patch(f"{BASE}/grids/{grid['id']}", json={"name": ""}, headers=secretary)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"name"}


def test_members_cannot_write_and_other_secretaries_see_nothing(client, community_city, secretary,
                                                                auth_headers):
    city = community_city
    grid = _grid(client, secretary, city).get_json()
    member = auth_headers(city.tenant, role="member", org=city.community)
    assert client.get(f"{BASE}/grids/{grid['id']}", headers=member).status_code == 200
    assert _grid(client, member, city, name="另一网格").status_code == 403
    assert client.patch(f"{BASE}/grids/{grid['id']}", json={"households": 1}, headers=member).status_code == 403
    assert client.delete(f"{BASE}/grids/{grid['id']}", headers=member).status_code == 403

    stranger = auth_headers(city.tenant, role="branch_secretary", org=city.organ)
    assert _grid(client, stranger, city, name="另一网格").status_code == 404
    assert client.get(f"{BASE}/grids/{grid['id']}", headers=stranger).status_code == 404
    assert client.patch(f"{BASE}/grids/{grid['id']}", json={"households": 1}, headers=stranger).status_code == 404
    assert client.get(f"{BASE}/grids", headers=stranger).get_json() == []


def test_another_tenants_ids_are_unknown(client, community_city, secretary, tenant_b, in_tenant,
                                        auth_headers):
    grid = _grid(client, secretary, community_city).get_json()
    with in_tenant(tenant_b):
        plugin_service.set_enabled("community", True)
        db.session.commit()
    other = auth_headers(tenant_b)
    assert client.get(f"{BASE}/grids/{grid['id']}", headers=other).status_code == 404
    assert client.delete(f"{BASE}/grids/{grid['id']}", headers=other).status_code == 404
    assert client.get(f"{BASE}/grids", headers=other).get_json() == []
    response = _grid(client, other, community_city)
    assert response.status_code == 404


# -- property companies ---------------------------------------------------------------------------------


def test_property_companies_and_their_agreements(client, community_city, manager, secretary, auth_headers):
    city = community_city
    admin = auth_headers(city.tenant)
    today = date.today()
    body = {"org_id": str(city.community), "name": "阳光物业管理有限公司",
            "credit_code": _credit_code("91320102MA1R2D7L4").lower(), "compounds_served": 2,
            "agreement_signed_on": (today - timedelta(days=400)).isoformat(),
            "agreement_ends_on": (today + timedelta(days=20)).isoformat()}
    assert client.post(f"{BASE}/property-companies", json=body, headers=secretary).status_code == 403
    response = client.post(f"{BASE}/property-companies", json=body, headers=manager)
    assert response.status_code == 201, response.get_json()
    company = response.get_json()
    assert company["credit_code"] == _credit_code("91320102MA1R2D7L4")
    assert company["agreement_valid"] is True and company["red_property"] is True
    assert company["has_party_org"] is False

    expired = client.patch(f"{BASE}/property-companies/{company['id']}",
                           json={"agreement_ends_on": (today - timedelta(days=1)).isoformat()}, headers=manager)
    assert expired.status_code == 200 and expired.get_json()["red_property"] is False
    # the company's Party organisation must be one the user sees (the street's manager does
    # not see the organ branch; the city's administrator does)
    unseen = client.patch(f"{BASE}/property-companies/{company['id']}",
                          json={"party_org_id": str(city.organ)}, headers=manager)
    assert unseen.status_code == 422 and error_fields(unseen.get_json()) == {"party_org_id"}
    with_org = client.patch(f"{BASE}/property-companies/{company['id']}",
                            json={"party_org_id": str(city.organ)}, headers=admin)
    assert with_org.status_code == 200
    assert with_org.get_json()["has_party_org"] is True and with_org.get_json()["red_property"] is True

    listed = client.get(f"{BASE}/property-companies?org_id={city.community}", headers=secretary)
    assert [c["name"] for c in listed.get_json()] == ["阳光物业管理有限公司"]
    again = client.post(f"{BASE}/property-companies", json={**body, "credit_code": None}, headers=manager)
    assert again.status_code == 409 and error_fields(again.get_json()) == {"name"}
    assert client.delete(f"{BASE}/property-companies/{company['id']}", headers=secretary).status_code == 403
    assert client.delete(f"{BASE}/property-companies/{company['id']}", headers=manager).status_code == 204


@pytest.mark.parametrize("change, field", [
    ({"credit_code": "91320102MA1R2D7L40"}, "credit_code"),
    ({"credit_code": "913201"}, "credit_code"),
    ({"agreement_signed_on": "2024-05-01", "agreement_ends_on": "2024-04-30"}, "agreement_ends_on"),
    ({"agreement_ends_on": "2024-04-30"}, "agreement_signed_on"),
    ({"started_on": "2020-01-01", "left_on": "2019-01-01"}, "left_on"),
    ({"has_party_org": False, "party_org_id": "00000000-0000-0000-0000-000000000000"}, "party_org_id"),
    ({"compounds_served": -2}, "compounds_served"),
    ({"agreement_signed_on": "2999-01-01"}, "agreement_signed_on"),
])
def test_bad_company_input_is_named(client, community_city, manager, change, field):
    body = {"org_id": str(community_city.community), "name": "安居物业有限公司", **change}
    response = client.post(f"{BASE}/property-companies", json=body, headers=manager)
    assert response.status_code == 422, response.get_json()
    assert error_fields(response.get_json()) == {field}


def test_a_company_with_a_party_org_says_so(client, community_city, auth_headers):
    city = community_city
    manager = auth_headers(city.tenant)
    body = {"org_id": str(city.community), "name": "幸福物业", "has_party_org": False,
            "party_org_id": str(city.organ)}
    response = client.post(f"{BASE}/property-companies", json=body, headers=manager)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"has_party_org"}


# -- registrations and services ---------------------------------------------------------------------------


def _register(client, headers, city, **extra):
    body = {"org_id": str(city.community), "registered_on": "2024-03-01", **extra}
    return client.post(f"{BASE}/registrations", json=body, headers=headers)


def test_in_service_members_register_and_serve(client, community_city, secretary):
    city = community_city
    grid = _grid(client, secretary, city).get_json()
    response = _register(client, secretary, city, member_id=str(city.outsiders[0]), grid_id=grid["id"])
    assert response.status_code == 201, response.get_json()
    registration = response.get_json()
    assert registration["name"] == "财政0" and registration["in_register"] is True
    assert registration["work_unit"] == "市财政局机关党支部"
    assert registration["services_this_year"] == 0

    this_year = date(date.today().year, 1, 1)
    for served_on in (this_year, this_year, "2024-05-01"):
        service = client.post(f"{BASE}/registrations/{registration['id']}/services", headers=secretary,
                              json={"served_on": str(served_on), "hours": 2.5, "category": "policy",
                                    "activity": "政策宣传"})
        assert service.status_code == 201, service.get_json()
    assert service.get_json()["category_label"] == "政策宣传" and service.get_json()["hours"] == 2.5
    shown = client.get(f"{BASE}/registrations/{registration['id']}", headers=secretary).get_json()
    assert shown["services_this_year"] == 2 and shown["last_served_on"] == this_year.isoformat()
    services = client.get(f"{BASE}/registrations/{registration['id']}/services?year=2024", headers=secretary)
    assert [s["served_on"] for s in services.get_json()] == ["2024-05-01"]

    # ending before a recorded service, or removing a registration with services, is refused
    response = client.patch(f"{BASE}/registrations/{registration['id']}", json={"ended_on": "2024-04-01"},
                            headers=secretary)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"ended_on"}
    response = client.patch(f"{BASE}/registrations/{registration['id']}", json={"registered_on": "2024-06-01"},
                            headers=secretary)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"registered_on"}
    assert client.delete(f"{BASE}/registrations/{registration['id']}", headers=secretary).status_code == 409

    # one open registration per member; a grid in use cannot be removed
    again = _register(client, secretary, city, member_id=str(city.outsiders[0]))
    assert again.status_code == 409 and error_fields(again.get_json()) == {"member_id"}
    assert client.delete(f"{BASE}/grids/{grid['id']}", headers=secretary).status_code == 409

    ended = client.patch(f"{BASE}/registrations/{registration['id']}", json={"ended_on": date.today().isoformat(),
                                                                           "end_reason": "搬离"},
                         headers=secretary)
    assert ended.status_code == 200
    assert client.get(f"{BASE}/registrations", headers=secretary).get_json() == []
    assert len(client.get(f"{BASE}/registrations?state=all", headers=secretary).get_json()) == 1
    assert _register(client, secretary, city, member_id=str(city.outsiders[0]),
                     registered_on=date.today().isoformat()).status_code == 201


@pytest.mark.parametrize("extra, field", [
    ({}, "member_id"),
    ({"member_id": "MEMBER", "person_name": "赵强", "work_unit": "省厅"}, "member_id"),
    ({"person_name": "赵强"}, "work_unit"),
    ({"member_id": "INSIDER"}, "member_id"),
    ({"member_id": "00000000-0000-0000-0000-000000000000"}, "member_id"),
    ({"person_name": "赵强", "work_unit": "省厅", "registered_on": "2999-01-01"}, "registered_on"),
    ({"person_name": "赵强", "work_unit": "省厅", "ended_on": "2024-01-01"}, "ended_on"),
    ({"person_name": "", "work_unit": "省厅"}, "person_name"),
    ({"person_name": "赵强", "work_unit": "省厅", "grid_id": "00000000-0000-0000-0000-000000000000"}, "grid_id"),
])
def test_bad_registrations_are_named(client, community_city, secretary, extra, field):
    city = community_city
    swap = {"MEMBER": str(city.outsiders[0]), "INSIDER": str(city.insider)}
    extra = {k: swap.get(v, v) for k, v in extra.items()}
    response = _register(client, secretary, city, **extra)
    assert response.status_code == 422, response.get_json()
    assert error_fields(response.get_json()) == {field}


def test_bad_services_are_named(client, community_city, secretary, auth_headers):
    city = community_city
    registration = _register(client, secretary, city, person_name="赵强", work_unit="省交通运输厅").get_json()
    url = f"{BASE}/registrations/{registration['id']}/services"
    cases = [
        ({"served_on": "2999-01-01", "activity": "服务"}, "served_on"),
        ({"served_on": "2024-02-01", "activity": "服务"}, "served_on"),
        ({"served_on": "2024-04-01", "activity": ""}, "activity"),
        ({"served_on": "2024-04-01", "activity": "服务", "hours": 0}, "hours"),
        ({"served_on": "2024-04-01", "activity": "服务", "category": "party"}, "category"),
    ]
    for body, field in cases:
        response = client.post(url, json=body, headers=secretary)
        assert response.status_code == 422, (body, response.get_json())
        assert error_fields(response.get_json()) == {field}
    member = auth_headers(city.tenant, role="member", org=city.community)
    assert client.post(url, json={"served_on": "2024-04-01", "activity": "服务"}, headers=member).status_code == 403
    stranger = auth_headers(city.tenant, role="branch_secretary", org=city.organ)
    assert client.post(url, json={"served_on": "2024-04-01", "activity": "服务"}, headers=stranger).status_code == 404
    created = client.post(url, json={"served_on": "2024-04-01", "activity": "服务"}, headers=secretary).get_json()
    assert client.delete(f"{BASE}/services/{created['id']}", headers=stranger).status_code == 404
    assert client.delete(f"{BASE}/services/{created['id']}", headers=member).status_code == 403
    assert client.delete(f"{BASE}/services/{created['id']}", headers=secretary).status_code == 204
    assert client.delete(f"{BASE}/registrations/{registration['id']}", headers=secretary).status_code == 204


def test_refusals_write_nothing(client, community_city, secretary, in_tenant):
    city = community_city
    _register(client, secretary, city, member_id=str(city.insider))
    _grid(client, secretary, city, branch_org_id=str(city.organ))
    with in_tenant(city.tenant):
        assert db.session.query(Registration).count() == 0
        assert db.session.query(Grid).count() == 0
        assert db.session.query(Service).count() == 0


# -- overview ------------------------------------------------------------------------------------------------


def test_the_overview_reads_what_the_indicators_read(client, community_city, secretary, manager, auth_headers):
    city = community_city
    admin = auth_headers(city.tenant)
    attributes = {"population": 10000, "households": 3000, "community_workers": 20,
                  "worker_avg_monthly_pay": 4500, "venue_area_m2": 800.0,
                  "residential_compounds": 5, "owners_committees": 4}
    assert client.patch(f"/api/v1/orgs/{city.community}", json={"attributes": attributes},
                        headers=admin).status_code == 200
    _grid(client, secretary, city, branch_org_id=str(city.branch))
    _grid(client, secretary, city, name="第二网格")
    response = client.get(f"{BASE}/overview?org_id={city.street}", headers=manager)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["communities"] == 1 and body["attributes"]["population"] == 10000
    items = {i["indicator"]: i for i in body["items"]}
    assert items["community.grid_branches"]["value"] == 50 and items["community.grid_branches"]["met"] is False
    assert items["community.worker_staffing"]["value"] == 20 and items["community.worker_staffing"]["met"] is True
    assert items["community.venue_area"]["value"] < 100 and items["community.venue_area"]["met"] is False
    assert items["community.red_property"]["value"] is None
    assert "网格 2 个" in items["community.grid_branches"]["explanation"]
    stranger = auth_headers(city.tenant, role="branch_secretary", org=city.organ)
    assert client.get(f"{BASE}/overview?org_id={city.street}", headers=stranger).status_code == 404
    response = client.get(f"{BASE}/overview", headers=manager)
    assert response.status_code == 422 and error_fields(response.get_json()) == {"org_id"}
