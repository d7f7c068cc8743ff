"""``dangjian db upgrade`` builds a fresh database that matches the models exactly, with
row-level security on every tenant table (PostgreSQL)."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from core.app import create_app
from core.db import db
from core.models import load_all_models
from core.tenancy import rls


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
