"""An organisation's record: sector attributes validated by a plugin's schema, term lengths
from the sector plugin's settings, 党组织类别 defaults, PATCH, and the list filters."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from marshmallow import Schema, fields, validate

from core.db import db
from core.orgs import service as orgs
from core.plugins import service as plugin_service
from core.plugins import settings as plugin_settings
from core.plugins.manager import get_manager
from core.sdk import Sector, TermSettings, hookimpl
from tests.support.auth import error_fields


class VillageBranchAttributes(Schema):
    village_groups = fields.Int(required=True, validate=validate.Range(min=0))
    collective_income_wan = fields.Float(validate=validate.Range(min=0))


class ExtraAttributes(Schema):
    brand = fields.Str(validate=validate.Length(max=20))


class FourYearTerms(TermSettings):
    branch_term_years = fields.Int(load_default=4, validate=validate.Range(min=1, max=10))


class SectorPlugin:
    """A sector ``test_sector`` whose branches have attributes and 4-year terms."""

    @hookimpl
    def dangjian_sectors(self):
        return [Sector(key="test_sector", name="测试", category_codes=(6, 9))]

    @hookimpl
    def dangjian_settings_schema(self):
        return FourYearTerms

    @hookimpl
    def dangjian_org_attributes(self, sector, kind):
        if sector == "test_sector" and kind in ("branch", "joint_branch"):
            return VillageBranchAttributes
        return None


class EnterpriseAttributes(Schema):
    employees = fields.Int(required=True, validate=validate.Range(min=0))


class ExtraPlugin:
    """A third party adding one field to the same sector's branches, and attributes to the
    enterprises they serve."""

    @hookimpl
    def dangjian_org_attributes(self, sector, kind):
        return ExtraAttributes() if sector == "test_sector" and kind == "branch" else None

    @hookimpl
    def dangjian_unit_attributes(self, sector, unit_type):
        return EnterpriseAttributes if sector == "test_sector" and unit_type == "enterprise" else None


@pytest.fixture
def sector_plugin(tenant, in_tenant):
    pm = get_manager()
    pm.register(SectorPlugin(), name="test_sector_plugin")
    pm.register(ExtraPlugin(), name="test_extra_plugin")
    with in_tenant(tenant):
        plugin_service.set_enabled("test_sector_plugin", True)
        plugin_service.set_enabled("test_extra_plugin", True)
        db.session.commit()
    yield
    pm.unregister(name="test_extra_plugin")
    pm.unregister(name="test_sector_plugin")


@pytest.fixture
def root_id(tenant, in_tenant):
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        db.session.commit()
        return root.id


def _create(client, headers, root_id, **body):
    body = {"name": "支部", "code": "B1", "kind": "branch", "parent_id": str(root_id), **body}
    return client.post("/api/v1/orgs", json=body, headers=headers)


def test_attributes_are_validated_by_the_sector_plugins(client, tenant, root_id, auth_headers,
                                                        sector_plugin):
    headers = auth_headers(tenant)
    cases = [
        ({"village_groups": -1}, "attributes.village_groups"),
        ({"village_groups": "many"}, "attributes.village_groups"),
        ({}, "attributes.village_groups"),  # required by the schema
        ({"village_groups": 3, "bogus": 1}, "attributes.bogus"),
        ({"village_groups": 3, "brand": "长" * 30}, "attributes.brand"),  # the second plugin's
    ]
    for attributes, field in cases:
        response = _create(client, headers, root_id, sector="test_sector", attributes=attributes)
        assert response.status_code == 422, (attributes, response.get_json())
        assert field in error_fields(response.get_json()), (attributes, response.get_json())
    created = _create(client, headers, root_id, sector="test_sector",
                      attributes={"village_groups": "5", "collective_income_wan": 6.5,
                                  "brand": "红色引擎"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["attributes"] == {"village_groups": 5, "collective_income_wan": 6.5,
                                  "brand": "红色引擎"}
    assert body["category_code"] == 6  # the sector's first 党组织类别

    committee = _create(client, headers, root_id, code="C1", kind="committee",
                        sector="test_sector", attributes={"village_groups": 1})
    assert committee.status_code == 422
    assert "attributes.village_groups" in error_fields(committee.get_json())

    org_id = body["id"]
    patched = client.patch(f"/api/v1/orgs/{org_id}", json={"attributes": {"village_groups": -2}},
                           headers=headers)
    assert patched.status_code == 422
    assert "attributes.village_groups" in error_fields(patched.get_json())
    to_committee = client.patch(f"/api/v1/orgs/{org_id}", json={"kind": "committee"},
                                headers=headers)  # its attributes mean nothing for a committee
    assert to_committee.status_code == 422
    assert "attributes.village_groups" in error_fields(to_committee.get_json())
    ok = client.patch(f"/api/v1/orgs/{org_id}", json={"kind": "committee", "attributes": {}},
                      headers=headers)
    assert ok.status_code == 200 and ok.get_json()["attributes"] == {}


def test_a_disabled_plugin_offers_no_sector(client, tenant, root_id, auth_headers, sector_plugin,
                                            in_tenant):
    with in_tenant(tenant):
        plugin_service.set_enabled("test_sector_plugin", False)
        db.session.commit()
    headers = auth_headers(tenant)
    response = _create(client, headers, root_id, sector="test_sector")
    assert response.status_code == 422 and "sector" in error_fields(response.get_json())
    no_schema = _create(client, headers, root_id, attributes={"anything": 1})
    assert no_schema.status_code == 422
    assert "attributes.anything" in error_fields(no_schema.get_json())


def test_a_disabled_plugins_attributes_are_hidden_kept_and_restored(
        client, tenant, root_id, auth_headers, sector_plugin, in_tenant):
    headers = auth_headers(tenant)
    created = _create(client, headers, root_id, sector="test_sector",
                      attributes={"village_groups": 4, "brand": "红色引擎"})
    org_id = created.get_json()["id"]
    unit = client.post(f"/api/v1/orgs/{org_id}/units",
                       json={"name": "某公司", "unit_type": "enterprise", "attributes": {"employees": 40}},
                       headers=headers).get_json()

    def set_extra(enabled):
        with in_tenant(tenant):
            plugin_service.set_enabled("test_extra_plugin", enabled)
            db.session.commit()

    set_extra(False)
    shown = client.get(f"/api/v1/orgs/{org_id}", headers=headers).get_json()
    assert shown["attributes"] == {"village_groups": 4}  # the brand is hidden, not gone
    units = client.get(f"/api/v1/orgs/{org_id}/units", headers=headers).get_json()
    assert units[0]["attributes"] == {}
    # writing the visible attributes keeps the hidden ones
    patched = client.patch(f"/api/v1/orgs/{org_id}", json={"attributes": {"village_groups": 6}},
                           headers=headers)
    assert patched.status_code == 200 and patched.get_json()["attributes"] == {"village_groups": 6}
    renamed = client.patch(f"/api/v1/orgs/{org_id}/units/{unit['id']}", json={"name": "某某公司"},
                           headers=headers)
    assert renamed.status_code == 200, renamed.get_json()
    set_extra(True)
    shown = client.get(f"/api/v1/orgs/{org_id}", headers=headers).get_json()
    assert shown["attributes"] == {"village_groups": 6, "brand": "红色引擎"}
    units = client.get(f"/api/v1/orgs/{org_id}/units", headers=headers).get_json()
    assert units[0]["name"] == "某某公司" and units[0]["attributes"] == {"employees": 40}


def test_unit_attributes_are_validated_by_the_sector_plugins(client, tenant, root_id, auth_headers,
                                                             sector_plugin):
    headers = auth_headers(tenant)
    org_id = _create(client, headers, root_id, sector="test_sector",
                     attributes={"village_groups": 1}).get_json()["id"]
    url = f"/api/v1/orgs/{org_id}/units"
    for attributes, field in [({}, "attributes.employees"), ({"employees": -3}, "attributes.employees"),
                              ({"employees": 3, "typo": 1}, "attributes.typo")]:
        bad = client.post(url, json={"name": "甲", "unit_type": "enterprise", "attributes": attributes},
                          headers=headers)
        assert bad.status_code == 422 and field in error_fields(bad.get_json()), bad.get_json()
    village = client.post(url, json={"name": "乙", "unit_type": "village", "attributes": {"employees": 3}},
                          headers=headers)
    assert village.status_code == 422 and "attributes.employees" in error_fields(village.get_json())
    made = client.post(url, json={"name": "甲", "unit_type": "enterprise",
                                  "attributes": {"employees": "12"}}, headers=headers)
    assert made.status_code == 201 and made.get_json()["attributes"] == {"employees": 12}
    unit_url = f"{url}/{made.get_json()['id']}"
    retyped = client.patch(unit_url, json={"unit_type": "village"}, headers=headers)
    assert retyped.status_code == 422 and "attributes.employees" in error_fields(retyped.get_json())
    bad_code = client.patch(unit_url, json={"credit_code": "91350100M000100Y44"}, headers=headers)
    assert bad_code.status_code == 422 and "credit_code" in error_fields(bad_code.get_json())
    ok = client.patch(unit_url, json={"attributes": {"employees": 15}}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["attributes"] == {"employees": 15}
    assert client.patch(f"{url}/{uuid.uuid4()}", json={"name": "x"}, headers=headers).status_code == 404


def test_term_length_comes_from_the_sector_settings(client, tenant, root_id, auth_headers,
                                                    sector_plugin, in_tenant):
    headers = auth_headers(tenant)
    branch = _create(client, headers, root_id, sector="test_sector",
                     attributes={"village_groups": 1}, term_started_on="2024-02-29",
                     founded_on="2001-07-01")
    assert branch.status_code == 201, branch.get_json()
    body = branch.get_json()
    assert (body["term_years"], body["term_years_effective"]) == (None, 4)
    assert body["term_ends_on"] == "2028-02-29"
    committee = _create(client, headers, root_id, code="C1", kind="committee",
                        sector="test_sector")
    assert committee.get_json()["term_years_effective"] == 5
    plain = client.get(f"/api/v1/orgs/{root_id}", headers=headers).get_json()
    assert (plain["term_years_effective"], plain["category_code"], plain["term_ends_on"]) == (
        5, None, None)
    with in_tenant(tenant):
        plugin_settings.set_overrides("test_sector_plugin", {"branch_term_years": 5})
        db.session.commit()
    org_id = body["id"]
    fetched = client.get(f"/api/v1/orgs/{org_id}", headers=headers).get_json()
    assert fetched["term_years_effective"] == 5  # the city's setting
    patched = client.patch(f"/api/v1/orgs/{org_id}", json={"term_years": 3}, headers=headers)
    assert patched.status_code == 200
    assert (patched.get_json()["term_years_effective"], patched.get_json()["term_ends_on"]) == (
        3, "2027-02-28")
    early = client.patch(f"/api/v1/orgs/{org_id}", json={"term_started_on": "2000-01-01"},
                         headers=headers)  # before the founding date stored earlier
    assert early.status_code == 422 and "term_started_on" in error_fields(early.get_json())


def test_patch_validates_and_checks_permissions(client, tenant, root_id, auth_headers, in_tenant):
    with in_tenant(tenant):
        root = orgs.get(root_id)
        branch = orgs.create(name="支部", code="B", kind="branch", parent=root)
        orgs.create(name="另一支部", code="B2", kind="branch", parent=root)
        db.session.commit()
        branch_id = branch.id
    admin = auth_headers(tenant)
    cases = [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"code": "A B"}, "code"),
        ({"kind": "club"}, "kind"),
        ({"category_code": 10}, "category_code"),
        ({"unit_relation": "friends"}, "unit_relation"),
        ({"term_years": 0}, "term_years"),
        ({"founded_on": "yesterday"}, "founded_on"),
        ({"sector": "mars"}, "sector"),
        ({"attributes": []}, "attributes"),
        ({"path": "/x/"}, "path"),
    ]
    for body, field in cases:
        response = client.patch(f"/api/v1/orgs/{branch_id}", json=body, headers=admin)
        assert response.status_code == 422, (body, response.get_json())
        assert field in error_fields(response.get_json()), (body, response.get_json())
    taken = client.patch(f"/api/v1/orgs/{branch_id}", json={"code": "B2"}, headers=admin)
    assert taken.status_code == 409 and "code" in error_fields(taken.get_json())
    change = {"name": "桃源村党支部", "contact": "李四", "phone": "0571-1234567",
              "unit_relation": "legal_entity", "category_code": 3, "founded_on": "1985-07-01"}
    ok = client.patch(f"/api/v1/orgs/{branch_id}", json=change, headers=admin)
    assert ok.status_code == 200, ok.get_json()
    assert {k: ok.get_json()[k] for k in change} == change

    secretary = auth_headers(tenant, role="branch_secretary", org=branch_id)
    manager = auth_headers(tenant, role="org_manager", org=branch_id)
    assert client.patch(f"/api/v1/orgs/{branch_id}", json={"name": "x"},
                        headers=secretary).status_code == 403
    assert client.patch(f"/api/v1/orgs/{root_id}", json={"name": "x"},
                        headers=manager).status_code == 404
    assert client.patch(f"/api/v1/orgs/{branch_id}", json={"name": "新名"},
                        headers=manager).status_code == 200


def test_list_filters(client, tenant, in_tenant, auth_headers):
    with in_tenant(tenant):
        r = orgs.create(name="市委", code="R", kind="committee")
        c1 = orgs.create(name="桃源镇党委", code="C1", kind="committee", parent=r)
        x = orgs.create(name="桃源村党支部", code="X", kind="branch", parent=c1)
        orgs.create(name="第一党小组", code="G", kind="group", parent=x)
        c2 = orgs.create(name="幸福街道党工委", code="C2", kind="committee", parent=r)
        orgs.create(name="幸福社区_支部", code="Z", kind="branch", parent=c2)
        db.session.commit()
        ids = {"C1": c1.id, "X": x.id, "C2": c2.id}
    headers = auth_headers(tenant)

    def codes(query):
        response = client.get(f"/api/v1/orgs?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [o["code"] for o in response.get_json()]

    assert codes(f"subtree_of={ids['C1']}") == ["C1", "X", "G"]
    assert codes(f"subtree_of={ids['C1']}&kind=branch") == ["X"]
    assert sorted(codes("q=桃源")) == ["C1", "X"]
    assert codes("q=_") == ["Z"]  # a LIKE wildcard is matched literally
    assert codes("q=c2") == ["C2"]  # codes too, any case
    page = client.get(f"/api/v1/orgs?subtree_of={ids['C1']}&page_size=2", headers=headers)
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    unknown = client.get("/api/v1/orgs?subtree_of=01900000-0000-7000-8000-000000000000",
                         headers=headers)
    assert unknown.status_code == 404
    bad = client.get("/api/v1/orgs?status=gone", headers=headers)
    assert bad.status_code == 422 and "status" in error_fields(bad.get_json())
    secretary = auth_headers(tenant, role="branch_secretary", org=ids["X"])
    hidden = client.get(f"/api/v1/orgs?subtree_of={ids['C2']}", headers=secretary)
    assert hidden.status_code == 404


def test_service_create_keeps_its_signature_and_checks(tenant, in_tenant):
    from core.api.errors import ApiError

    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        branch = orgs.create(name="支部", code="B", kind="branch", parent=root, sector="rural",
                             founded_on=date(2000, 1, 1))
        assert (branch.category_code, branch.status, branch.attributes) == (3, "active", {})
        db.session.flush()  # the code check reads saved rows (a batch is checked at flush)
        for kwargs, field in [
            ({"code": "R"}, "code"),
            ({"kind": "club"}, "kind"),
            ({"term_years": 11}, "term_years"),
            ({"founded_on": date(2020, 1, 1), "term_started_on": date(2019, 1, 1)},
             "term_started_on"),
        ]:
            with pytest.raises(ApiError) as refused:
                orgs.create(**{"name": "n", "code": "N", "kind": "branch", **kwargs})
            assert field in refused.value.errors
