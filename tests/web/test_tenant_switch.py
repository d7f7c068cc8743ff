"""Logging in on a platform host (``PLATFORM_HOSTS``) and switching city (/switch-city).

Cities alpha (alpha.test) and beta (beta.test), and the platform host platform.test.
``op`` is a platform operator in both cities with a different password in each; ``half`` is
an operator in alpha but only an administrator in beta (same password); ``solo`` exists in
alpha only; ``admin`` is alpha's tenant administrator.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from core.auth import service as auth
from core.auth.models import ApiToken
from core.db import db
from core.orgs import service as orgs
from core.tenancy.models import Tenant
from tests.web.conftest import WebSession, html

PLATFORM = "platform.test"
ALPHA_PW, BETA_PW = "Alpha-Passw0rd!", "Beta-Passw0rd!"
SAME = "密码错误，或您在该城市不是平台运维人员。"


@pytest.fixture
def cities(app, monkeypatch, tenant, tenant_b, in_tenant, make_user):
    monkeypatch.setitem(app.config, "PLATFORM_HOSTS", [PLATFORM])
    ids = {"alpha": inspect(tenant).identity[0], "beta": inspect(tenant_b).identity[0]}
    for key, name in (("alpha", "甲市委"), ("beta", "乙市委")):
        with in_tenant(ids[key]):
            orgs.create(name=name, code="R", kind="committee")
            db.session.commit()
    make_user(ids["alpha"], "op", password=ALPHA_PW, role="platform_operator")
    make_user(ids["beta"], "op", password=BETA_PW, role="platform_operator")
    make_user(ids["alpha"], "half", password=ALPHA_PW, role="platform_operator")
    make_user(ids["beta"], "half", password=ALPHA_PW, role="tenant_admin")
    make_user(ids["alpha"], "solo", password=ALPHA_PW, role="platform_operator")
    make_user(ids["alpha"], "admin", password=ALPHA_PW, role="tenant_admin")
    return ids


def _session(app, host: str) -> WebSession:
    return WebSession(app.test_client(), host)


def _platform_login(app, city: str, username: str, password: str):
    web = _session(app, PLATFORM)
    response = web.post("/login", {"city": city, "username": username, "password": password})
    return web, response


def _tenant_of_session(web: WebSession) -> int:
    """The city the session's token names (its prefix)."""
    with web.client.session_transaction(headers={"Host": web.host}) as stored:
        return int(stored["dangjian_token"].split(".", 1)[0])


def _live_tokens(in_tenant, tenant_id: int, username: str) -> int:
    with in_tenant(tenant_id):
        user = auth.find_user(username)
        return len(db.session.scalars(select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all())


def test_the_platform_login_asks_for_the_city_and_logs_in_there(app, cities):
    page = _session(app, PLATFORM).get("/login")
    assert page.status_code == 200 and 'name="city"' in html(page) and "城市代码" in html(page)
    web, done = _platform_login(app, "beta", "op", BETA_PW)
    assert done.status_code == 302
    assert _tenant_of_session(web) == cities["beta"]
    assert "乙市委" in html(web.get("/"))
    # a city's own address never asks for a city
    assert 'name="city"' not in html(_session(app, "alpha.test").get("/login"))


def test_the_platform_login_refuses_unknown_cities_and_wrong_passwords(app, cities, in_tenant):
    _web, unknown = _platform_login(app, "gamma", "op", BETA_PW)
    assert unknown.status_code == 422
    assert 'id="city-error"' in html(unknown) and "没有该代码的城市" in html(unknown)
    _web, wrong = _platform_login(app, "beta", "op", ALPHA_PW)  # alpha's password, beta's city
    assert wrong.status_code == 401 and "用户名或密码错误" in html(wrong)
    _web, missing = _platform_login(app, "beta", "solo", ALPHA_PW)
    assert missing.status_code == 401
    _web, empty = _platform_login(app, "", "op", BETA_PW)
    assert empty.status_code == 422
    with in_tenant(cities["beta"]):
        db.session.get(Tenant, cities["beta"]).is_active = False
        db.session.commit()
    _web, inactive = _platform_login(app, "beta", "op", BETA_PW)
    assert inactive.status_code == 422


def test_a_host_that_names_no_city_and_is_not_a_platform_host_still_serves_no_login(app, cities):
    response = _session(app, "nowhere.test").get("/login")
    assert response.status_code == 404 and "未对应任何城市" in html(response)


def test_a_city_host_login_cannot_reach_another_city(app, cities):
    web = _session(app, "alpha.test")
    # a city field smuggled into a city host's form is ignored: the login is alpha's
    smuggled = web.post("/login", {"city": "beta", "username": "op", "password": BETA_PW})
    assert smuggled.status_code == 401
    assert web.post("/login", {"city": "beta", "username": "op",
                               "password": ALPHA_PW}).status_code == 302
    assert _tenant_of_session(web) == cities["alpha"]
    assert web.get("/").status_code == 200
    # the same cookie on beta's address, or with beta named by the header, is no login
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = web.client.get_cookie(name, domain="alpha.test")
    for host in ("beta.test", PLATFORM):
        web.client.set_cookie(name, cookie.value, domain=host)
    assert web.client.get("/", headers={"Host": "beta.test"}).status_code == 302
    # on the platform host the cookie names alpha, and only alpha
    assert "甲市委" in html(web.client.get("/", headers={"Host": PLATFORM}))
    header = web.client.get("/", headers={"Host": PLATFORM, "X-Tenant": "beta"})
    assert header.status_code == 302 and "/login" in header.headers["Location"]


def test_only_platform_operators_reach_the_switch(app, cities):
    web, _done = _platform_login(app, "alpha", "admin", ALPHA_PW)
    assert web.get("/switch-city").status_code == 403
    token = web.csrf("/")
    refused = web.client.post("/switch-city", data={"csrf_token": token, "city": "beta",
                                                    "password": BETA_PW},
                              headers={"Host": PLATFORM})
    assert refused.status_code == 403
    assert _tenant_of_session(web) == cities["alpha"]
    assert "切换城市" not in html(web.get("/"))
    operator, _done = _platform_login(app, "alpha", "op", ALPHA_PW)
    assert "切换城市" in html(operator.get("/"))


def test_an_operator_switches_with_their_password_there(app, cities, in_tenant):
    web, _done = _platform_login(app, "alpha", "op", ALPHA_PW)
    page = html(web.get("/switch-city"))
    assert "甲市委组织部" in page and "乙市委组织部" in page and 'value="beta"' in page
    assert 'value="alpha"' not in page  # not offered: already there
    assert _live_tokens(in_tenant, cities["alpha"], "op") == 1
    moved = web.post("/switch-city", {"city": "beta", "password": BETA_PW})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/")
    assert _tenant_of_session(web) == cities["beta"]
    assert "乙市委" in html(web.get("/"))
    assert _live_tokens(in_tenant, cities["alpha"], "op") == 0  # the old token is revoked
    assert _live_tokens(in_tenant, cities["beta"], "op") == 1
    back = web.post("/switch-city", {"city": "alpha", "password": ALPHA_PW})
    assert back.status_code == 302 and _tenant_of_session(web) == cities["alpha"]


def test_every_refusal_says_the_same(app, cities, in_tenant):
    cases = (("op", BETA_PW.replace("Beta", "Gamma")),  # wrong password in beta
             ("half", ALPHA_PW),  # right password, but no operator in beta
             ("solo", ALPHA_PW))  # no account in beta at all
    for username, password in cases:
        web, _done = _platform_login(app, "alpha", username, ALPHA_PW)
        refused = web.post("/switch-city", {"city": "beta", "password": password})
        assert refused.status_code == 401, username
        assert SAME in html(refused) and 'id="password-error"' in html(refused)
        assert _tenant_of_session(web) == cities["alpha"]
        assert web.get("/").status_code == 200  # still logged in where they were
    with in_tenant(cities["beta"]):
        assert auth.find_user("half").last_login_at is None  # a refused switch leaves no login


def test_failed_switches_count_toward_the_lockout_there(app, cities, in_tenant):
    web, _done = _platform_login(app, "alpha", "op", ALPHA_PW)
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        assert web.post("/switch-city", {"city": "beta", "password": "Wr0ng-guess!"}).status_code == 401
    locked = web.post("/switch-city", {"city": "beta", "password": BETA_PW})
    assert locked.status_code == 423 and "账号已被锁定" in html(locked)
    # a locked account that is no operator there is not revealed
    half, _done = _platform_login(app, "alpha", "half", ALPHA_PW)
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        refused = half.post("/switch-city", {"city": "beta", "password": "Wr0ng-guess!"})
    assert refused.status_code == 401 and SAME in html(refused)


def test_no_switch_on_a_city_host(app, cities):
    web = _session(app, "alpha.test")
    assert web.log_in("op", ALPHA_PW).status_code == 302
    page = web.get("/switch-city")
    assert page.status_code == 200 and "此网址只服务一个城市" in html(page)
    assert 'name="password"' not in html(page)
    refused = web.post("/switch-city", {"city": "beta", "password": BETA_PW}, form_page="/")
    assert refused.status_code == 409
    assert _tenant_of_session(web) == cities["alpha"]


def test_switching_needs_csrf_and_a_known_city(app, cities):
    web, _done = _platform_login(app, "alpha", "op", ALPHA_PW)
    no_token = web.client.post("/switch-city", data={"city": "beta", "password": BETA_PW},
                               headers={"Host": PLATFORM})
    assert no_token.status_code == 400 and _tenant_of_session(web) == cities["alpha"]
    unknown = web.post("/switch-city", {"city": "gamma", "password": BETA_PW})
    assert unknown.status_code == 422 and 'id="city-error"' in html(unknown)
    assert web.get("/switch-city").status_code == 200
