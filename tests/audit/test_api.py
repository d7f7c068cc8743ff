"""``GET /api/v1/audit``: tenant administrators read their own tenant's log, and nothing writes it."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.audit.models import AuditEntry
from core.auth.context import Actor, acting_as
from core.db import db
from core.orgs import service as orgs
from core.tenancy import tenant_context
from tests.support.auth import DEFAULT_PASSWORD, error_fields


def _orgs(in_tenant, tenant, *codes, actor="cli:test") -> list[str]:
    with in_tenant(tenant), acting_as(Actor(label=actor)):
        made = [orgs.create(name=f"{c} 党委", code=c, kind="committee") for c in codes]
        db.session.commit()
        return [str(o.id) for o in made]


def test_admin_lists_entries_filtered_by_object_type(client, tenant, in_tenant, auth_headers):
    ids = _orgs(in_tenant, tenant, "A1", "A2")
    headers = auth_headers(tenant)  # creating the admin writes users/role_grants entries too
    response = client.get("/api/v1/audit?object_type=organizations", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["page_size"] == 50
    assert [e["object_id"] for e in body["items"]] == ids[::-1]  # newest first
    first = body["items"][0]
    assert first["object_type"] == "organizations" and first["action"] == "create"
    assert first["actor_label"] == "cli:test" and first["after"]["code"] == "A2"
    assert datetime.fromisoformat(first["at"]).tzinfo is not None

    everything = client.get("/api/v1/audit", headers=headers).get_json()
    assert everything["total"] > 2
    assert {"organizations", "users"} <= {e["object_type"] for e in everything["items"]}


def test_filters_and_paging(client, tenant, in_tenant, auth_headers):
    [org_id, *_] = _orgs(in_tenant, tenant, "A1", "A2", "A3")
    _orgs(in_tenant, tenant, "A4", actor="user:zhang")
    with in_tenant(tenant):
        org = orgs.get(uuid.UUID(org_id))
        org.name = "改名"
        db.session.commit()
    headers = auth_headers(tenant)

    def get(query):
        response = client.get(f"/api/v1/audit?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert get(f"object_id={org_id}")["total"] == 2
    assert [e["changed"] for e in get("action=update&object_type=organizations")["items"]] == [
        ["name"]]
    assert get("actor=user:zhang")["total"] == 1
    page = get("object_type=organizations&action=create&page_size=2&page=2")
    assert page["total"] == 4 and len(page["items"]) == 2 and page["page"] == 2
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert get(f"since={future.replace('+', '%2B')}")["total"] == 0
    assert get(f"until={past.replace('+', '%2B')}")["total"] == 0
    assert get(f"object_type=organizations&since={past.replace('+', '%2B')}")["total"] == 5
    # the edges of the calendar are answered, not a 500
    assert get("object_type=organizations&since=0001-01-01T00:00:00%2B01:00")["total"] == 5
    assert get("object_type=organizations&until=9999-12-31T23:59:59-05:00")["total"] == 5


def test_actor_filter_accepts_a_user_id(client, tenant, in_tenant, auth_headers, make_user):
    user = make_user(tenant, role=None)
    with in_tenant(tenant), acting_as(Actor(label=f"user:{user.username}", user_id=user.id)):
        orgs.create(name="甲", code="A1", kind="committee")
        db.session.commit()
    headers = auth_headers(tenant)
    body = client.get(f"/api/v1/audit?actor={user.id}", headers=headers).get_json()
    assert body["total"] == 1 and body["items"][0]["actor_user_id"] == str(user.id)


def test_bad_query_is_422_naming_the_field(client, tenant, auth_headers):
    headers = auth_headers(tenant)
    for query, field in [("page_size=500", "page_size"), ("page=0", "page"),
                         ("action=erase", "action"), ("since=yesterday", "since"),
                         ("colour=red", "colour"), ("page=99999999999999999999", "page")]:
        response = client.get(f"/api/v1/audit?{query}", headers=headers)
        assert response.status_code == 422, (query, response.get_json())
        assert field in error_fields(response.get_json()), query


def test_member_gets_403_and_anonymous_401(client, tenant, auth_headers):
    response = client.get("/api/v1/audit", headers=auth_headers(tenant, role="member"))
    assert response.status_code == 403
    assert response.get_json()["code"] == 403
    assert client.get("/api/v1/audit", headers={"X-Tenant": "alpha"}).status_code == 401


def test_another_tenants_entries_are_never_visible(client, tenant, tenant_b, in_tenant,
                                                    auth_headers):
    a_ids = set(_orgs(in_tenant, tenant, "A1", "A2"))
    b_headers = auth_headers(tenant_b)
    body = client.get("/api/v1/audit?object_type=organizations", headers=b_headers).get_json()
    assert body == {"items": [], "total": 0, "page": 1, "page_size": 50}
    everything = client.get("/api/v1/audit?page_size=200", headers=b_headers).get_json()
    assert everything["total"] > 0  # tenant B's own admin and token
    assert not a_ids & {e["object_id"] for e in everything["items"]}
    for org_id in a_ids:
        found = client.get(f"/api/v1/audit?object_id={org_id}", headers=b_headers).get_json()
        assert found["total"] == 0


def test_no_route_changes_or_deletes_entries(app, client, tenant, in_tenant, auth_headers):
    methods = {
        method
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/audit")
        for method in rule.methods
    }
    assert methods == {"GET", "HEAD", "OPTIONS"}
    [org_id] = _orgs(in_tenant, tenant, "A1")
    headers = auth_headers(tenant)
    for method in ("post", "put", "patch", "delete"):
        for path in ("/api/v1/audit", f"/api/v1/audit/{org_id}"):
            response = getattr(client, method)(path, headers=headers, json={})
            assert response.status_code in (404, 405), (method, path)
    body = client.get(f"/api/v1/audit?object_id={org_id}", headers=headers).get_json()
    assert body["total"] == 1


def test_request_id_is_echoed_and_recorded(client, tenant, make_user):
    tenant_id = tenant.id
    user = make_user(tenant, role=None)
    response = client.post(
        "/api/v1/auth/token",
        json={"username": user.username, "password": DEFAULT_PASSWORD},
        headers={"X-Tenant": "alpha", "X-Request-Id": "trace-0001"},
    )
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "trace-0001"
    other = client.get("/api/v1/audit", headers={"X-Tenant": "alpha"})
    assert other.headers["X-Request-Id"] not in ("", "trace-0001")

    with tenant_context(tenant_id):
        created = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "api_tokens")
        ).all()
        assert [e.request_id for e in created] == ["trace-0001"]
        assert created[0].after["token_hash"] == "***"


def test_the_endpoint_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/audit"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"object_type", "object_id", "actor", "action", "since", "until", "page",
            "page_size"} <= names
    assert set(spec["paths"]["/api/v1/audit"]) == {"get"}
