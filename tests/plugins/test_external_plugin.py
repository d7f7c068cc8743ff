"""A third-party plugin, end to end: written as a package, pip-installed into a folder, then
found, migrated and served by dangjian in a separate process (so this process's plugin
manager never sees it).

The package is the worked example of docs/plugins.md: a sector, a settings schema, an API
route and its own Alembic branch creating the tenant-owned table ``acme_widgets``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

PYPROJECT = """\
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "acme-dangjian"
version = "0.3.0"

[project.entry-points."dangjian.plugins"]
acme = "acme_dangjian"

[tool.setuptools]
packages = ["acme_dangjian"]

[tool.setuptools.package-data]
acme_dangjian = ["migrations/versions/*.py"]
"""

MODULE = '''\
"""Acme widgets: a third-party dangjian plugin."""

from pathlib import Path

from marshmallow import Schema, fields, validate
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import Blueprint, Sector, TenantOwned, db, hookimpl, plugin_settings


class AcmeWidget(TenantOwned, db.Model):
    __tablename__ = "acme_widgets"

    name: Mapped[str] = mapped_column(String(100))


class AcmeSettings(Schema):
    widgets_per_branch = fields.Int(
        load_default=2,
        validate=validate.Range(min=0),
        metadata={"description": "Widgets each branch should have."},
    )


bp = Blueprint("acme", __name__, description="Acme widgets")


@bp.route("/widgets")
def list_widgets():
    names = db.session.scalars(select(AcmeWidget.name).order_by(AcmeWidget.name)).all()
    return {"widgets": names, "per_branch": plugin_settings("acme")["widgets_per_branch"]}


@hookimpl
def dangjian_sectors():
    return [Sector(key="acme", name="顶点", category_codes=(9,))]


@hookimpl
def dangjian_settings_schema():
    return AcmeSettings


@hookimpl
def dangjian_register_api(api):
    api.register_blueprint(bp, url_prefix="/api/v1/acme")


@hookimpl
def dangjian_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")
'''

MIGRATION = '''\
"""acme widgets

Revision ID: acme_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "acme_0001"
down_revision = None
branch_labels = ("acme",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "acme_widgets",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )


def downgrade():
    op.drop_table("acme_widgets")
'''

# Run in the child process after `dangjian db upgrade`; prints one JSON object.
CHECK_SCRIPT = textwrap.dedent(
    """
    import json

    from sqlalchemy import inspect, select, text

    from core.app import create_app
    from core.db import db
    from core.plugins import service
    from core.plugins.manager import build_manager, installed_plugins, plugin_version
    from core.tenancy import rls, tenant_context
    from core.tenancy.models import Tenant

    pm = build_manager()
    out = {"installed": sorted(installed_plugins(pm)), "version": plugin_version("acme", pm)}
    app = create_app()
    with app.app_context():
        out["tables"] = sorted(inspect(db.engine).get_table_names())  # as the upgrade left them
        if db.engine.dialect.name == "postgresql":
            out["rls"] = list(db.session.execute(text(
                "SELECT c.relrowsecurity, c.relforcerowsecurity, count(p.polname) "
                "FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid "
                "WHERE c.relname = 'acme_widgets' GROUP BY 1, 2"
            )).one())
        db.session.rollback()
        db.session.add_all([Tenant(slug="acme-city", name="甲"), Tenant(slug="other-city", name="乙")])
        db.session.commit()
        ids = {t.slug: t.id for t in db.session.scalars(select(Tenant))}

    client = app.test_client()

    def get(slug):
        response = client.get("/api/v1/acme/widgets", headers={"X-Tenant": slug})
        return [response.status_code, response.get_json()]

    out["before"] = get("acme-city")
    with app.app_context():
        from acme_dangjian import AcmeWidget

        for slug in ("acme-city", "other-city"):
            with tenant_context(ids[slug]):
                db.session.add(AcmeWidget(name=f"gear of {slug}"))
                if slug == "acme-city":
                    service.set_enabled("acme", True)
                db.session.commit()
    out["after"] = get("acme-city")
    out["other"] = get("other-city")
    print(json.dumps(out, ensure_ascii=False))
    """
)


def _write_package(root: Path) -> Path:
    package = root / "acme-dangjian"
    versions = package / "acme_dangjian" / "migrations" / "versions"
    versions.mkdir(parents=True)
    (package / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (package / "acme_dangjian" / "__init__.py").write_text(MODULE, encoding="utf-8")
    (versions / "acme_0001.py").write_text(MIGRATION, encoding="utf-8")
    return package


PG_DATABASE = f"dangjian_test_acme_{os.getpid()}"  # parallel runs do not collide


@pytest.fixture
def fresh_database_url(backend, tmp_path):
    """An empty database of the leg's kind; on PostgreSQL owned by the plain test role (no
    superuser, no BYPASSRLS), as production runs."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    from tests import conftest

    try:
        admin = create_engine(conftest.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            exists = conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": conftest.PG_ROLE}
            ).first()
            if not exists:
                conn.execute(
                    text(
                        f'CREATE ROLE "{conftest.PG_ROLE}" LOGIN NOSUPERUSER NOBYPASSRLS '
                        f"NOCREATEDB NOCREATEROLE PASSWORD '{conftest.PG_PASSWORD}'"
                    )
                )
            conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}" OWNER "{conftest.PG_ROLE}"'))
    except Exception as exc:  # noqa: BLE001 - unreachable server: skipped (or failed in CI)
        conftest._unavailable(f"PostgreSQL unavailable at {conftest.PG_ADMIN_URL}: {exc}")
    url = make_url(conftest.PG_ADMIN_URL).set(
        username=conftest.PG_ROLE, password=conftest.PG_PASSWORD, database=PG_DATABASE
    )
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
    admin.dispose()


def _run(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_a_pip_installed_plugin_is_found_migrated_and_served_per_tenant(
    backend, fresh_database_url, tmp_path
):
    site = tmp_path / "site"
    package = _write_package(tmp_path)
    installed = _run(
        [
            sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
            "--no-index", "--quiet", "--target", str(site), str(package),
        ],
        dict(os.environ),
        tmp_path,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (site / "acme_dangjian" / "migrations" / "versions" / "acme_0001.py").is_file()

    env = {
        key: value
        for key, value in os.environ.items()
        if key.removeprefix("DANGJIAN_") not in {"PLUGIN_SETTINGS", "REDIS_URL", "TENANTS_DIR"}
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
        DANGJIAN_DATABASE_URL=fresh_database_url,
        DANGJIAN_INSTANCE_PATH=str(tmp_path / "instance"),
        DANGJIAN_SECRET_KEY="acme-test",
    )
    dangjian = [sys.executable, "-c", "from core.cli import main; main()"]

    upgraded = _run([*dangjian, "db", "upgrade"], env, tmp_path)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr

    listed = _run([*dangjian, "plugins", "list"], env, tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    acme_line = next(line for line in listed.stdout.splitlines() if line.strip().startswith("acme "))
    assert "0.3.0" in acme_line and "sectors: acme(顶点)" in acme_line
    for hook in ("dangjian_migrations", "dangjian_register_api", "dangjian_settings_schema"):
        assert hook in acme_line

    checked = _run([sys.executable, "-c", CHECK_SCRIPT], env, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    out = json.loads(checked.stdout.strip().splitlines()[-1])
    assert "acme" in out["installed"] and {"rural", "soe"} <= set(out["installed"])
    assert out["version"] == "0.3.0"
    # every table, core's and the plugin's, came from `db upgrade`
    assert {"acme_widgets", "tenants", "tenant_plugins", "organizations", "users", "audit_entries"} <= set(out["tables"])
    assert "alembic_version" in out["tables"]
    if backend == "postgresql":
        assert out["rls"] == [True, True, 1]  # policy added by the upgrade, not by the plugin
    assert out["before"][0] == 404
    assert out["after"] == [200, {"widgets": ["gear of acme-city"], "per_branch": 2}]
    assert out["other"][0] == 404
