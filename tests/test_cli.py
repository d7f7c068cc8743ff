"""The ``dangjian`` command itself."""

import pytest
from click.testing import CliRunner

from core.cli import build_cli


@pytest.fixture(autouse=True)
def _instance(monkeypatch, tmp_path):
    monkeypatch.setenv("DANGJIAN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.sqlite3")


def test_help_lists_the_platform_commands():
    result = CliRunner().invoke(build_cli(), ["--help"], prog_name="dangjian")
    assert result.exit_code == 0, result.output
    for command in ("tenants", "plugins", "users", "db", "worker", "demo", "jobs"):
        assert f"  {command} " in result.output, command


def test_db_upgrade_defaults_to_every_head():
    result = CliRunner().invoke(build_cli(), ["db", "upgrade", "--help"], prog_name="dangjian")
    assert result.exit_code == 0
    assert "default: every head" in result.output
