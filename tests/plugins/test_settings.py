"""Plugin settings: plugin defaults ← PLUGIN_SETTINGS ← tenant overrides, validated, and never
shared between tenants."""

from __future__ import annotations

import json

import pytest
from marshmallow import Schema, fields

from core.app import create_app
from core.db import db
from core.plugins import settings
from core.plugins.manager import get_manager
from core.plugins.service import UnknownPlugin, find_row, set_enabled
from core.sdk import hookimpl, plugin_settings
from core.tenancy import TenancyError
from plugins.rural.settings import DEFAULT_DUTY_POSTS

RURAL_DEFAULTS = {
    "collective_income_target_wan": 5.0,
    "committee_term_years": 5,
    "branch_term_years": 5,
    "no_recruit_years_warning": 3,
    "village_committee_term_years": 5,
    "duty_posts": list(DEFAULT_DUTY_POSTS),
}


def test_defaults_come_from_the_plugins_schema():
    assert settings.defaults("rural") == RURAL_DEFAULTS
    assert "政策宣传岗" in RURAL_DEFAULTS["duty_posts"]  # a suggestion list (设岗定责)
    assert settings.defaults("community") == {
        "committee_term_years": 5, "branch_term_years": 5, "workers_per_10k_population": 18.0,
        "worker_min_monthly_pay_yuan": 4000, "venue_area_per_100_households_m2": 30.0,
        "venue_min_area_m2": 300.0, "registered_member_services_per_year": 2,
    }
    organs = settings.defaults("organs")
    assert len(organs.pop("model_organ_criteria")) == 8
    assert organs == {
        "committee_term_years": 5, "branch_term_years": 3, "party_staff_ratio_percent": 1.0,
        "party_staff_min_organ_size": 50, "brand_milestone_grace_days": 0,
        "business_goals_due_month": 3,
    }
    assert settings.defaults("soe") == {
        "committee_term_years": 5, "branch_term_years": 3,
        "performance_link_min_weight_pct": 10.0, "performance_link_salary_required": True,
        "prior_review_min_days": 0, "secretary_chairman_same_person": True,
        "full_time_deputy_secretary_min_employees": 1000, "cross_appointment_min_members": 1,
    }
    assert settings.defaults("two_new") == {
        "committee_term_years": 5,
        "branch_term_years": 3,
        "branch_min_full_members": 3,
        "joint_branch_max_units": 5,
        "survey_interval_months": 12,
    }


def test_a_plugin_without_settings_has_none_and_refuses_any():
    assert settings.schema_for("core.auth.plugin") is None
    assert settings.defaults("core.auth.plugin") == {}
    with pytest.raises(settings.PluginSettingsError, match="colour"):
        settings.validate_overrides("core.auth.plugin", {"colour": "red"})


def test_an_unknown_plugin_is_named():
    with pytest.raises(UnknownPlugin, match="nosuch.*installed: community, organs, rural"):
        settings.schema_for("nosuch")


def test_effective_settings_are_the_defaults_without_overrides(tenant, in_tenant):
    with in_tenant(tenant):
        assert settings.effective_settings("rural") == RURAL_DEFAULTS
        assert plugin_settings("rural") == RURAL_DEFAULTS


def test_effective_settings_need_a_tenant(app_ctx):
    with pytest.raises(TenancyError):
        settings.effective_settings("rural")


def test_global_overrides_from_config_dict_or_json(app, tenant, in_tenant, monkeypatch):
    monkeypatch.setitem(app.config, "PLUGIN_SETTINGS", {"rural": {"branch_term_years": 4}})
    with in_tenant(tenant):
        assert settings.global_overrides("rural") == {"branch_term_years": 4}
        assert settings.effective_settings("rural") == {**RURAL_DEFAULTS, "branch_term_years": 4}
    monkeypatch.setitem(
        app.config, "PLUGIN_SETTINGS", json.dumps({"rural": {"collective_income_target_wan": 8}})
    )
    with in_tenant(tenant):
        assert settings.effective_settings("rural")["collective_income_target_wan"] == 8.0
        assert settings.effective_settings("community") == settings.defaults("community")


def test_tenant_override_wins_and_stays_with_its_tenant(app, tenant, tenant_b, in_tenant, monkeypatch):
    monkeypatch.setitem(app.config, "PLUGIN_SETTINGS", {"rural": {"branch_term_years": 4}})
    with in_tenant(tenant):
        stored = settings.set_overrides(
            "rural", {"branch_term_years": "6", "collective_income_target_wan": 10}
        )
        db.session.commit()
    assert stored == {"branch_term_years": 6, "collective_income_target_wan": 10.0}
    with in_tenant(tenant):
        assert settings.explain_settings("rural") == {
            "collective_income_target_wan": (10.0, "tenant"),
            "committee_term_years": (5, "default"),
            "branch_term_years": (6, "tenant"),
            "no_recruit_years_warning": (3, "default"),
            "village_committee_term_years": (5, "default"),
            "duty_posts": (list(DEFAULT_DUTY_POSTS), "default"),
        }
    with in_tenant(tenant_b):
        assert settings.tenant_overrides("rural") == {}
        assert settings.explain_settings("rural") == {
            "collective_income_target_wan": (5.0, "default"),
            "committee_term_years": (5, "default"),
            "branch_term_years": (4, "global"),
            "no_recruit_years_warning": (3, "default"),
            "village_committee_term_years": (5, "default"),
            "duty_posts": (list(DEFAULT_DUTY_POSTS), "default"),
        }


def test_set_overrides_replaces_the_tenants_layer(tenant, in_tenant):
    with in_tenant(tenant):
        settings.set_overrides("rural", {"branch_term_years": 6})
        settings.set_overrides("rural", {"no_recruit_years_warning": 2})
        db.session.commit()
    with in_tenant(tenant):
        assert settings.tenant_overrides("rural") == {"no_recruit_years_warning": 2}
        settings.set_overrides("rural", {})
        db.session.commit()
    with in_tenant(tenant):
        assert settings.effective_settings("rural") == RURAL_DEFAULTS


def test_an_invalid_override_names_plugin_and_field_and_writes_nothing(tenant, in_tenant):
    with in_tenant(tenant):
        with pytest.raises(settings.PluginSettingsError) as caught:
            settings.set_overrides(
                "rural", {"branch_term_years": 0, "collective_income_target_wan": "lots"}
            )
        error = caught.value
        assert error.status == 422
        assert "'rural'" in error.message
        assert "branch_term_years: Must be greater than or equal to 1" in error.message
        assert "collective_income_target_wan: Not a valid number" in error.message
        assert set(error.errors) == {"branch_term_years", "collective_income_target_wan"}
        assert find_row("rural") is None
        db.session.commit()
    with in_tenant(tenant):
        assert find_row("rural") is None


def test_unknown_settings_are_refused(tenant, in_tenant):
    with in_tenant(tenant):
        set_enabled("rural", True)
        settings.set_overrides("rural", {"branch_term_years": 6})
        db.session.commit()
    with in_tenant(tenant):
        with pytest.raises(settings.PluginSettingsError, match="colour: Unknown field"):
            settings.set_overrides("rural", {"branch_term_years": 7, "colour": "red"})
        assert settings.tenant_overrides("rural") == {"branch_term_years": 6}


def test_validate_overrides_needs_no_tenant(app_ctx):
    assert settings.validate_overrides("community", {"branch_term_years": 4}) == {"branch_term_years": 4}
    with pytest.raises(settings.PluginSettingsError, match="branch_term_years"):
        settings.validate_overrides("community", {"branch_term_years": -1})
    with pytest.raises(settings.PluginSettingsError, match="must be an object"):
        settings.validate_overrides("community", ["branch_term_years"])


def test_set_overrides_refuses_a_built_in_plugin(tenant, in_tenant):
    with in_tenant(tenant), pytest.raises(UnknownPlugin, match="built in"):
        settings.set_overrides("core.auth.plugin", {})


@pytest.mark.parametrize(
    "raw, complaint",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object keyed by plugin name"),
        ({"rural": 5}, "'rural' must be JSON objects"),
        ({"nosuch": {}}, "not installed: nosuch"),
        ({"rural": {"branch_term_years": "x"}}, "branch_term_years: Not a valid integer"),
        ({"rural": {"colour": "red"}}, "colour: Unknown field"),
    ],
)
def test_a_bad_plugin_settings_config_stops_the_app_at_start(raw, complaint, tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_INSTANCE_PATH", str(tmp_path))
    config = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k", "PLUGIN_SETTINGS": raw}
    with pytest.raises(settings.PluginSettingsConfigError, match="PLUGIN_SETTINGS") as caught:
        create_app(config)
    assert complaint in str(caught.value)


def test_a_good_plugin_settings_config_from_the_environment_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DANGJIAN_PLUGIN_SETTINGS", '{"community": {"branch_term_years": 4}}')
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k"})
    with app.app_context():
        assert settings.global_overrides("community") == {"branch_term_years": 4}


def test_a_plugin_settings_config_broken_after_start_fails_on_first_use(
    app, tenant, in_tenant, monkeypatch
):
    monkeypatch.setitem(app.config, "PLUGIN_SETTINGS", "[]")
    with in_tenant(tenant), pytest.raises(settings.PluginSettingsConfigError, match="PLUGIN_SETTINGS"):
        settings.effective_settings("rural")


def test_settings_are_cached_per_request_and_refreshed_when_set(app, tenant, in_tenant):
    with app.test_request_context("/"), in_tenant(tenant):
        assert settings.effective_settings("community") == settings.defaults("community")
        settings.set_overrides("community", {"branch_term_years": 4})
        assert settings.effective_settings("community") == {**settings.defaults("community"), "branch_term_years": 4}
        mutated = settings.effective_settings("community")
        mutated["branch_term_years"] = 99
        assert settings.effective_settings("community") == {**settings.defaults("community"), "branch_term_years": 4}
        db.session.rollback()


class _NoDefaultSettings(Schema):
    threshold = fields.Int()


class _BrokenPlugin:
    @hookimpl
    def dangjian_settings_schema(self):
        return _NoDefaultSettings


def test_a_setting_without_a_default_is_a_plugin_bug():
    pm = get_manager()
    pm.register(_BrokenPlugin(), name="broken_settings")
    try:
        with pytest.raises(TypeError, match="'broken_settings'.*threshold"):
            settings.schema_for("broken_settings")
    finally:
        pm.unregister(name="broken_settings")
