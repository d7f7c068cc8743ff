"""The brand library through the API: one brand per organisation, sub-brands under a brand
above, cases, search, scope (404 outside, 403 without the role), stale versions, audit."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.audit.models import AuditEntry
from core.brands.models import Brand, BrandCase
from core.db import db
from tests.brands.conftest import brand_body
from tests.support.auth import error_fields


def _count(in_tenant, tenant, model) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def test_one_brand_per_organisation(client, tenant, city, login, new_brand, in_tenant):
    secretary = login(tenant, "branch_secretary", "V1")
    made = new_brand(secretary, city["V1"], name="田间党课")
    assert made["org_name"] == "一村支部" and made["version"] == 1 and made["cases"] == []
    again = client.post("/api/v1/brands", headers=secretary, json=brand_body(city["V1"], name="第二个"))
    assert again.status_code == 409 and "org_id" in error_fields(again.get_json())
    assert _count(in_tenant, tenant, Brand) == 1
    # the database refuses a second one too, whatever the service saw
    with in_tenant(tenant):
        db.session.add(Brand(org_id=city["V1"], name="绕过服务"))
        try:
            db.session.flush()
            raise AssertionError("a second brand of one organisation was stored")
        except Exception as exc:  # IntegrityError
            assert "IntegrityError" in type(exc).__name__
        db.session.rollback()


def test_who_writes_and_who_sees(client, tenant, city, login, new_brand):
    member = login(tenant, "member", "V1")
    assert client.post("/api/v1/brands", headers=member, json=brand_body(city["V1"])).status_code == 403
    # a secretary of V1 does not see V2: 404, as an unknown id
    v1 = login(tenant, "branch_secretary", "V1")
    assert client.post("/api/v1/brands", headers=v1, json=brand_body(city["V2"])).status_code == 404
    made = new_brand(login(tenant, "branch_secretary", "V2"), city["V2"])
    assert client.get(f"/api/v1/brands/{made['id']}", headers=v1).status_code == 404
    assert client.get(f"/api/v1/brands/{made['id']}", headers=login(tenant, "org_manager", "T")).status_code == 200
    assert client.get("/api/v1/brands", headers=v1).get_json() == []
    assert client.post("/api/v1/brands", json=brand_body(city["V1"]), headers={"X-Tenant": "alpha"}).status_code == 401


def test_sub_brands_hang_under_a_brand_above(client, tenant, city, login, new_brand):
    admin = login(tenant)
    organ = new_brand(admin, city["J"], name="红色引擎·机关先锋")
    sub = new_brand(admin, city["F"], name="红色账本", parent_id=organ["id"])
    assert sub["parent"]["id"] == organ["id"] and sub["parent"]["org_name"] == "机关工委"
    detail = client.get(f"/api/v1/brands/{organ['id']}", headers=admin).get_json()
    assert [b["name"] for b in detail["sub_brands"]] == ["红色账本"]
    # not above: a village brand cannot hang under the organs committee's brand
    refused = client.post("/api/v1/brands", headers=admin,
                          json=brand_body(city["V1"], parent_id=organ["id"]))
    assert refused.status_code == 422 and "parent_id" in error_fields(refused.get_json())
    # two levels at most: no sub-brand of a sub-brand
    town = new_brand(admin, city["T"], name="同心")
    village = new_brand(admin, city["V1"], name="田间党课", parent_id=town["id"])
    refused = client.post("/api/v1/brands", headers=admin,
                          json=brand_body(city["V2"], parent_id=village["id"]))
    assert refused.status_code == 422 and "parent_id" in error_fields(refused.get_json())
    # a brand with sub-brands cannot itself become one
    root = new_brand(admin, city["R"], name="市级品牌")
    moved = client.patch(f"/api/v1/brands/{town['id']}", headers=admin,
                         json={"version": town["version"], "parent_id": root["id"]})
    assert moved.status_code == 422 and "parent_id" in error_fields(moved.get_json())
    listed = client.get("/api/v1/brands", headers=admin, query_string={"sub": "true"}).get_json()
    assert sorted(b["name"] for b in listed) == ["田间党课", "红色账本"]
    children = client.get("/api/v1/brands", headers=admin, query_string={"parent_id": organ["id"]}).get_json()
    assert [b["name"] for b in children] == ["红色账本"]
    # the parent cannot go while sub-brands name it
    assert client.delete(f"/api/v1/brands/{organ['id']}", headers=admin).status_code == 409


def test_cases_and_search(client, tenant, city, login, new_brand, in_tenant):
    secretary = login(tenant, "branch_secretary", "V1")
    brand = new_brand(secretary, city["V1"], name="田间党课", theme="把党课开到田间地头")
    new_brand(login(tenant), city["V2"], name="红色议事厅", concept="村民说事")
    case = client.post(f"/api/v1/brands/{brand['id']}/cases", headers=secretary,
                       json={"title": "助秋收", "happened_on": "2025-10-01", "text": "党员技术员讲解防倒伏。"})
    assert case.status_code == 201, case.get_json()
    future = client.post(f"/api/v1/brands/{brand['id']}/cases", headers=secretary,
                         json={"title": "明年", "happened_on": (date.today() + timedelta(days=3)).isoformat(),
                               "text": "x"})
    assert future.status_code == 422 and "happened_on" in error_fields(future.get_json())
    missing = client.post(f"/api/v1/brands/{brand['id']}/cases", headers=secretary, json={"title": "无日期"})
    assert missing.status_code == 422 and {"happened_on", "text"} <= error_fields(missing.get_json())
    case_id = case.get_json()["id"]
    patched = client.patch(f"/api/v1/brands/{brand['id']}/cases/{case_id}", headers=secretary,
                           json={"version": 1, "title": "田间党课助秋收"})
    assert patched.status_code == 200 and patched.get_json()["version"] == 2
    stale = client.patch(f"/api/v1/brands/{brand['id']}/cases/{case_id}", headers=secretary,
                         json={"version": 1, "title": "旧的"})
    assert stale.status_code == 409 and "version" in error_fields(stale.get_json())
    detail = client.get(f"/api/v1/brands/{brand['id']}", headers=secretary).get_json()
    assert [c["title"] for c in detail["cases"]] == ["田间党课助秋收"]
    admin = login(tenant)

    def names(**query):
        return sorted(b["name"] for b in client.get("/api/v1/brands", headers=admin, query_string=query).get_json())

    assert names() == ["田间党课", "红色议事厅"]
    assert names(q="田间") == ["田间党课"]
    assert names(q="说事") == ["红色议事厅"]
    assert names(org=str(city["J"])) == []
    assert client.get("/api/v1/brands", headers=admin, query_string={"org": "nope"}).status_code == 422
    assert client.delete(f"/api/v1/brands/{brand['id']}/cases/{case_id}", headers=secretary).status_code == 204
    assert _count(in_tenant, tenant, BrandCase) == 0
    with in_tenant(tenant):
        kinds = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "brand_cases")))
    assert {"create", "update", "delete"} <= kinds


def test_stale_brand_update_and_bad_input(client, tenant, city, login, new_brand, in_tenant):
    admin = login(tenant)
    brand = new_brand(admin, city["V1"])
    done = client.patch(f"/api/v1/brands/{brand['id']}", headers=admin, json={"version": 1, "goals": "新愿景"})
    assert done.status_code == 200 and done.get_json()["goals"] == "新愿景"
    stale = client.patch(f"/api/v1/brands/{brand['id']}", headers=admin, json={"version": 1, "goals": "旧"})
    assert stale.status_code == 409 and "version" in error_fields(stale.get_json())
    no_version = client.patch(f"/api/v1/brands/{brand['id']}", headers=admin, json={"goals": "x"})
    assert no_version.status_code == 422 and "version" in error_fields(no_version.get_json())
    bad = client.post("/api/v1/brands", headers=admin, json={"org_id": str(city["V2"]), "name": ""})
    assert bad.status_code == 422 and "name" in error_fields(bad.get_json())
    long = client.post("/api/v1/brands", headers=admin, json=brand_body(city["V2"], name="长" * 101))
    assert long.status_code == 422 and "name" in error_fields(long.get_json())
    assert client.get("/api/v1/brands/not-an-id", headers=admin).status_code == 404
    assert _count(in_tenant, tenant, Brand) == 1


def test_another_tenant_sees_nothing(client, tenant, tenant_b, city, login, new_brand, auth_headers):
    brand = new_brand(login(tenant), city["V1"])
    other = auth_headers(tenant_b)
    assert client.get(f"/api/v1/brands/{brand['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/brands", headers=other).get_json() == []
    assert client.post("/api/v1/brands", headers=other, json=brand_body(city["V2"])).status_code == 404


def test_search_takes_percent_and_underscore_literally(client, tenant, city, login, new_brand):
    admin = login(tenant)
    new_brand(admin, city["V1"], name="百分之百_服务")
    new_brand(admin, city["V2"], name="红色议事厅")

    def names(q):
        return sorted(b["name"] for b in client.get("/api/v1/brands", headers=admin, query_string={"q": q}).get_json())

    assert names("%") == [] and names("_") == ["百分之百_服务"]
    assert names("之百_") == ["百分之百_服务"]
