"""The tenant-admin configuration screens (系统管理): hub, plugins and settings, warning rules,
point rules and partners, audit log — real services, errors beside the fields with nothing
written, 403 for other roles, 404 across tenants, CSRF required."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from core.db import db
from core.orgs import service as orgs
from core.plugins import service as plugin_service
from core.plugins import settings as plugin_settings
from core.points import registry as point_registry
from core.points.models import Offer, Partner, TenantPointRule
from core.warnings import service as warning_service
from core.warnings.models import RuleSetting
from tests.web.conftest import html


@pytest.fixture
def city(tenant, tenant_b, in_tenant, make_user):
    with in_tenant(tenant):
        root = orgs.create(name="甲市委", code="R", kind="committee")
        branch = orgs.create(name="一支部", code="B1", kind="branch", parent=root)
        db.session.commit()
        ids = {"root": root.id, "branch": branch.id, "tenant": tenant.id}
    with in_tenant(tenant_b):
        ids["beta_partner"] = Partner(name="乙商家", active=True)
        db.session.add(ids["beta_partner"])
        db.session.commit()
        ids["beta_partner"] = ids["beta_partner"].id
    return ids


@pytest.fixture
def admin(web_as, city):
    return web_as(city["tenant"], "admin")


def _field_error(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]*)</p>', page)
    assert found, f"no error beside {field_id}"
    return found.group(1)


def test_the_hub_links_every_registered_screen_with_a_summary(admin, tenant, in_tenant):
    with in_tenant(tenant):
        plugin_service.set_enabled("rural", True)
        db.session.commit()
    page = html(admin.get("/admin"))
    assert "系统管理" in page
    for path in ("/admin/plugins", "/admin/warning-rules", "/admin/point-rules",
                 "/admin/partners", "/admin/audit"):
        assert f'href="{path}"' in page, path
    assert re.search(r"已启用 1 个插件（共 \d+ 个）", page)
    assert "预警规则" in page and "条规则启用" in page


def test_other_roles_get_403_and_strangers_the_login(web_as, client, tenant, city):
    secretary = web_as(city["tenant"], "sec", role="branch_secretary", org=city["branch"])
    manager = web_as(city["tenant"], "mgr", role="org_manager", org=city["root"])
    for path in ("/admin", "/admin/plugins", "/admin/plugins/rural", "/admin/warning-rules",
                 "/admin/point-rules", "/admin/partners", "/admin/audit"):
        assert secretary.get(path).status_code == 403, path
        assert manager.get(path).status_code == 403, path
        away = client.get(path, headers={"Host": "alpha.test"})
        assert away.status_code == 302 and "/login" in away.headers["Location"], path
    refused = secretary.post("/admin/plugins/rural/enable", form_page="/")
    assert refused.status_code == 403


# -- plugins ---------------------------------------------------------------------------------


def test_plugins_are_enabled_and_disabled_through_the_service(admin, tenant, in_tenant):
    page = html(admin.get("/admin/plugins"))
    assert "农村" in page and "已停用" in page
    done = admin.post("/admin/plugins/rural/enable", form_page="/admin/plugins")
    assert done.status_code == 302
    with in_tenant(tenant):
        assert plugin_service.is_enabled("rural")
    assert "农村 已启用" in html(admin.get("/admin/plugins"))
    admin.post("/admin/plugins/rural/disable", form_page="/admin/plugins")
    with in_tenant(tenant):
        assert not plugin_service.is_enabled("rural")
    assert admin.post("/admin/plugins/nope/enable", form_page="/admin/plugins").status_code == 404


def test_a_plugin_with_invalid_stored_settings_is_not_enabled(admin, tenant, in_tenant):
    with in_tenant(tenant):
        plugin_service.ensure_row("rural").settings = {"no_recruit_years_warning": 99}
        db.session.commit()
    refused = admin.post("/admin/plugins/rural/enable", form_page="/admin/plugins")
    assert refused.status_code == 422
    assert "no_recruit_years_warning" in html(refused)
    with in_tenant(tenant):
        assert not plugin_service.is_enabled("rural")


def test_plugin_settings_show_sources_refuse_bad_values_and_save_good_ones(admin, tenant, in_tenant):
    page = html(admin.get("/admin/plugins/rural"))
    assert "3年以上未发展党员村" in page  # the Chinese part of the description, as the hint
    assert "插件默认值" in page and 'name="no_recruit_years_warning"' in page
    bad = admin.post("/admin/plugins/rural", {"no_recruit_years_warning": "99"})
    assert bad.status_code == 422
    assert "1" in _field_error(html(bad), "no_recruit_years_warning")
    assert "10" in _field_error(html(bad), "no_recruit_years_warning")
    with in_tenant(tenant):
        assert plugin_settings.tenant_overrides("rural") == {}
    good = admin.post("/admin/plugins/rural", {"no_recruit_years_warning": "4",
                                               "duty_posts": "政策宣传岗\n纠纷调解岗\n"})
    assert good.status_code == 302
    with in_tenant(tenant):
        explained = plugin_settings.explain_settings("rural")
        assert explained["no_recruit_years_warning"] == (4, "tenant")
        assert explained["duty_posts"] == (["政策宣传岗", "纠纷调解岗"], "tenant")
        assert explained["collective_income_target_wan"][1] == "default"  # untouched: no override
    page = html(admin.get("/admin/plugins/rural"))
    assert "本市设置" in page and 'name="reset__no_recruit_years_warning"' in page
    admin.post("/admin/plugins/rural", {"reset__no_recruit_years_warning": "y"})
    with in_tenant(tenant):
        assert plugin_settings.explain_settings("rural")["no_recruit_years_warning"] == (3, "default")
        assert "duty_posts" in plugin_settings.tenant_overrides("rural")


def test_builtin_settings_and_unknown_plugins(admin, tenant, in_tenant):
    page = html(admin.get("/admin/plugins/core.points.plugin"))
    assert "银卡所需积分" in page
    bad = admin.post("/admin/plugins/core.points.plugin",
                     {"silver_threshold": "500", "gold_threshold": "300"})
    assert bad.status_code == 422 and _field_error(html(bad), "gold_threshold")
    with in_tenant(tenant):
        assert plugin_settings.tenant_overrides("core.points.plugin") == {}
    assert admin.get("/admin/plugins/nope").status_code == 404
    assert admin.get("/admin/plugins/core.auth.plugin").status_code == 404


def test_the_tenant_file_is_named_when_sync_would_overwrite(web_as, make_tenant, in_tenant):
    demo = make_tenant("demo", "示范", hosts=["demo.test"])
    session = web_as(demo, "admin")
    page = html(session.get("/admin/plugins"))
    assert "demo.toml" in page and "dangjian tenants sync" in page
    assert "下次同步时将重新启用" in page  # the file enables the sector plugins; here they are off


def test_forms_without_csrf_are_refused(admin, tenant, in_tenant):
    for path in ("/admin/plugins/rural", "/admin/plugins/rural/enable",
                 "/admin/warning-rules/sweep", "/admin/point-rules/new", "/admin/partners/new"):
        response = admin.client.post(path, data={"no_recruit_years_warning": "4"},
                                     headers={"Host": admin.host})
        assert response.status_code == 400, path
    with in_tenant(tenant):
        assert plugin_settings.tenant_overrides("rural") == {}
        assert not plugin_service.is_enabled("rural")


# -- warning rules ---------------------------------------------------------------------------


def _rule_with(param: str) -> dict:
    return next(r for r in warning_service.describe_rules() if param in r["defaults"])


def test_warning_rules_switch_off_and_on(admin, tenant, in_tenant):
    with in_tenant(tenant):
        rule = _rule_with("period_months")
    page = html(admin.get("/admin/warning-rules"))
    assert rule["name"] in page and "立即检查全部预警" in page
    admin.post(f"/admin/warning-rules/{rule['key']}/disable", form_page="/admin/warning-rules")
    with in_tenant(tenant):
        setting = db.session.scalar(select(RuleSetting).where(RuleSetting.rule_key == rule["key"]))
        assert setting.enabled is False
    admin.post(f"/admin/warning-rules/{rule['key']}/enable", form_page="/admin/warning-rules")
    with in_tenant(tenant):
        db.session.expire_all()
        setting = db.session.scalar(select(RuleSetting).where(RuleSetting.rule_key == rule["key"]))
        assert setting.enabled is True
    assert admin.get("/admin/warning-rules/nope.nothing").status_code == 404


def test_warning_rule_parameters_are_validated_and_saved(admin, tenant, in_tenant):
    with in_tenant(tenant):
        rule = _rule_with("period_months")
    path = f"/admin/warning-rules/{rule['key']}"
    assert "周期（月）" in html(admin.get(path))
    bad = admin.post(path, {"period_months": "abc"})
    assert bad.status_code == 422
    assert "整数" in _field_error(html(bad), "period_months")
    with in_tenant(tenant):
        assert db.session.scalar(select(RuleSetting).where(RuleSetting.rule_key == rule["key"])) is None
    assert admin.post(path, {"period_months": "2"}).status_code == 302
    with in_tenant(tenant):
        now = next(r for r in warning_service.describe_rules() if r["key"] == rule["key"])
        assert now["overrides"] == {"period_months": 2} and now["params"]["period_months"] == 2


def test_a_sweep_is_started_and_followed_on_the_job_page(admin):
    done = admin.post("/admin/warning-rules/sweep", form_page="/admin/warning-rules")
    assert done.status_code == 302 and "/jobs/" in done.headers["Location"]
    assert admin.get(done.headers["Location"]).status_code == 200


# -- point rules and partners ----------------------------------------------------------------


def test_point_rules_list_add_and_edit(admin, tenant, in_tenant):
    with in_tenant(tenant):
        plugin_rule = next(r for r in point_registry.tenant_rules().values()
                           if r.source == "plugin" and r.points > 0)
    page = html(admin.get("/admin/point-rules"))
    assert plugin_rule.name in page
    bad = admin.post("/admin/point-rules/new", {"key": "mine", "name": "", "points": "0",
                                                "category": "other"})
    assert bad.status_code == 422
    assert _field_error(html(bad), "key") and _field_error(html(bad), "points")
    with in_tenant(tenant):
        assert db.session.scalar(select(TenantPointRule)) is None
    good = admin.post("/admin/point-rules/new", {"key": "tenant.clean_up", "name": "清洁家园",
                                                 "points": "2", "category": "volunteering",
                                                 "yearly_cap": "20"})
    assert good.status_code == 302
    taken = admin.post("/admin/point-rules/new", {"key": "tenant.clean_up", "name": "再来",
                                                  "points": "2", "category": "other"},
                       form_page="/admin/point-rules/new")
    assert taken.status_code == 422 and "已存在" in _field_error(html(taken), "key")
    path = f"/admin/point-rules/{plugin_rule.key}"
    flipped = admin.post(path, {"active": "y", "points": "-3"})
    assert flipped.status_code == 422 and _field_error(html(flipped), "points")
    assert admin.post(path, {"active": "y", "points": "7", "yearly_cap": ""}).status_code == 302
    with in_tenant(tenant):
        changed = point_registry.get_rule(plugin_rule.key)
        assert changed.points == Decimal("7") and "points" in changed.overridden
    admin.post(f"{path}/reset", form_page=path)
    with in_tenant(tenant):
        assert point_registry.get_rule(plugin_rule.key).points == plugin_rule.points


def test_partners_keys_offers_and_tenant_walls(admin, tenant, in_tenant, city):
    created = admin.post("/admin/partners/new", {"name": "红星超市", "phone": "123", "active": "y"})
    assert created.status_code == 200
    key = re.search(r'id="partner-key">([^<]+)<', html(created)).group(1)
    with in_tenant(tenant):
        partner = db.session.scalar(select(Partner))
        assert partner.name == "红星超市" and partner.verify_key_hash and key not in partner.verify_key_hash
        partner_id = partner.id
    assert key not in html(admin.get(f"/admin/partners/{partner_id}"))  # shown once only
    assert "红星超市" in html(admin.get("/admin/partners"))
    clash = admin.post("/admin/partners/new", {"name": "红星超市"})
    assert clash.status_code == 422 and "已存在" in _field_error(html(clash), "name")
    page_path = f"/admin/partners/{partner_id}"
    rotated = admin.post(f"{page_path}/key", form_page=page_path)
    new_key = re.search(r'id="partner-key">([^<]+)<', html(rotated)).group(1)
    assert new_key != key
    token = {"offer-csrf_token": admin.csrf(page_path)}  # the offer form's own (prefixed) token
    bad_offer = admin.post(f"{page_path}/offers", {"offer-name": "购物券", "offer-cost": "-1", **token},
                           form_page=page_path)
    assert bad_offer.status_code == 422 and _field_error(html(bad_offer), "offer-cost")
    assert admin.post(f"{page_path}/offers", {"offer-name": "购物券", "offer-cost": "50",
                                              "offer-active": "y", **token},
                      form_page=page_path).status_code == 302
    with in_tenant(tenant):
        assert db.session.scalar(select(Offer)).cost == Decimal("50")
    beta = city["beta_partner"]
    assert admin.get(f"/admin/partners/{beta}").status_code == 404
    assert admin.post(f"/admin/partners/{beta}/key", form_page=page_path).status_code == 404


# -- audit -----------------------------------------------------------------------------------


def test_the_audit_log_shows_changes_filters_and_stays_in_the_tenant(admin, tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        rule = _rule_with("period_months")
    admin.post(f"/admin/warning-rules/{rule['key']}/disable", form_page="/admin/warning-rules")
    with in_tenant(tenant_b):
        warning_service.update_rule(rule["key"], enabled=False, params={"period_months": 5})
        db.session.commit()
    page = html(admin.get("/admin/audit"))
    assert "预警规则" in page and "admin" in page and "enabled" in page
    filtered = html(admin.get("/admin/audit", query_string={"object_type": "warning_rule_settings",
                                                            "actor": "admin"}))
    assert rule["key"] in filtered and "period_months" not in filtered  # beta's change not shown
    paged = html(admin.get("/admin/audit", query_string={"per_page": 1, "page": 2}))
    assert 'rel="prev"' in paged and 'rel="next"' in paged  # the disable: a create or more
    none = html(admin.get("/admin/audit", query_string={"actor": "somebody"}))
    assert "没有符合条件的记录" in none
    bad = admin.get("/admin/audit", query_string={"since": "not-a-date"})
    assert bad.status_code == 422
    with in_tenant(tenant):
        count = db.session.query(AuditEntry).count()
    assert count > 0
