"""Bearer tokens on requests: the tenant wall, expiry, revocation, malformed headers."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from core.auth.models import ApiToken, User
from core.db import db


def _token(headers):
    return headers["Authorization"].split(" ", 1)[1]


def test_me_returns_the_user_and_grants(client, tenant, auth_headers):
    headers = auth_headers(tenant, role="tenant_admin", username="alice")
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == "alice"
    assert [(g["role"], g["org_id"]) for g in body["grants"]] == [("tenant_admin", None)]
    assert not any("password" in key for key in body)


def test_the_token_alone_selects_its_tenant(client, tenant, auth_headers):
    headers = auth_headers(tenant)
    response = client.get("/api/v1/auth/me", headers={"Authorization": headers["Authorization"]})
    assert response.status_code == 200


def test_the_tenants_host_works_with_its_token(client, tenant, auth_headers):
    headers = auth_headers(tenant)
    response = client.get(
        "/api/v1/auth/me",
        headers={"Authorization": headers["Authorization"], "Host": "alpha.test"},
    )
    assert response.status_code == 200


def test_token_of_tenant_a_with_x_tenant_b_is_refused(client, tenant, tenant_b, auth_headers):
    headers_a = auth_headers(tenant, username="alice")
    auth_headers(tenant_b, username="alice")  # same name in B: still another account
    response = client.get(
        "/api/v1/auth/me", headers={"Authorization": headers_a["Authorization"], "X-Tenant": "beta"}
    )
    assert response.status_code == 401
    assert response.get_json()["code"] == 401
    by_host = client.get(
        "/api/v1/auth/me", headers={"Authorization": headers_a["Authorization"], "Host": "beta.test"}
    )
    assert by_host.status_code == 401


def test_a_forged_prefix_does_not_move_a_token_to_another_tenant(
    client, tenant, tenant_b, auth_headers
):
    beta_id = tenant_b.id
    secret = _token(auth_headers(tenant)).split(".", 1)[1]
    beta = client.get("/api/v1/auth/me", headers={"X-Tenant": "beta"})  # resolves; no user
    assert beta.status_code == 401
    forged = f"{beta_id}.{secret}"
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_expired_token_is_refused(client, tenant, auth_headers, in_tenant):
    alpha = tenant.id
    headers = auth_headers(tenant)
    with in_tenant(alpha):
        db.session.execute(
            update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {
        "code": 401, "message": "Invalid, expired or revoked token.", "errors": None
    }


def test_revoked_token_is_refused(client, tenant, auth_headers):
    headers = auth_headers(tenant)
    other = auth_headers(tenant)
    assert client.post("/api/v1/auth/revoke", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/revoke", headers=headers).status_code == 401
    assert client.get("/api/v1/auth/me", headers=other).status_code == 200  # only that one


def test_unknown_token_is_refused(client, tenant, auth_headers):
    headers = auth_headers(tenant)
    forged = _token(headers)[:-4] + "AAAA"
    response = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}", "X-Tenant": "alpha"}
    )
    assert response.status_code == 401


def test_token_naming_no_known_tenant_is_refused(client, tenant):
    for token in ("99999.abcdefgh", "no-tenant-prefix", "x.y"):
        response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


def test_malformed_bearer_header_is_401(client, tenant, auth_headers):
    token = _token(auth_headers(tenant))
    for value in ("Bearer", "Bearer ", f"Bearer {token} extra", "Bearer " + "a" * 600):
        response = client.get("/api/v1/auth/me", headers={"Authorization": value, "X-Tenant": "alpha"})
        assert response.status_code == 401, value
        assert response.get_json()["code"] == 401


def test_another_scheme_is_not_a_token(client, tenant):
    """A proxy's Basic credentials are ignored: public routes work, protected ones ask for a
    token."""
    headers = {"Authorization": "Basic dXNlcjpwYXNz", "X-Tenant": "alpha"}
    assert client.get("/api/v1/openapi.json", headers=headers).status_code == 200
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert "Authentication required" in response.get_json()["message"]


def test_disabled_users_tokens_stop_working(client, tenant, auth_headers, in_tenant):
    alpha = tenant.id
    headers = auth_headers(tenant)
    with in_tenant(alpha):
        db.session.execute(update(User).values(is_active=False))
        db.session.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_last_used_is_recorded_without_a_write_per_request(client, tenant, auth_headers, in_tenant):
    alpha = tenant.id
    headers = auth_headers(tenant)

    def last_used():
        with in_tenant(alpha):
            return db.session.scalar(select(ApiToken.last_used_at))

    assert last_used() is None
    client.get("/api/v1/auth/me", headers=headers)
    first = last_used()
    assert first is not None
    client.get("/api/v1/auth/me", headers=headers)
    assert last_used() == first  # within the minute: no write
    with in_tenant(alpha):
        db.session.execute(
            update(ApiToken).values(last_used_at=datetime.now(UTC) - timedelta(minutes=5))
        )
        db.session.commit()
    stale = last_used()
    client.get("/api/v1/auth/me", headers=headers)
    assert last_used() > stale


def test_authenticate_sets_the_actor_and_forget_clears_it(app, tenant, auth_headers):
    from core.auth import request as auth_request
    from core.auth.context import current_actor
    from core.auth.permissions import current_user
    from core.tenancy import context as tenancy_context

    alpha = tenant.id
    headers = auth_headers(tenant, username="alice")
    with app.test_request_context("/api/v1/auth/me", headers=headers):
        token = auth_request.bearer_token()
        assert auth_request.token_tenant_hint(token) == alpha
        tenant_token = tenancy_context.activate(alpha)
        try:
            actor_token = auth_request.authenticate(token)
            assert current_actor().label == "user:alice"
            assert current_actor().user_id == current_user().id
            assert current_user().username == "alice"
            auth_request.forget(actor_token)
            assert current_actor() is None
            assert current_user() is None
        finally:
            db.session.rollback()
            tenancy_context.deactivate(tenant_token)
    assert current_actor() is None


def test_timestamps_carry_their_utc_offset(client, tenant, auth_headers):
    body = client.get("/api/v1/auth/me", headers=auth_headers(tenant)).get_json()
    for key in ("created_at", "last_login_at"):
        assert body[key].endswith("+00:00"), body[key]
