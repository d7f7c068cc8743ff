"""The indicators and standards APIs on both databases: the catalogue, custom indicators,
templates, standards with their versions; 401/403/404/409/422 naming fields; tenant walls."""

from __future__ import annotations

import uuid

import pytest

from core.db import db
from core.orgs import service as orgs
from tests.support.auth import error_fields

ITEMS = [
    {"indicator": "life.general_meetings", "weight": 30, "params": {"target": 2}},
    {"indicator": "life.theme_days", "weight": "30"},
    {"indicator": "dues.paid_rate", "weight": 40},
]


@pytest.fixture
def branch(tenant, in_tenant):
    with in_tenant(tenant):
        org = orgs.create(name="X支部", code="X", kind="branch")
        db.session.commit()
        return org.id


@pytest.fixture
def admin(tenant, auth_headers):
    return auth_headers(tenant)


@pytest.fixture
def member(tenant, branch, auth_headers):
    return auth_headers(tenant, role="member", org=branch)


# -- indicators ----------------------------------------------------------------------------


def test_catalogue_lists_every_indicator_with_its_defaults(client, member):
    response = client.get("/api/v1/indicators", headers=member)
    assert response.status_code == 200
    by_key = {i["key"]: i for i in response.get_json()}
    for key in ("life.general_meetings", "life.committee_meetings", "dues.paid_rate", "orgs.setup",
                "development.recruited", "development.breaches", "warnings.open_serious"):
        assert key in by_key, key
    committee = by_key["life.committee_meetings"]
    assert committee["name"] == "支委会" and committee["scoring"] == "proportional"
    assert committee["max_points"] == "8.00" and committee["unit"] == "次"
    assert committee["params"] == {"target": 12, "committee_min_size": 3}
    assert committee["plugin"] == "core.life.plugin" and committee["custom"] is False
    assert committee["kinds"] == ["general_branch", "branch", "joint_branch"]
    fields = {f["name"]: f for f in committee["param_fields"]}
    assert fields["target"]["default"] == 12 and fields["target"]["type"] == "Integer"
    assert fields["target"]["description"]
    assert by_key["orgs.setup"]["params"]["weights"] == {}
    one = client.get("/api/v1/indicators/dues.paid_rate", headers=member)
    assert one.status_code == 200 and one.get_json()["name"] == "党费按月足额交纳"
    assert client.get("/api/v1/indicators/no.such", headers=member).status_code == 404
    assert client.get("/api/v1/indicators", headers={"X-Tenant": "alpha"}).status_code == 401


def test_custom_indicators(client, admin, member, tenant, tenant_b, auth_headers):
    body = {"slug": "income", "name": "村集体经济收入", "scoring": "threshold",
            "attribute": "collective_income_wan", "target": "5", "max_points": "10", "unit": "万元"}
    assert client.post("/api/v1/indicators/custom", json=body, headers=member).status_code == 403
    created = client.post("/api/v1/indicators/custom", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    row = created.get_json()
    assert row["key"] == "custom.income" and row["op"] == ">=" and row["target"] == "5"
    assert row["max_points"] == "10.00" and row["active"] is True
    again = client.post("/api/v1/indicators/custom", json=body, headers=admin)
    assert again.status_code == 409 and "slug" in error_fields(again.get_json())
    bad = client.post("/api/v1/indicators/custom", headers=admin, json={
        "slug": "Bad!", "name": "x", "scoring": "threshold", "max_points": "0", "attribute": "a b"})
    assert bad.status_code == 422
    assert {"slug", "max_points", "attribute", "target"} <= error_fields(bad.get_json())
    junk = client.post("/api/v1/indicators/custom", headers=admin, json={
        "slug": "x1", "name": "x", "scoring": "formula", "max_points": "many", "kinds": ["village"]})
    assert junk.status_code == 422
    assert {"scoring", "max_points", "kinds.0"} <= error_fields(junk.get_json())
    manual = client.post("/api/v1/indicators/custom", headers=admin, json={
        "slug": "brand", "name": "党建品牌", "scoring": "manual", "max_points": 5})
    assert manual.status_code == 201 and manual.get_json()["attribute"] is None

    listed = client.get("/api/v1/indicators/custom", headers=member).get_json()
    assert [r["key"] for r in listed] == ["custom.brand", "custom.income"]
    catalogue = {i["key"]: i for i in client.get("/api/v1/indicators", headers=member).get_json()}
    assert catalogue["custom.income"]["custom"] is True and catalogue["custom.income"]["plugin"] is None
    assert catalogue["custom.income"]["params"] == {"target": "5", "op": ">="}
    assert catalogue["custom.brand"]["scoring"] == "manual"

    patched = client.patch("/api/v1/indicators/custom/custom.income", headers=admin,
                           json={"name": "集体经济收入", "target": "8", "active": False})
    assert patched.status_code == 200
    assert patched.get_json()["name"] == "集体经济收入" and patched.get_json()["active"] is False
    refused = client.patch("/api/v1/indicators/custom/custom.income", headers=admin,
                           json={"scoring": "manual", "op": "<="})
    assert refused.status_code == 422 and {"scoring", "op"} <= error_fields(refused.get_json())
    assert client.patch("/api/v1/indicators/custom/custom.income", headers=member,
                        json={"name": "x"}).status_code == 403
    assert client.patch("/api/v1/indicators/custom/custom.none", headers=admin,
                        json={"name": "x"}).status_code == 404
    shown = client.get("/api/v1/indicators/custom.income", headers=member).get_json()
    assert shown["active"] is False and shown["params"]["target"] == "8"

    other = auth_headers(tenant_b)
    assert client.get("/api/v1/indicators/custom", headers=other).get_json() == []
    assert client.get("/api/v1/indicators/custom.income", headers=other).status_code == 404
    assert client.patch("/api/v1/indicators/custom/custom.income", headers=other,
                        json={"name": "偷改"}).status_code == 404


# -- standards -----------------------------------------------------------------------------


def test_templates(client, member):
    response = client.get("/api/v1/standards/templates", headers=member)
    assert response.status_code == 200
    [template] = [t for t in response.get_json() if t["key"] == "core.branch_standard"]
    assert template["name"] == "党支部标准化规范化建设（通用）" and template["sector"] is None
    assert template["plugin"] == "core.assessment.plugin"
    assert sum(float(i["weight"]) for i in template["items"]) == 100
    assert template["items"][0] == {"indicator": "life.general_meetings", "name": "支部党员大会",
                                    "weight": "8.00", "params": {}}


def test_copy_template_copy_standard_and_define(client, admin, member):
    copied = client.post("/api/v1/standards", json={"template": "core.branch_standard"}, headers=admin)
    assert copied.status_code == 201, copied.get_json()
    body = copied.get_json()
    assert body["based_on"] == "core.branch_standard" and body["current_version"] == 1
    version = body["version"]
    assert version["number"] == 1 and version["item_count"] == 13
    assert version["items"][1]["name"] == "支委会" and version["items"][1]["weight"] == "8.00"
    assert version["items"][1]["params"] == {"target": 12, "committee_min_size": 3}
    assert version["items"][1]["available"] is True
    again = client.post("/api/v1/standards", json={"template": "core.branch_standard"}, headers=admin)
    assert again.status_code == 409 and "name" in error_fields(again.get_json())
    unknown = client.post("/api/v1/standards", json={"template": "x.none", "name": "甲"}, headers=admin)
    assert unknown.status_code == 422 and "template" in error_fields(unknown.get_json())

    copy = client.post("/api/v1/standards", json={"copy_of": body["id"], "name": "复制"}, headers=admin)
    assert copy.status_code == 201 and copy.get_json()["based_on"] == body["id"]
    assert copy.get_json()["version"]["item_count"] == 13
    nameless = client.post("/api/v1/standards", json={"copy_of": body["id"]}, headers=admin)
    assert nameless.status_code == 422 and "name" in error_fields(nameless.get_json())
    nowhere = client.post("/api/v1/standards", json={"copy_of": str(uuid.uuid4()), "name": "乙"},
                          headers=admin)
    assert nowhere.status_code == 422 and "copy_of" in error_fields(nowhere.get_json())
    mixed = client.post("/api/v1/standards", json={"template": "core.branch_standard",
                                                   "items": ITEMS, "name": "丙"}, headers=admin)
    assert mixed.status_code == 422 and {"template", "items"} <= error_fields(mixed.get_json())

    defined = client.post("/api/v1/standards", headers=admin, json={
        "name": "自定标准", "items": ITEMS, "kinds": ["branch"], "description": "说明", "note": "初版"})
    assert defined.status_code == 201, defined.get_json()
    d = defined.get_json()
    assert d["kinds"] == ["branch"] and d["description"] == "说明" and d["version"]["note"] == "初版"
    assert [i["weight"] for i in d["version"]["items"]] == ["30.00", "30.00", "40.00"]
    assert d["version"]["items"][0]["params"] == {"target": 2}
    listed = client.get("/api/v1/standards", headers=member).get_json()
    assert [s["name"] for s in listed] == ["党支部标准化规范化建设（通用）", "复制", "自定标准"]
    assert client.post("/api/v1/standards", json={"template": "core.branch_standard", "name": "丁"},
                       headers=member).status_code == 403


def test_invalid_definitions_name_the_fields(client, admin):
    items = [
        {"indicator": "no.such", "weight": 10},
        {"indicator": "life.general_meetings", "weight": -1},
        {"indicator": "life.theme_days", "weight": 20, "params": {"target": "x"}},
        {"indicator": "life.theme_days", "weight": 20},
    ]
    response = client.post("/api/v1/standards", headers=admin, json={
        "name": "坏", "items": items, "kinds": ["village"], "sector": "atlantis"})
    assert response.status_code == 422
    assert {"items.0.indicator", "items.1.weight", "items.2.params.target", "items.3.indicator",
            "kinds", "sector"} <= error_fields(response.get_json())
    typed = client.post("/api/v1/standards", headers=admin, json={
        "name": "坏", "items": [{"indicator": "dues.paid_rate", "weight": "abc"}, {"weight": 1}]})
    assert typed.status_code == 422
    assert {"items.0.weight", "items.1.indicator"} <= error_fields(typed.get_json())
    sums = client.post("/api/v1/standards", headers=admin, json={
        "name": "坏", "items": [{"indicator": "dues.paid_rate", "weight": 99}]})
    assert sums.status_code == 422 and error_fields(sums.get_json()) == {"items"}
    nothing = client.post("/api/v1/standards", headers=admin, json={"name": "空"})
    assert nothing.status_code == 422 and "items" in error_fields(nothing.get_json())
    assert client.get("/api/v1/standards", headers=admin).get_json() == []


def test_update_writes_versions(client, admin, member):
    created = client.post("/api/v1/standards", headers=admin, json={"name": "年度", "items": ITEMS})
    standard_id = created.get_json()["id"]
    changed = [{"indicator": "life.general_meetings", "weight": 50},
               {"indicator": "dues.paid_rate", "weight": 50, "params": {"target": 90}}]
    updated = client.put(f"/api/v1/standards/{standard_id}", headers=admin,
                         json={"items": changed, "note": "调整权重"})
    assert updated.status_code == 200, updated.get_json()
    body = updated.get_json()
    assert body["current_version"] == 2 and body["version"]["number"] == 2
    assert body["version"]["note"] == "调整权重" and body["version"]["item_count"] == 2
    same = client.put(f"/api/v1/standards/{standard_id}", headers=admin,
                      json={"items": changed, "description": "只改说明"})
    assert same.get_json()["current_version"] == 2 and same.get_json()["description"] == "只改说明"
    versions = client.get(f"/api/v1/standards/{standard_id}/versions", headers=member).get_json()
    assert [(v["number"], v["item_count"]) for v in versions] == [(1, 3), (2, 2)]
    first = client.get(f"/api/v1/standards/{standard_id}/versions/1", headers=member).get_json()
    assert [i["indicator"] for i in first["items"]] == [i["indicator"] for i in ITEMS]
    assert first["items"][0]["params"] == {"target": 2} and first["name"] == "年度"
    assert client.get(f"/api/v1/standards/{standard_id}/versions/3", headers=member).status_code == 404
    assert client.get(f"/api/v1/standards/{standard_id}/versions/99999999999999999999",
                      headers=member).status_code == 404
    bad = client.put(f"/api/v1/standards/{standard_id}", headers=admin,
                     json={"items": [{"indicator": "dues.paid_rate", "weight": 1}], "kinds": []})
    assert bad.status_code == 422 and {"items", "kinds"} <= error_fields(bad.get_json())
    unknown = client.put(f"/api/v1/standards/{standard_id}", headers=admin, json={"colour": "red"})
    assert unknown.status_code == 422 and "colour" in error_fields(unknown.get_json())
    assert client.put(f"/api/v1/standards/{standard_id}", headers=member,
                      json={"name": "改"}).status_code == 403
    renamed = client.put(f"/api/v1/standards/{standard_id}", headers=admin,
                         json={"name": "年度（新）", "sector": None})
    assert renamed.get_json()["current_version"] == 3 and renamed.get_json()["name"] == "年度（新）"
    assert client.get(f"/api/v1/standards/{standard_id}", headers=member).get_json()["name"] == "年度（新）"


def test_other_tenants_standards_are_404(client, admin, tenant_b, auth_headers):
    created = client.post("/api/v1/standards", headers=admin, json={"name": "甲市标准", "items": ITEMS})
    standard_id = created.get_json()["id"]
    other = auth_headers(tenant_b)
    assert client.get("/api/v1/standards", headers=other).get_json() == []
    for path in (f"/api/v1/standards/{standard_id}", f"/api/v1/standards/{standard_id}/versions",
                 f"/api/v1/standards/{standard_id}/versions/1", "/api/v1/standards/not-an-id",
                 f"/api/v1/standards/{uuid.uuid4()}"):
        response = client.get(path, headers=other)
        assert response.status_code == 404, path
        assert "甲市标准" not in response.get_data(as_text=True)
    assert client.put(f"/api/v1/standards/{standard_id}", headers=other,
                      json={"name": "偷改"}).status_code == 404
    copy = client.post("/api/v1/standards", headers=other, json={"copy_of": standard_id, "name": "偷"})
    assert copy.status_code == 422 and "copy_of" in error_fields(copy.get_json())
    # the same name is free in the other tenant
    assert client.post("/api/v1/standards", headers=other,
                       json={"name": "甲市标准", "items": ITEMS}).status_code == 201
    assert client.get(f"/api/v1/standards/{standard_id}", headers=admin).status_code == 200


def test_text_the_database_cannot_hold_is_a_422(client, admin):
    nul = client.post("/api/v1/standards", headers=admin,
                      json={"name": "坏\x00名", "items": ITEMS, "description": "说\x00明"})
    assert nul.status_code == 422 and {"name", "description"} <= error_fields(nul.get_json())
    copied = client.post("/api/v1/standards", headers=admin,
                         json={"template": "core.branch_standard", "description": "\x00"})
    assert copied.status_code == 422 and "description" in error_fields(copied.get_json())
    custom = client.post("/api/v1/indicators/custom", headers=admin, json={
        "slug": "nul", "name": "坏\x00", "scoring": "manual", "max_points": 5})
    assert custom.status_code == 422 and "name" in error_fields(custom.get_json())
    assert client.patch("/api/v1/indicators/custom/custom.%00", headers=admin,
                        json={"name": "x"}).status_code == 404
    assert client.get("/api/v1/standards", headers=admin).get_json() == []
