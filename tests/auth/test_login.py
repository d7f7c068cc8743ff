"""Password login: tokens, the same answer for unknown users and wrong passwords, lockout."""

import hashlib
import threading
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import select, update

from core.auth import passwords
from core.auth.models import ApiToken, User
from core.db import db
from tests.support.auth import DEFAULT_PASSWORD, error_fields


def _login(client, tenant_slug, username, password=DEFAULT_PASSWORD):
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        headers={"X-Tenant": tenant_slug},
    )


def _user_row(in_tenant, tenant_id, username):
    with in_tenant(tenant_id):
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def test_token_is_issued_and_only_its_hash_is_stored(client, tenant, make_user, in_tenant, app):
    alpha = tenant.id  # before any request detaches the fixture's object
    user = make_user(tenant, "alice")
    response = _login(client, "alpha", "alice")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == int(app.config["TOKEN_TTL"].total_seconds())
    prefix, secret = body["access_token"].split(".", 1)
    assert prefix == str(alpha)
    with in_tenant(alpha):
        rows = db.session.scalars(select(ApiToken)).all()
        assert len(rows) == 1
        assert rows[0].user_id == user.id
        assert rows[0].token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in rows[0].token_hash
        stored = db.session.scalar(select(User).where(User.username == "alice"))
        assert stored.last_login_at is not None
        assert DEFAULT_PASSWORD not in stored.password_hash
        assert passwords.verify(stored.password_hash, DEFAULT_PASSWORD)


def test_login_is_case_insensitive_on_username(client, tenant, make_user):
    make_user(tenant, "Bob")
    assert _login(client, "alpha", "BOB").status_code == 200


def test_wrong_password_and_unknown_user_look_the_same(client, tenant, make_user):
    make_user(tenant, "alice")
    wrong = _login(client, "alpha", "alice", "Wrong-pass1")
    unknown = _login(client, "alpha", "nobody", "Wrong-pass1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["code"] == 401


def test_login_needs_a_tenant(client, tenant, make_user):
    make_user(tenant, "alice")
    response = client.post(
        "/api/v1/auth/token", json={"username": "alice", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 400
    assert "tenant" in response.get_json()["message"].lower()


def test_a_user_of_another_tenant_cannot_log_in_here(client, tenant, tenant_b, make_user):
    make_user(tenant, "alice")
    assert _login(client, "beta", "alice").status_code == 401


def test_missing_fields_are_named(client, tenant):
    response = client.post(
        "/api/v1/auth/token", json={"username": "alice"}, headers={"X-Tenant": "alpha"}
    )
    assert response.status_code == 422
    assert "password" in error_fields(response.get_json())


def test_lockout_after_repeated_failures_then_unlock_after_the_window(
    client, tenant, make_user, in_tenant, app
):
    alpha = tenant.id  # before any request detaches the fixture's object
    make_user(tenant, "alice")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert _login(client, "alpha", "alice", "Wrong-pass1").status_code == 401
    user = _user_row(in_tenant, alpha, "alice")
    assert user.failed_logins == limit
    assert user.locked_until is not None

    locked = _login(client, "alpha", "alice")  # the right password
    assert locked.status_code == 423
    message = locked.get_json()["message"]
    assert "locked" in message
    unlock_at = user.locked_until.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M")
    assert unlock_at in message
    assert "access_token" not in locked.get_json()

    with in_tenant(alpha):  # the window passes
        db.session.execute(
            update(User)
            .where(User.username == "alice")
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    assert _login(client, "alpha", "alice").status_code == 200
    user = _user_row(in_tenant, alpha, "alice")
    assert user.failed_logins == 0
    assert user.locked_until is None


def test_a_failure_after_a_lapsed_lockout_starts_a_new_count(
    client, tenant, make_user, in_tenant, app
):
    alpha = tenant.id  # before any request detaches the fixture's object
    make_user(tenant, "alice")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, "alpha", "alice", "Wrong-pass1")
    with in_tenant(alpha):
        db.session.execute(
            update(User).values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    assert _login(client, "alpha", "alice", "Wrong-pass1").status_code == 401
    user = _user_row(in_tenant, alpha, "alice")
    assert user.failed_logins == 1
    assert _login(client, "alpha", "alice").status_code == 200


def test_success_resets_the_failure_counter(client, tenant, make_user, app):
    make_user(tenant, "alice")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        _login(client, "alpha", "alice", "Wrong-pass1")
    assert _login(client, "alpha", "alice").status_code == 200
    for _ in range(limit - 1):
        _login(client, "alpha", "alice", "Wrong-pass1")
    assert _login(client, "alpha", "alice").status_code == 200  # never reached the limit


def test_concurrent_failures_are_all_counted(app_ctx, tenant, make_user, in_tenant):
    """Failures from parallel requests each add one (no lost read-modify-write updates)."""
    alpha = tenant.id  # before any request detaches the fixture's object
    make_user(tenant, "alice")
    attempts = app_ctx.config["LOGIN_MAX_FAILURES"] - 1
    statuses = []
    barrier = threading.Barrier(attempts)

    def attempt():
        client = app_ctx.test_client()  # this thread has no app context: its own session
        barrier.wait()
        statuses.append(_login(client, "alpha", "alice", "Wrong-pass1").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [401] * attempts
    assert _user_row(in_tenant, alpha, "alice").failed_logins == attempts


def test_outdated_hash_is_upgraded_at_login(client, tenant, make_user, in_tenant):
    alpha = tenant.id  # before any request detaches the fixture's object
    make_user(tenant, "alice")
    old = PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1).hash(DEFAULT_PASSWORD)
    with in_tenant(alpha):
        db.session.execute(update(User).values(password_hash=old))
        db.session.commit()
    assert _login(client, "alpha", "alice").status_code == 200
    new = _user_row(in_tenant, alpha, "alice").password_hash
    assert new != old
    with client.application.app_context():
        assert not passwords.needs_rehash(new)
        assert passwords.verify(new, DEFAULT_PASSWORD)


def test_disabled_user_cannot_log_in(client, tenant, make_user, in_tenant):
    alpha = tenant.id  # before any request detaches the fixture's object
    make_user(tenant, "alice")
    with in_tenant(alpha):
        db.session.execute(update(User).values(is_active=False))
        db.session.commit()
    response = _login(client, "alpha", "alice")
    assert response.status_code == 401
    assert response.get_json() == _login(client, "alpha", "nobody").get_json()
