"""Rate limits on logging in and on the API (core.protection.ratelimit).

The suite's config sets the login limits out of reach (every test logs in from 127.0.0.1);
each test here sets the limits it proves, and uses client addresses and usernames no other
test uses, so counters left by earlier tests (in memory, or in Redis on the PostgreSQL leg)
cannot matter.
"""

from __future__ import annotations

import itertools
import logging

import pytest

from core import config as config_module
from core.app import create_app
from core.db import db
from tests.support.auth import DEFAULT_PASSWORD
from tests.web.conftest import WebSession, html

_addresses = (f"10.77.{n // 250}.{n % 250 + 1}" for n in itertools.count())
_names = (f"rl{n}" for n in itertools.count())


@pytest.fixture
def limits(app, monkeypatch):
    """Set the limits of this test (the app reads them on every request)."""

    def set_limits(
        *, address="1000 per minute", account="1000 per minute", api="100000 per minute"
    ):
        monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_PER_ADDRESS", address)
        monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_PER_ACCOUNT", account)
        monkeypatch.setitem(app.config, "RATELIMIT_API", api)

    return set_limits


def _login(client, username, password="Wrong-pass1", *, address, tenant="alpha", headers=None):
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        headers={"X-Tenant": tenant, **(headers or {})},
        environ_base={"REMOTE_ADDR": address},
    )


def _assert_throttled_json(response):
    assert response.status_code == 429
    body = response.get_json()
    assert body["code"] == 429 and body["errors"] is None
    assert "Too many requests" in body["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_failed_logins_per_address_then_429_with_retry_after(client, tenant, make_user, limits):
    limits(address="3 per minute")
    user = make_user(tenant, next(_names))
    here, elsewhere = next(_addresses), next(_addresses)
    for _ in range(3):
        assert _login(client, next(_names), address=here).status_code == 401
    # the fourth attempt is refused before the password is checked, even the right one
    _assert_throttled_json(_login(client, user.username, DEFAULT_PASSWORD, address=here))
    # another client is not affected
    assert _login(client, user.username, DEFAULT_PASSWORD, address=elsewhere).status_code == 200


def test_successful_logins_are_not_counted(client, tenant, make_user, limits):
    """A whole office behind one NAT address logs in at 8:30: only failures count."""
    limits(address="2 per minute", account="2 per minute")
    user = make_user(tenant, next(_names))
    here = next(_addresses)
    for _ in range(5):
        assert _login(client, user.username, DEFAULT_PASSWORD, address=here).status_code == 200


def test_failed_logins_per_account_across_addresses(client, tenant, tenant_b, make_user, limits):
    limits(account="2 per minute")
    name = next(_names)
    make_user(tenant, name)
    make_user(tenant_b, name)
    for _ in range(2):
        assert _login(client, name, address=next(_addresses)).status_code == 401
    # the same account from a fresh address: refused; the username's case does not matter
    _assert_throttled_json(_login(client, name.upper(), DEFAULT_PASSWORD, address=next(_addresses)))
    # the same username in another city is another account
    assert (
        _login(client, name, DEFAULT_PASSWORD, address=next(_addresses), tenant="beta").status_code
        == 200
    )


def test_the_lockout_comes_first_with_the_default_account_limit(
    client, tenant, make_user, limits, app, tmp_path
):
    """The default per-account limit sits above LOGIN_MAX_FAILURES: a user is told their
    account is locked (423) before they are told to slow down."""
    defaults = config_module.from_environment(str(tmp_path))
    limits(account=defaults["RATELIMIT_LOGIN_PER_ACCOUNT"])
    name = next(_names)
    make_user(tenant, name)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(client, name, address=next(_addresses)).status_code == 401
    assert _login(client, name, DEFAULT_PASSWORD, address=next(_addresses)).status_code == 423


def test_the_web_login_form_answers_429_in_chinese(client, tenant, make_user, limits):
    limits(address="2 per minute")
    user = make_user(tenant, next(_names))
    client.environ_base["REMOTE_ADDR"] = next(_addresses)
    web = WebSession(client, "alpha.test")
    for _ in range(2):
        assert web.log_in(user.username, "Wrong-pass1").status_code == 401
    refused = web.log_in(user.username)  # the right password, too late
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = html(refused)
    assert "登录失败次数过多" in page and "秒后再试" in page
    assert 'name="username"' in page  # the form again, not a dead end
    assert "dangjian_token" not in refused.headers.get("Set-Cookie", "")


def test_the_api_is_limited_per_token(client, tenant, make_user, limits):
    limits(api="4 per minute")
    tokens = []
    for _ in range(2):
        user = make_user(tenant, next(_names))
        response = _login(client, user.username, DEFAULT_PASSWORD, address=next(_addresses))
        tokens.append(response.get_json()["access_token"])
    here = next(_addresses)

    def me(token):
        return client.get(
            "/api/v1/auth/me",
            environ_base={"REMOTE_ADDR": here},
            headers={"X-Tenant": "alpha", "Authorization": f"Bearer {token}"},
        )

    for _ in range(4):
        assert me(tokens[0]).status_code == 200
    _assert_throttled_json(me(tokens[0]))
    assert me(tokens[1]).status_code == 200  # same address, another token


def test_unauthenticated_api_calls_are_limited_per_address(client, limits):
    limits(api="3 per minute")
    here, elsewhere = next(_addresses), next(_addresses)
    for _ in range(3):
        assert (
            client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": here}).status_code
            == 200
        )
    _assert_throttled_json(client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": here}))
    assert (
        client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": elsewhere}).status_code
        == 200
    )
    # web pages are not under the API limit
    assert client.get("/login", environ_base={"REMOTE_ADDR": here}).status_code != 429


def test_a_forged_forwarded_address_evades_nothing_without_a_trusted_proxy(
    client, tenant, limits, app
):
    assert app.config["TRUSTED_PROXIES"] == 0
    limits(address="2 per minute")
    here = next(_addresses)
    for n in range(2):
        forged = {"X-Forwarded-For": f"192.0.2.{n + 1}"}
        assert _login(client, next(_names), address=here, headers=forged).status_code == 401
    forged = {"X-Forwarded-For": "192.0.2.99"}
    assert _login(client, next(_names), address=here, headers=forged).status_code == 429


def _app_like(app, **overrides):
    return create_app({**{k: v for k, v in app.config.items() if k.isupper()}, **overrides})


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(app, tenant, make_user):
    behind = _app_like(
        app,
        TRUSTED_PROXIES=1,
        RATELIMIT_LOGIN_PER_ADDRESS="2 per minute",
        RATELIMIT_LOGIN_PER_ACCOUNT="1000 per minute",
    )
    proxy = next(_addresses)
    client = behind.test_client()
    client_a, client_b = next(_addresses), next(_addresses)

    def attempt(forwarded):
        return _login(client, next(_names), address=proxy, headers={"X-Forwarded-For": forwarded})

    for _ in range(2):
        assert attempt(client_a).status_code == 401
    assert attempt(client_a).status_code == 429
    # another client behind the same proxy has its own count
    assert attempt(client_b).status_code == 401
    # what a client puts in front of the proxy's entry is ignored: client_a is still client_a
    assert attempt(f"203.0.113.7, {client_a}").status_code == 429
    with behind.app_context():
        db.session.remove()
        db.engine.dispose()


def test_unreachable_storage_fails_open_with_a_warning(app, tenant, make_user, caplog):
    """Redis down: no request fails; a warning is logged; each worker counts in its own
    memory meanwhile, so a password guesser is still slowed."""
    dead = _app_like(
        app,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
        RATELIMIT_LOGIN_PER_ADDRESS="2 per minute",
        RATELIMIT_LOGIN_PER_ACCOUNT="1000 per minute",
        RATELIMIT_API="3 per minute",
    )
    client = dead.test_client()
    user = make_user(tenant, next(_names))
    here = next(_addresses)
    with caplog.at_level(logging.WARNING):
        answer = _login(client, user.username, DEFAULT_PASSWORD, address=here)
        assert answer.status_code == 200
        token = answer.get_json()["access_token"]
        headers = {"X-Tenant": "alpha", "Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
        for _ in range(2):
            assert _login(client, next(_names), address=here).status_code == 401
        assert _login(client, next(_names), address=here).status_code == 429
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and r.name == "flask-limiter"
    ]
    assert any("unreachable" in r.getMessage() for r in warnings)
    assert not [
        r for r in caplog.records if r.levelno >= logging.ERROR and "unhandled" in r.getMessage()
    ]
    with dead.app_context():
        db.session.remove()
        db.engine.dispose()
