"""``dangjian db upgrade`` builds a fresh database that matches the models exactly, with
row-level security on every tenant table (PostgreSQL)."""

import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, make_url, text

from core.app import create_app
from core.db import db
from core.models import load_all_models
from core.tenancy import rls
from tests.conftest import PG_ADMIN_URL, PG_PASSWORD, PG_ROLE

MIGRATION_DB = f"dangjian_migrations_test_{os.getpid()}"


@pytest.fixture
def fresh_url(app, backend, tmp_path):
    """An empty database of the leg's kind (the session's own database stays untouched)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/fresh.sqlite3"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{MIGRATION_DB}"'))
        conn.execute(text(f'CREATE DATABASE "{MIGRATION_DB}" OWNER "{PG_ROLE}"'))
    url = make_url(PG_ADMIN_URL).set(username=PG_ROLE, password=PG_PASSWORD, database=MIGRATION_DB)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
            {"d": MIGRATION_DB},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{MIGRATION_DB}"'))
    admin.dispose()


def test_upgrade_builds_the_models_schema(fresh_url, backend):
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": fresh_url, "TESTING": True, "SECRET_KEY": "x"})
    with fresh.app_context():
        flask_migrate.upgrade(revision="heads")
        load_all_models()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
            assert diff == [], f"models and migrations differ: {diff}"
            if backend == "postgresql":
                tables = rls.tenant_tables(conn)
                policies = set(
                    conn.execute(
                        text("SELECT tablename FROM pg_policies WHERE policyname = :p"),
                        {"p": rls.POLICY},
                    ).scalars()
                )
                assert tables and set(tables) <= policies
        db.session.remove()
        db.engine.dispose()
