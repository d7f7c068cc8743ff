"""Users and roles (/admin/users): tenant administrators only; creating a user under the
password policy, granting and revoking roles on subtrees by organisation code, linking a
register member, resetting a password, unlocking, disabling — with errors beside the field,
nothing written on a refusal, other tenants' ids 404 and a platform operator's account out
of an administrator's reach."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, inspect, select

from core.auth import service as auth
from core.auth.models import RoleGrant, User
from core.db import db
from core.db.mixins import utcnow
from core.orgs import service as orgs
from tests.orgs.conftest import new_member
from tests.web.conftest import html

GOOD = "Str0ng-Secret!"


@pytest.fixture
def alpha(tenant) -> int:
    """alpha's id: the fixture's object is detached and expired after the first request."""
    return inspect(tenant).identity[0]


@pytest.fixture
def city(tenant, tenant_b, in_tenant, make_user):
    """alpha: 甲市委 (R) → 一支部 (B1), 二支部 (B2), a member 李四 of 一支部; beta: one root
    and a user of its own."""
    with in_tenant(tenant):
        root = orgs.create(name="甲市委", code="R", kind="committee")
        one = orgs.create(name="一支部", code="B1", kind="branch", parent=root)
        two = orgs.create(name="二支部", code="B2", kind="branch", parent=root)
        member = new_member(one, name="李四")
        db.session.commit()
        ids = {"root": root.id, "one": one.id, "two": two.id, "member": member.id}
    with in_tenant(tenant_b):
        orgs.create(name="乙市委", code="R", kind="committee")
        db.session.commit()
    ids["beta_user"] = make_user(tenant_b, "betauser", role="member").id
    ids["sec"] = make_user(tenant, "sec1", role="branch_secretary", org=ids["one"]).id
    return ids


def _user(in_tenant, tenant, username) -> SimpleNamespace:
    """A snapshot of the user's columns (readable outside the tenant)."""
    with in_tenant(tenant):
        user = auth.find_user(username)
        return SimpleNamespace(**{c.key: getattr(user, c.key) for c in User.__table__.columns})


def _grants(in_tenant, tenant, username) -> list[tuple[str, str | None]]:
    with in_tenant(tenant):
        user = auth.find_user(username)
        return [(g.role, org.code if org else None) for g, org in auth.grants_of(user)]


def _count_users(in_tenant, tenant) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(User))


def test_the_list_shows_users_roles_and_status_and_searches(city, web_as, alpha, in_tenant):
    admin = web_as(alpha, "admin")
    with in_tenant(alpha):
        sec = auth.find_user("sec1")
        sec.display_name = "王书记"
        sec.locked_until = utcnow() + timedelta(minutes=10)
        db.session.commit()
    page = html(admin.get("/admin/users"))
    assert "sec1" in page and "王书记" in page and "已锁定" in page
    assert "支部书记 · 一支部" in page and "本市管理员 · 全市" in page
    assert "betauser" not in page  # another city's account
    found = html(admin.get("/admin/users?q=王"))
    assert "sec1" in found and ">admin</a>" not in found
    assert "sec1" in html(admin.get("/admin/users?q=SEC"))
    paged = html(admin.get("/admin/users?per_page=1&page=2"))
    assert "sec1" in paged and "第 2 / 2 页" in paged


def test_only_tenant_admins_reach_the_screen(city, web_as, alpha, client):
    manager = web_as(alpha, "boss", role="org_manager", org=city["root"])
    assert manager.get("/admin/users").status_code == 403
    assert manager.get(f"/admin/users/{city['sec']}").status_code == 403
    refused = manager.post(f"/admin/users/{city['sec']}/password", {"password": GOOD},
                           form_page="/")
    assert refused.status_code == 403
    anonymous = client.get("/admin/users", headers={"Host": "alpha.test"})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_weak_password_is_refused_beside_the_field_and_nothing_is_written(
        city, web_as, alpha, in_tenant):
    admin = web_as(alpha, "admin")
    before = _count_users(in_tenant, alpha)
    weak = admin.post("/admin/users", {"username": "carol", "display_name": "卡罗尔",
                                       "password": "short"})
    assert weak.status_code == 422
    page = html(weak)
    assert 'id="password-error"' in page
    assert "密码至少需要 8 个字符" in page and "至少包含以下四类中的三类" in page
    assert _count_users(in_tenant, alpha) == before
    bad_name = admin.post("/admin/users", {"username": "-x", "password": GOOD})
    assert bad_name.status_code == 422 and 'id="username-error"' in html(bad_name)
    taken = admin.post("/admin/users", {"username": "SEC1", "password": GOOD})
    assert taken.status_code == 409 and "该用户名已被使用" in html(taken)
    assert _count_users(in_tenant, alpha) == before
    empty = admin.post("/admin/users", {"username": "", "password": ""})
    assert empty.status_code == 422


def test_create_grant_and_log_in_as_the_new_user(city, web_as, alpha, in_tenant, app_ctx):
    admin = web_as(alpha, "admin")
    created = admin.post("/admin/users", {"username": "Carol", "display_name": "卡罗尔",
                                          "password": GOOD})
    assert created.status_code == 302
    carol = _user(in_tenant, alpha, "carol")
    assert created.headers["Location"].endswith(f"/admin/users/{carol.id}")
    assert carol.display_name == "卡罗尔"
    page = f"/admin/users/{carol.id}"
    granted = admin.post(f"{page}/grants", {"role": "branch_secretary", "org_code": "B1"},
                         form_page=page)
    assert granted.status_code == 302
    assert _grants(in_tenant, alpha, "carol") == [("branch_secretary", "B1")]
    again = admin.post(f"{page}/grants", {"role": "branch_secretary", "org_code": "B1"},
                       form_page=page)
    assert again.status_code == 302 and len(_grants(in_tenant, alpha, "carol")) == 1
    shown = html(admin.get(page))
    assert "支部书记" in shown and "一支部" in shown

    from tests.web.conftest import WebSession

    as_carol = WebSession(app_ctx.test_client(), "alpha.test")
    assert as_carol.log_in("carol", GOOD).status_code == 302
    assert as_carol.get(f"/orgs/{city['one']}").status_code == 200
    assert as_carol.get(f"/orgs/{city['two']}").status_code == 404
    assert as_carol.get("/admin/users").status_code == 403


def test_grant_errors_sit_beside_their_field(city, web_as, alpha, in_tenant):
    admin = web_as(alpha, "admin")
    page = f"/admin/users/{city['sec']}"
    before = _grants(in_tenant, alpha, "sec1")
    unknown = admin.post(f"{page}/grants", {"role": "org_manager", "org_code": "NOPE"},
                         form_page=page)
    assert unknown.status_code == 422 and 'id="org_code-error"' in html(unknown)
    assert "没有该编码的党组织" in html(unknown)
    wide = admin.post(f"{page}/grants", {"role": "tenant_admin", "org_code": "B1"},
                      form_page=page)
    assert wide.status_code == 422 and 'id="org_code-error"' in html(wide)
    assert "适用于全市" in html(wide)
    bad_role = admin.post(f"{page}/grants", {"role": "king", "org_code": ""},
                         form_page=page)
    assert bad_role.status_code == 422 and 'id="role-error"' in html(bad_role)
    assert _grants(in_tenant, alpha, "sec1") == before


def test_only_a_platform_operator_grants_platform_operator(city, web_as, alpha, in_tenant):
    admin = web_as(alpha, "admin")
    page = f"/admin/users/{city['sec']}"
    refused = admin.post(f"{page}/grants", {"role": "platform_operator", "org_code": ""},
                         form_page=page)
    assert refused.status_code == 403 and 'id="role-error"' in html(refused)
    assert ("platform_operator", None) not in _grants(in_tenant, alpha, "sec1")
    operator = web_as(alpha, "op", role="platform_operator")
    assert operator.post(f"{page}/grants", {"role": "platform_operator", "org_code": ""},
                         form_page=page).status_code == 302
    assert ("platform_operator", None) in _grants(in_tenant, alpha, "sec1")


def test_an_operators_account_is_out_of_an_administrators_reach(city, web_as, alpha, in_tenant,
                                                                  make_user):
    op = make_user(alpha, "op", role="platform_operator")
    admin = web_as(alpha, "admin")
    page = f"/admin/users/{op.id}"
    shown = html(admin.get(page))
    assert "您不能修改" in shown and "重置密码</button>" not in shown
    token = admin.csrf("/admin/users")
    for action, data in (("password", {"password": GOOD}), ("unlock", {}),
                         ("active", {"active": "0"}), ("member", {"member_id": ""}),
                         ("grants", {"role": "member", "org_code": ""})):
        response = admin.client.post(f"{page}/{action}", data={"csrf_token": token, **data},
                                     headers={"Host": admin.host})
        assert response.status_code == 403, action
    with in_tenant(alpha):
        grant_id = db.session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == op.id))
    revoke = admin.client.post(f"{page}/grants/{grant_id}/revoke", data={"csrf_token": token},
                               headers={"Host": admin.host})
    assert revoke.status_code == 403
    assert _grants(in_tenant, alpha, "op") == [("platform_operator", None)]
    with in_tenant(alpha):
        assert auth.find_user("op").is_active


def test_revoke_a_grant(city, web_as, alpha, in_tenant, make_user):
    admin = web_as(alpha, "admin")
    page = f"/admin/users/{city['sec']}"
    with in_tenant(alpha):
        sec_grant = db.session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == city["sec"]))
        admin_user = auth.find_user("admin")
        admin_grant = db.session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == admin_user.id))
    # another user's grant through this user's address: unknown here
    assert admin.post(f"{page}/grants/{admin_grant}/revoke", form_page=page).status_code == 404
    assert admin.post(f"{page}/grants/not-an-id/revoke", form_page=page).status_code == 404
    own = admin.post(f"/admin/users/{admin_user.id}/grants/{admin_grant}/revoke", form_page=page)
    assert own.status_code == 409
    no_csrf = admin.client.post(f"{page}/grants/{sec_grant}/revoke", headers={"Host": admin.host})
    assert no_csrf.status_code == 400
    assert _grants(in_tenant, alpha, "sec1") == [("branch_secretary", "B1")]
    done = admin.post(f"{page}/grants/{sec_grant}/revoke", form_page=page)
    assert done.status_code == 302 and _grants(in_tenant, alpha, "sec1") == []


def test_the_organisation_search_offers_codes_without_listing_the_city(city, web_as, alpha):
    admin = web_as(alpha, "admin")
    page = f"/admin/users/{city['sec']}"
    assert "二支部" not in html(admin.get(page))  # nothing listed before a search
    found = html(admin.get(f"{page}?org_q=二"))
    assert "二支部" in found and "一支部</a>" not in found
    assert "org_code=B2" in found
    prefilled = html(admin.get(f"{page}?org_code=B2"))
    assert 'name="org_code" type="text" value="B2"' in prefilled


def test_link_and_unlink_a_register_member(city, web_as, alpha, in_tenant, make_user):
    admin = web_as(alpha, "admin")
    page = f"/admin/users/{city['sec']}"
    found = html(admin.get(f"{page}?member_q=李"))
    assert "李四" in found and str(city["member"]) in found
    linked = admin.post(f"{page}/member", {"member_id": str(city["member"])}, form_page=page)
    assert linked.status_code == 302 and _user(in_tenant, alpha, "sec1").member_id == city["member"]
    assert "李四" in html(admin.get(page))
    other = make_user(alpha, "other", role="member")
    taken = admin.post(f"/admin/users/{other.id}/member", {"member_id": str(city["member"])},
                       form_page=page)
    assert taken.status_code == 409 and "已关联账号 sec1" in html(taken)
    bogus = admin.post(f"/admin/users/{other.id}/member", {"member_id": "nonsense"}, form_page=page)
    assert bogus.status_code == 422
    assert _user(in_tenant, alpha, "other").member_id is None
    unlinked = admin.post(f"{page}/member", {"member_id": ""}, form_page=page)
    assert unlinked.status_code == 302 and _user(in_tenant, alpha, "sec1").member_id is None


def test_reset_password_ends_sessions_and_weak_ones_are_refused(city, web_as, alpha, in_tenant):
    admin = web_as(alpha, "admin")
    secretary = web_as(alpha, "sec1", create=False)
    assert secretary.get("/").status_code == 200
    page = f"/admin/users/{city['sec']}"
    weak = admin.post(f"{page}/password", {"password": "abc"}, form_page=page)
    assert weak.status_code == 422 and 'id="password-error"' in html(weak)
    assert secretary.get("/").status_code == 200  # nothing changed
    done = admin.post(f"{page}/password", {"password": GOOD}, form_page=page)
    assert done.status_code == 302
    assert secretary.get("/").status_code == 302  # the session ended
    assert secretary.log_in("sec1", GOOD).status_code == 302


def test_unlock_a_locked_account(city, web_as, alpha, in_tenant):
    admin = web_as(alpha, "admin")
    with in_tenant(alpha):
        user = auth.find_user("sec1")
        user.failed_logins, user.locked_until = 5, utcnow() + timedelta(minutes=10)
        db.session.commit()
    page = f"/admin/users/{city['sec']}"
    assert "解除锁定" in html(admin.get(page))
    assert admin.post(f"{page}/unlock", form_page=page).status_code == 302
    user = _user(in_tenant, alpha, "sec1")
    assert user.locked_until is None and user.failed_logins == 0


def test_disable_and_enable_an_account(city, web_as, alpha, in_tenant):
    admin = web_as(alpha, "admin")
    secretary = web_as(alpha, "sec1", create=False)
    page = f"/admin/users/{city['sec']}"
    assert admin.post(f"{page}/active", {"active": "maybe"}, form_page=page).status_code == 400
    assert admin.post(f"{page}/active", {"active": "0"}, form_page=page).status_code == 302
    assert not _user(in_tenant, alpha, "sec1").is_active
    assert secretary.get("/").status_code == 302
    assert secretary.log_in("sec1").status_code == 401
    assert admin.post(f"{page}/active", {"active": "1"}, form_page=page).status_code == 302
    assert secretary.log_in("sec1").status_code == 302
    me = _user(in_tenant, alpha, "admin")
    assert admin.post(f"/admin/users/{me.id}/active", {"active": "0"},
                      form_page=page).status_code == 409
    assert _user(in_tenant, alpha, "admin").is_active


def test_another_tenants_user_is_not_found(city, web_as, alpha):
    admin = web_as(alpha, "admin")
    beta_user = city["beta_user"]
    assert admin.get(f"/admin/users/{beta_user}").status_code == 404
    assert admin.get("/admin/users/not-an-id").status_code == 404
    for action, data in (("password", {"password": GOOD}), ("unlock", {}),
                         ("grants", {"role": "member", "org_code": ""})):
        response = admin.post(f"/admin/users/{beta_user}/{action}", data, form_page="/admin/users")
        assert response.status_code == 404, action


def test_forms_without_csrf_are_refused(city, web_as, alpha, in_tenant):
    admin = web_as(alpha, "admin")
    before = _count_users(in_tenant, alpha)
    response = admin.client.post("/admin/users", data={"username": "mallory", "password": GOOD},
                                 headers={"Host": admin.host})
    assert response.status_code == 400 and _count_users(in_tenant, alpha) == before
    response = admin.client.post(f"/admin/users/{city['sec']}/password",
                                 data={"password": GOOD}, headers={"Host": admin.host})
    assert response.status_code == 400
