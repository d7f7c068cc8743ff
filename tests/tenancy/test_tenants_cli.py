"""``dangjian tenants``: files validated as a whole, errors naming file and field, all or nothing."""

import threading
import time

import pytest
from sqlalchemy import select, text

from core.db import db
from core.plugins import service as plugin_service
from core.plugins.models import TenantPlugin
from core.tenancy.models import Tenant


@pytest.fixture
def runner(app_ctx):
    return app_ctx.test_cli_runner()


def _write(directory, name, body):
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(body, encoding="utf-8")


def _slugs():
    return sorted(db.session.scalars(select(Tenant.slug)))


def test_sync_creates_then_updates(runner, tmp_path, in_tenant):
    folder = tmp_path / "tenants"
    _write(folder, "yc.toml", 'slug = "yancheng"\nname = "盐城市委组织部"\nhosts = ["YC.example.cn"]\nplugins = ["rural"]\n')
    _write(folder, "nt.toml", 'slug = "nantong"\nname = "南通市委组织部"\n')
    result = runner.invoke(args=["tenants", "sync", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert "created yancheng" in result.output and "created nantong" in result.output
    yancheng = db.session.scalar(select(Tenant).where(Tenant.slug == "yancheng"))
    assert yancheng.hosts == ["yc.example.cn"]
    with in_tenant(yancheng):
        assert plugin_service.enabled_plugins() == {"rural"}

    _write(folder, "yc.toml", 'slug = "yancheng"\nname = "盐城市委组织部（新）"\nplugins = ["community"]\n')
    result = runner.invoke(args=["tenants", "sync", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert "updated yancheng" in result.output
    db.session.expire_all()
    yancheng = db.session.scalar(select(Tenant).where(Tenant.slug == "yancheng"))
    assert yancheng.name == "盐城市委组织部（新）"
    with in_tenant(yancheng):
        assert plugin_service.enabled_plugins() == {"community"}
        # rural was disabled, not deleted: its row (and its settings) stay
        assert db.session.scalar(select(TenantPlugin).where(TenantPlugin.plugin == "rural")) is not None


def test_sync_is_all_or_nothing_and_names_file_and_field(runner, tmp_path):
    folder = tmp_path / "tenants"
    _write(folder, "good.toml", 'slug = "goodcity"\nname = "好市"\n')
    _write(folder, "bad.toml", 'slug = "Bad City"\nname = "坏市"\nplugins = ["nosuch"]\n')
    result = runner.invoke(args=["tenants", "sync", "--dir", str(folder)])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "slug" in result.output
    assert "goodcity" not in _slugs()


def test_sync_refuses_unknown_plugin_and_duplicate_hosts(runner, tmp_path):
    folder = tmp_path / "tenants"
    _write(folder, "a.toml", 'slug = "acity"\nname = "甲"\nhosts = ["same.example.cn"]\nplugins = ["nosuch"]\n')
    _write(folder, "b.toml", 'slug = "bcity"\nname = "乙"\nhosts = ["same.example.cn"]\n')
    result = runner.invoke(args=["tenants", "sync", "--dir", str(folder)])
    assert result.exit_code == 2
    assert "nosuch" in result.output and "same.example.cn" in result.output
    assert _slugs() == []


def test_sync_reports_bad_toml(runner, tmp_path):
    folder = tmp_path / "tenants"
    _write(folder, "broken.toml", 'slug = "x\n')
    result = runner.invoke(args=["tenants", "sync", "--dir", str(folder)])
    assert result.exit_code == 2
    assert "broken.toml" in result.output and "TOML" in result.output


def test_create_and_list(runner):
    result = runner.invoke(
        args=["tenants", "create", "suzhou", "--name", "苏州市委组织部", "--host", "sz.example.cn",
              "--plugin", "two_new"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["tenants", "create", "suzhou", "--name", "again"])
    assert result.exit_code == 2 and "already exists" in result.output
    result = runner.invoke(args=["tenants", "list"])
    assert result.exit_code == 0
    assert "suzhou" in result.output and "plugins=two_new" in result.output


def test_create_refuses_bad_slug_and_writes_nothing(runner):
    result = runner.invoke(args=["tenants", "create", "9lives", "--name", "x"])
    assert result.exit_code == 2 and "slug" in result.output
    assert _slugs() == []


def test_request_tenant_from_header_and_host(client, tenant, tenant_b):
    # the tenant resolution runs before auth: an unknown slug is a clear 404
    response = client.get("/api/v1/orgs", headers={"X-Tenant": "nosuch"})
    assert response.status_code == 404
    assert response.get_json()["message"] == "tenant 'nosuch' not found"


def test_plugin_settings_follow_the_file(runner, tmp_path, in_tenant):
    from core.plugins import settings

    folder = tmp_path / "tenants"
    _write(folder, "yc.toml", 'slug = "yancheng"\nname = "盐城"\nplugins = ["rural"]\n'
           '[plugin_settings.rural]\ncollective_income_target_wan = 10\n')
    assert runner.invoke(args=["tenants", "sync", "--dir", str(folder)]).exit_code == 0
    tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == "yancheng"))
    with in_tenant(tenant_id):
        assert settings.effective_settings("rural")["collective_income_target_wan"] == 10
    _write(folder, "yc.toml", 'slug = "yancheng"\nname = "盐城"\nplugins = ["rural"]\n')
    assert runner.invoke(args=["tenants", "sync", "--dir", str(folder)]).exit_code == 0
    with in_tenant(tenant_id):
        assert settings.effective_settings("rural")["collective_income_target_wan"] == 5


def test_bad_plugin_setting_in_a_file_is_refused(runner, tmp_path):
    folder = tmp_path / "tenants"
    _write(folder, "yc.toml", 'slug = "yancheng"\nname = "盐城"\nplugins = ["rural"]\n'
           '[plugin_settings.rural]\ncollective_income_target_wan = "lots"\n')
    result = runner.invoke(args=["tenants", "sync", "--dir", str(folder)])
    assert result.exit_code == 2
    assert "collective_income_target_wan" in result.output
    assert _slugs() == []


def test_a_sync_racing_another_repeats_on_what_that_one_committed(app, runner, tmp_path, backend):
    """Two hosts deploy at once: the other sync inserts the same tenant first, ours waits on
    the unique index, is refused when the other commits, and repeats the sync as an update —
    no traceback, and the file's settings are what the city ends with."""
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: a second sync waits for the first's lock")
    folder = tmp_path / "tenants"
    _write(folder, "race.toml", 'slug = "racecity"\nname = "竞速市委组织部"\nplugins = ["rural"]\n')
    other = db.engine.connect()
    other.execute(text("INSERT INTO tenants (slug, name, hosts, settings, is_active, created_at) "
                       "VALUES ('racecity', '先到的同步', '[]', '{}', true, now())"))
    outcome = {}

    def run_sync():
        with app.app_context():
            outcome["result"] = app.test_cli_runner().invoke(
                args=["tenants", "sync", "--dir", str(folder)])

    racing = threading.Thread(target=run_sync)
    racing.start()
    try:
        # ours is blocked on the other's uncommitted row before the other commits
        deadline = time.monotonic() + 30
        while not db.session.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")):
            assert time.monotonic() < deadline and racing.is_alive(), "the sync never waited"
            time.sleep(0.05)
            db.session.rollback()
    finally:
        other.commit()
        other.close()
        racing.join(60)
    result = outcome["result"]
    assert result.exit_code == 0, (result.output, result.exception)
    assert "updated racecity" in result.output
    db.session.expire_all()
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "racecity"))
    assert tenant.name == "竞速市委组织部"
