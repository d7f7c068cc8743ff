"""The web app through Flask's test client: login with CSRF and lockout, role-aware pages,
tenancy, and the API never taking the session cookie."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.auth import service as auth_service
from core.auth.models import ApiToken
from core.db import db
from tests.support.auth import DEFAULT_PASSWORD
from tests.web.cities import two_branches


def _csrf(client, host: str, path: str = "/login") -> str:
    html = client.get(path, headers={"Host": host}).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _login(client, host, username, password=DEFAULT_PASSWORD, **extra):
    return client.post("/login", data={"csrf_token": _csrf(client, host), "username": username,
                                       "password": password}, headers={"Host": host}, **extra)


@pytest.fixture
def city(tenant, tenant_b, in_tenant, make_user):
    """Tenant alpha (host alpha.test): 市委 → 一支部, 二支部; beta has its own root."""
    ids = two_branches(tenant, tenant_b, in_tenant)
    make_user(tenant, username="admin")
    make_user(tenant, username="sec1", role="branch_secretary", org=ids["one"])
    return ids


def test_pages_need_a_login_and_come_back_after_it(client, city):
    host = "alpha.test"
    response = client.get("/orgs", headers={"Host": host})
    assert response.status_code == 302 and "/login?next=/orgs" in response.headers["Location"]
    page = client.get("/login", headers={"Host": host}).get_data(as_text=True)
    assert "用户名" in page and "密码" in page and 'lang="zh-CN"' in page
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert client.get(stylesheet, headers={"Host": host}).status_code == 200  # served by the app
    assert "http" not in stylesheet  # from this site, never another host
    done = _login(client, host, "admin", query_string={"next": "/orgs"})
    assert done.status_code == 302 and done.headers["Location"] == "/orgs"
    tree = client.get("/orgs", headers={"Host": host}).get_data(as_text=True)
    assert "甲市委" in tree and "一支部" in tree and "二支部" in tree


def test_login_refuses_bad_input_wrong_passwords_and_a_locked_account(client, city, app, tenant,
                                                                     in_tenant):
    host = "alpha.test"
    no_token = client.post("/login", data={"username": "admin", "password": DEFAULT_PASSWORD},
                           headers={"Host": host})
    assert no_token.status_code == 400 and "表单已过期" in no_token.get_data(as_text=True)
    empty = _login(client, host, "admin", password="")
    assert empty.status_code == 422
    wrong = _login(client, host, "admin", password="nope")
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, host, "admin", password="nope")
    locked = _login(client, host, "admin")
    assert locked.status_code == 423 and "已被锁定" in locked.get_data(as_text=True)
    assert client.get("/", headers={"Host": host}).status_code == 302  # not logged in


def test_an_outside_next_is_not_followed(client, city):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        done = _login(client, "alpha.test", "admin", query_string={"next": target})
        assert done.headers["Location"] == "/", target


def test_dashboard_shows_the_users_subtree_only(client, city):
    host = "alpha.test"
    _login(client, host, "sec1")
    page = client.get("/", headers={"Host": host}).get_data(as_text=True)
    assert "一支部 · 工作台" in page and "二支部" not in page
    assert client.get(f"/orgs/{city['one']}", headers={"Host": host}).status_code == 200
    assert client.get(f"/orgs/{city['two']}", headers={"Host": host}).status_code == 404
    assert client.get(f"/orgs/{city['beta']}", headers={"Host": host}).status_code == 404
    assert client.get("/orgs/not-an-id", headers={"Host": host}).status_code == 404
    assert client.get(f"/?org={city['two']}", headers={"Host": host}).status_code == 404


def test_logout_needs_csrf_and_ends_the_token(client, city, tenant, in_tenant):
    host = "alpha.test"
    _login(client, host, "admin")
    assert client.post("/logout", headers={"Host": host}).status_code == 400  # no CSRF token
    assert client.get("/", headers={"Host": host}).status_code == 200
    out = client.post("/logout", data={"csrf_token": _csrf(client, host, "/")}, headers={"Host": host})
    assert out.status_code == 302
    assert client.get("/", headers={"Host": host}).status_code == 302
    with in_tenant(tenant):
        user = auth_service.find_user("admin")
        tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
        assert tokens and all(t.revoked_at is not None for t in tokens)


def test_the_api_never_takes_the_session_cookie(client, city):
    host = "alpha.test"
    _login(client, host, "admin")
    assert client.get("/", headers={"Host": host}).status_code == 200
    assert client.get("/api/v1/auth/me", headers={"Host": host}).status_code == 401


def test_an_unknown_host_serves_no_city(client, city):
    response = client.get("/login", headers={"Host": "nowhere.test"})
    assert response.status_code == 404 and "未对应任何城市" in response.get_data(as_text=True)


def test_an_idle_session_ends_and_the_login_page_says_why(client, city, tenant, in_tenant):
    from datetime import timedelta

    from sqlalchemy import update

    from core.db.mixins import utcnow

    host = "alpha.test"
    _login(client, host, "admin")
    with in_tenant(tenant):
        user_id = auth_service.find_user("admin").id

    def idle_for(minutes: int) -> None:
        with in_tenant(tenant):
            db.session.execute(update(ApiToken).where(ApiToken.user_id == user_id)
                               .values(last_used_at=utcnow() - timedelta(minutes=minutes)))
            db.session.commit()

    idle_for(29)  # within the 30 minutes: still logged in (and the use is recorded)
    assert client.get("/", headers={"Host": host}).status_code == 200
    idle_for(31)
    gone = client.get("/", headers={"Host": host})
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    assert "长时间未操作，会话已结束" in client.get(gone.headers["Location"], headers={"Host": host}).get_data(as_text=True)
    with in_tenant(tenant):
        tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all()
        assert tokens and all(t.revoked_at is not None for t in tokens)  # not just forgotten
