"""The users API: tenant administrators only; validation names fields; no password leaks."""

import json

from sqlalchemy import func, select

from core.auth.models import User
from core.db import db
from core.orgs import service as orgs
from tests.support.auth import DEFAULT_PASSWORD, error_fields

NEW_PASSWORD = "Str0ng-Secret!"


def _new_user(client, headers, username="carol", password=NEW_PASSWORD, **extra):
    return client.post(
        "/api/v1/users", json={"username": username, "password": password, **extra}, headers=headers
    )


def _branch(in_tenant, tenant_id, code="X"):
    with in_tenant(tenant_id):
        org = orgs.create(name=f"{code}支部", code=code, kind="branch")
        db.session.commit()
        return org.id


def test_admin_creates_and_reads_a_user(client, tenant, auth_headers):
    headers = auth_headers(tenant)
    created = _new_user(client, headers, display_name="卡罗尔")
    assert created.status_code == 201
    body = created.get_json()
    assert body["username"] == "carol"
    assert body["display_name"] == "卡罗尔"
    assert body["grants"] == []
    fetched = client.get(f"/api/v1/users/{body['id']}", headers=headers)
    assert fetched.status_code == 200 and fetched.get_json()["username"] == "carol"
    login = client.post(
        "/api/v1/auth/token",
        json={"username": "carol", "password": NEW_PASSWORD},
        headers={"X-Tenant": "alpha"},
    )
    assert login.status_code == 200


def test_list_is_paged(client, tenant, auth_headers, make_user):
    headers = auth_headers(tenant, username="admin")
    for name in ("u1", "u2", "u3"):
        make_user(tenant, name, role=None)
    response = client.get("/api/v1/users?page=1&page_size=2", headers=headers)
    assert response.status_code == 200
    assert [u["username"] for u in response.get_json()] == ["admin", "u1"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 4


def test_password_policy_names_the_field(client, tenant, auth_headers, in_tenant):
    alpha = tenant.id
    headers = auth_headers(tenant)
    for weak in ("short1!", "alllowercaseletters", "NoDigitsOrSymbols"):
        response = _new_user(client, headers, password=weak)
        assert response.status_code == 422, weak
        assert "password" in error_fields(response.get_json())
        assert weak not in response.get_data(as_text=True)
    with in_tenant(alpha):
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_bad_and_duplicate_usernames(client, tenant, auth_headers):
    headers = auth_headers(tenant, username="admin")
    bad = _new_user(client, headers, username="no spaces")
    assert bad.status_code == 422 and "username" in error_fields(bad.get_json())
    missing = client.post("/api/v1/users", json={"password": NEW_PASSWORD}, headers=headers)
    assert missing.status_code == 422 and "username" in error_fields(missing.get_json())
    duplicate = _new_user(client, headers, username="ADMIN")
    assert duplicate.status_code == 409 and "username" in error_fields(duplicate.get_json())


def test_only_tenant_admins_manage_users(client, tenant, auth_headers, in_tenant):
    branch = _branch(in_tenant, tenant.id)
    manager = auth_headers(tenant, role="org_manager", org=branch)
    assert client.get("/api/v1/users", headers=manager).status_code == 403
    assert _new_user(client, manager).status_code == 403
    assert client.get("/api/v1/users", headers={"X-Tenant": "alpha"}).status_code == 401


def test_grants_on_an_org_and_their_limits(client, tenant, auth_headers, in_tenant):
    branch = _branch(in_tenant, tenant.id)
    admin = auth_headers(tenant)
    user_id = _new_user(client, admin).get_json()["id"]
    url = f"/api/v1/users/{user_id}/grants"

    granted = client.post(url, json={"role": "branch_secretary", "org_id": str(branch)}, headers=admin)
    assert granted.status_code == 201
    assert [(g["role"], g["org_code"]) for g in granted.get_json()["grants"]] == [
        ("branch_secretary", "X")
    ]
    bad_role = client.post(url, json={"role": "king"}, headers=admin)
    assert bad_role.status_code == 422 and "role" in error_fields(bad_role.get_json())
    unknown_org = client.post(
        url, json={"role": "member", "org_id": "01900000-0000-7000-8000-000000000000"},
        headers=admin,
    )
    assert unknown_org.status_code == 422 and "org_id" in error_fields(unknown_org.get_json())
    scoped_admin = client.post(url, json={"role": "tenant_admin", "org_id": str(branch)}, headers=admin)
    assert scoped_admin.status_code == 422 and "org_id" in error_fields(scoped_admin.get_json())
    above_self = client.post(url, json={"role": "platform_operator"}, headers=admin)
    assert above_self.status_code == 403

    operator = auth_headers(tenant, role="platform_operator")
    assert client.post(url, json={"role": "platform_operator"}, headers=operator).status_code == 201


def test_another_tenants_user_is_404(client, tenant, tenant_b, auth_headers, make_user):
    stranger = make_user(tenant_b, "stranger")
    headers = auth_headers(tenant)
    for url in (f"/api/v1/users/{stranger.id}", "/api/v1/users/not-a-uuid"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404
        assert "stranger" not in response.get_data(as_text=True)
    grant = client.post(
        f"/api/v1/users/{stranger.id}/grants", json={"role": "member"}, headers=headers
    )
    assert grant.status_code == 404


def test_no_response_ever_carries_a_password(client, tenant, auth_headers):
    headers = auth_headers(tenant, username="admin")
    bodies = [
        client.post(
            "/api/v1/auth/token",
            json={"username": "admin", "password": DEFAULT_PASSWORD},
            headers={"X-Tenant": "alpha"},
        ),
        client.post(
            "/api/v1/auth/token",
            json={"username": "admin", "password": "Wrong-" + DEFAULT_PASSWORD},
            headers={"X-Tenant": "alpha"},
        ),
        _new_user(client, headers),
        client.get("/api/v1/users", headers=headers),
        client.get("/api/v1/auth/me", headers=headers),
    ]
    user_id = bodies[2].get_json()["id"]
    bodies.append(client.get(f"/api/v1/users/{user_id}", headers=headers))
    bodies.append(client.post(f"/api/v1/users/{user_id}/grants", json={"role": "member"},
                              headers=headers))
    for response in bodies:
        text = response.get_data(as_text=True)
        assert DEFAULT_PASSWORD not in text
        assert NEW_PASSWORD not in text
        assert '"password' not in text  # no such key (the 401 message may say 'password')
        assert "$argon2" not in text
