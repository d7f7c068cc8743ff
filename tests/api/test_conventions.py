"""API conventions that hold for every route: the OpenAPI document, self-hosted docs, one JSON
error shape, 404 for unknown and foreign ids, and no bad input answered with a 500."""

import re
import uuid

import pytest

from core.db import db
from core.orgs import service as orgs

EXTERNAL_URL = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//""", re.IGNORECASE)


def test_openapi_document_lists_the_platform_routes(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token", "/api/v1/orgs/{org_id}", "/api/v1/audit", "/api/v1/jobs/{job_id}"):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_interactive_docs_need_no_outside_host(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "swagger-ui" in html
    assert not EXTERNAL_URL.search(html), "docs page loads something from another host"
    assert "<script>" not in html, "inline script: the page must work under a strict CSP"
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert client.get(asset).status_code == 200, asset


def test_unknown_route_and_method_answer_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert set(response.get_json()) == {"code", "message", "errors"}
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 405
    assert response.get_json()["code"] == 405


def test_malformed_json_is_a_4xx_naming_the_problem(client, tenant):
    headers = {"X-Tenant": "alpha", "Content-Type": "application/json"}
    response = client.post("/api/v1/auth/token", data="{not json", headers=headers)
    assert 400 <= response.status_code < 500
    assert response.get_json()["code"] == response.status_code
    response = client.post("/api/v1/auth/token", json={"username": "x"}, headers=headers)
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]


def test_foreign_tenant_id_is_404_without_data(client, tenant, tenant_b, in_tenant, auth_headers):
    with in_tenant(tenant_b):
        secret = orgs.create(name="乙市委", code="B", kind="committee")
        db.session.commit()
        secret_id = str(secret.id)
    headers_a = auth_headers(tenant)
    response = client.get(f"/api/v1/orgs/{secret_id}", headers=headers_a)
    assert response.status_code == 404
    assert "乙市委" not in response.get_data(as_text=True)
    # the same id with tenant B's own admin is found: the 404 was the tenant wall
    headers_b = auth_headers(tenant_b)
    assert client.get(f"/api/v1/orgs/{secret_id}", headers=headers_b).status_code == 200


JUNK_BODIES = [None, "", "[]", '{"name": null}', '{"page": -1}', '"x"', "{" * 50, '{"a": "' + "长" * 5000 + '"}']
JUNK_IDS = [str(uuid.uuid4()), "not-a-uuid", "0", "%00", "' OR 1=1 --"]


def _routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


@pytest.mark.parametrize("as_admin", [True, False])
def test_no_junk_input_yields_a_500(client, tenant, auth_headers, as_admin):
    headers = auth_headers(tenant) if as_admin else {"X-Tenant": "alpha"}
    # revoking the token would leave the rest unauthenticated: do it last
    routes = sorted(_routes(client), key=lambda route: route[0].endswith("/revoke"))
    assert len(routes) >= 8
    for path, method in routes:
        for junk_id in JUNK_IDS:
            url = re.sub(r"\{[^}]+\}", junk_id, path)
            for body in JUNK_BODIES:
                response = client.open(
                    url, method=method.upper(), data=body, headers={**headers, "Content-Type": "application/json"},
                    query_string={"page": "x", "page_size": "-5", "since": "yesterday"},
                )
                assert response.status_code < 500, (method, url, body, response.get_data(as_text=True)[:300])
                if response.status_code >= 400:
                    assert set(response.get_json()) == {"code", "message", "errors"}, (method, url)


def test_nul_characters_are_refused_naming_the_field_before_any_view(client, tenant, auth_headers):
    """PostgreSQL text cannot hold NUL: refused once, for every route, as a 422 by field."""
    headers = auth_headers(tenant)
    body = {"name": "一支部", "code": "N1", "kind": "branch", "attributes": {"note": ["ok", "x\x00y"]}}
    response = client.post("/api/v1/orgs", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json["errors"] == {"attributes.note.1": ["Must not contain NUL characters."]}

    response = client.get("/api/v1/orgs?q=a%00b", headers=headers)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"q"}

    response = client.post(
        "/api/v1/orgs", data={"name": "a\x00"}, headers=headers, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"name"}

    with_nul_key = client.post("/api/v1/orgs", json={"na\x00me": 1}, headers=headers)
    assert with_nul_key.status_code == 422
