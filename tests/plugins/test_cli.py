"""``dangjian plugins``: listing, per-tenant enablement and settings from the command line."""

from __future__ import annotations

import importlib.metadata
import json

from core.plugins import service
from core.plugins.settings import defaults, effective_settings, tenant_overrides
from plugins.rural.settings import DEFAULT_DUTY_POSTS

SECTORS = {"rural": "农村", "community": "社区", "organs": "机关", "two_new": "两新", "soe": "国企"}


def sector_keys() -> set[str]:
    """Sector keys the current tenant sees, through the tenant-filtered hook."""
    return {s.key for result in service.hook("dangjian_sectors")() for s in result}


def _line(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line.strip().startswith(name + " "))


def test_list_shows_every_installed_plugin_and_the_built_in_ones(run_cli):
    result = run_cli("plugins", "list")
    assert result.exit_code == 0, result.output
    installed, built_in = result.output.split("Built-in plugins (always on):")
    version = importlib.metadata.version("dangjian")
    for key, label in SECTORS.items():
        line = _line(installed, key)
        assert version in line
        assert f"sectors: {key}({label})" in line
        assert "dangjian_sectors" in line and "dangjian_settings_schema" in line
        assert "enabled" not in line
    assert "core.plugins.plugin" in built_in and "dangjian_register_cli" in built_in
    assert "core.plugins.plugin" not in installed


def test_list_for_a_tenant_shows_what_it_enabled(run_cli, tenant):
    assert run_cli("plugins", "enable", "rural", "--tenant", "alpha").exit_code == 0
    result = run_cli("plugins", "list", "--tenant", "alpha")
    assert result.exit_code == 0, result.output
    assert "  enabled" in _line(result.output, "rural")
    for key in SECTORS.keys() - {"rural"}:
        assert "  disabled" in _line(result.output, key)


def test_disabling_hides_the_plugin_from_that_tenant_only_and_deletes_nothing(
    run_cli, tenant, tenant_b, in_tenant
):
    for slug in ("alpha", "beta"):
        result = run_cli("plugins", "enable", "rural", "--tenant", slug)
        assert result.exit_code == 0, result.output
        assert "rural: enabled for tenant" in result.output
    assert run_cli("plugins", "set", "rural", "branch_term_years=4", "--tenant", "alpha").exit_code == 0

    result = run_cli("plugins", "disable", "rural", "--tenant", "alpha")
    assert result.exit_code == 0, result.output
    with in_tenant(tenant):
        assert "rural" not in sector_keys()
        row = service.find_row("rural")
        assert row is not None and row.enabled is False
        assert row.settings == {"branch_term_years": 4}
    with in_tenant(tenant_b):
        assert "rural" in sector_keys()

    assert run_cli("plugins", "enable", "rural", "--tenant", "alpha").exit_code == 0
    with in_tenant(tenant):
        assert "rural" in sector_keys()
        assert effective_settings("rural")["branch_term_years"] == 4


def test_a_tenant_sees_only_the_sectors_it_enabled(run_cli, tenant, in_tenant):
    with in_tenant(tenant):
        assert sector_keys() == set()
    for name in ("community", "soe"):
        assert run_cli("plugins", "enable", name, "--tenant", "alpha").exit_code == 0
    with in_tenant(tenant):
        assert sector_keys() == {"community", "soe"}


def test_settings_show_each_value_and_its_source(app, run_cli, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "PLUGIN_SETTINGS", {"rural": {"no_recruit_years_warning": 2}})
    assert run_cli("plugins", "set", "rural", "branch_term_years=4", "--tenant", "alpha").exit_code == 0
    result = run_cli("plugins", "settings", "rural", "--tenant", "alpha")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "committee_term_years = 5  (default)",
        "branch_term_years = 4  (tenant)",
        "collective_income_target_wan = 5.0  (default)",
        "no_recruit_years_warning = 2  (global)",
        "village_committee_term_years = 5  (default)",
        "duty_posts = " + json.dumps(list(DEFAULT_DUTY_POSTS), ensure_ascii=False) + "  (default)",
    ]


def test_set_parses_json_values_and_merges_with_earlier_overrides(run_cli, tenant, in_tenant):
    result = run_cli("plugins", "set", "rural", "collective_income_target_wan=7.5", "--tenant", "alpha")
    assert result.exit_code == 0, result.output
    assert "rural.collective_income_target_wan = 7.5" in result.output
    result = run_cli(
        "plugins", "set", "two_new", "branch_term_years=4", "joint_branch_max_units=3",
        "--tenant", "alpha",
    )
    assert result.exit_code == 0, result.output
    assert run_cli("plugins", "set", "rural", "branch_term_years=6", "--tenant", "alpha").exit_code == 0
    with in_tenant(tenant):
        assert tenant_overrides("rural") == {
            "collective_income_target_wan": 7.5,
            "branch_term_years": 6,
        }
        assert tenant_overrides("two_new") == {"branch_term_years": 4, "joint_branch_max_units": 3}


def test_set_refuses_bad_values_and_unknown_keys_and_writes_nothing(run_cli, tenant, in_tenant):
    assert run_cli("plugins", "set", "rural", "branch_term_years=6", "--tenant", "alpha").exit_code == 0
    for args, named in [
        (("branch_term_years=abc",), "branch_term_years: Not a valid integer"),
        (("no_recruit_years_warning=0", "branch_term_years=7"), "no_recruit_years_warning"),
        (("colour=red",), "colour: Unknown field"),
        (("branch_term_years",), "expected key=value"),
        (("=5",), "expected key=value"),
    ]:
        result = run_cli("plugins", "set", "rural", *args, "--tenant", "alpha")
        assert result.exit_code == 2, result.output
        assert named in result.output
    with in_tenant(tenant):
        assert tenant_overrides("rural") == {"branch_term_years": 6}


def test_unset_goes_back_to_the_default(run_cli, tenant, in_tenant):
    assert run_cli("plugins", "set", "community", "branch_term_years=4", "--tenant", "alpha").exit_code == 0
    result = run_cli("plugins", "unset", "community", "branch_term_years", "--tenant", "alpha")
    assert result.exit_code == 0, result.output
    with in_tenant(tenant):
        assert effective_settings("community") == defaults("community")
    result = run_cli("plugins", "unset", "community", "branch_term_years", "--tenant", "alpha")
    assert result.exit_code == 2
    assert "not overridden for tenant alpha: branch_term_years" in result.output


def test_enable_refuses_a_plugin_whose_stored_settings_are_now_invalid(run_cli, tenant, in_tenant):
    from core.db import db

    with in_tenant(tenant):
        row = service.ensure_row("community")
        row.settings = {"branch_term_years": 0}  # as an older plugin version may have allowed
        db.session.commit()
    result = run_cli("plugins", "enable", "community", "--tenant", "alpha")
    assert result.exit_code == 2
    assert "branch_term_years" in result.output
    with in_tenant(tenant):
        assert not service.is_enabled("community")


def test_unknown_plugin_or_tenant_exits_2_listing_what_exists(run_cli, tenant, tenant_b):
    for command in (
        ("enable", "nosuch", "--tenant", "alpha"),
        ("disable", "nosuch", "--tenant", "alpha"),
        ("settings", "nosuch", "--tenant", "alpha"),
        ("set", "nosuch", "a=1", "--tenant", "alpha"),
    ):
        result = run_cli("plugins", *command)
        assert result.exit_code == 2, result.output
        assert "'nosuch' is not installed (installed: community, organs, rural, soe, two_new" in result.output

    result = run_cli("plugins", "enable", "core.auth.plugin", "--tenant", "alpha")
    assert result.exit_code == 2
    assert "built in and always on" in result.output

    for command in (
        ("enable", "rural", "--tenant", "nowhere"),
        ("list", "--tenant", "nowhere"),
        ("settings", "rural", "--tenant", "nowhere"),
    ):
        result = run_cli("plugins", *command)
        assert result.exit_code == 2, result.output
        assert "tenant 'nowhere' not found (tenants: alpha, beta)" in result.output
