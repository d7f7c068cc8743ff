"""The audit log is append-only (core.audit.append_only): no route changes it, SQLAlchemy
refuses to, and on PostgreSQL the database itself refuses — even raw SQL, even a superuser —
except the deletion a tenant's own deletion cascades to."""

from __future__ import annotations

import os

import flask_migrate
import pytest
from sqlalchemy import create_engine, delete, make_url, select, text, update
from sqlalchemy.exc import DBAPIError

from core.app import create_app
from core.audit.append_only import AppendOnlyError
from core.audit.models import AuditEntry
from core.db import db
from core.orgs import service as orgs
from core.tenancy.models import Tenant
from tests.conftest import PG_ADMIN_URL, PG_DATABASE
from tests.support.databases import scratch_postgres

READ_ONLY = {"GET", "HEAD", "OPTIONS"}


@pytest.fixture
def pg(backend):
    if backend != "postgresql":
        pytest.skip("a database trigger: PostgreSQL")


@pytest.fixture
def entry(tenant, in_tenant):
    """The audit entry of creating an organisation in ``tenant``: (id, actor label)."""
    with in_tenant(tenant):
        orgs.create(name="市委", code="R", kind="committee")
        db.session.commit()
        found = db.session.scalars(select(AuditEntry)).first()
        assert found is not None
        return found.id, found.actor_label


def _unchanged(in_tenant, tenant, entry) -> bool:
    with in_tenant(tenant):
        db.session.expire_all()
        row = db.session.get(AuditEntry, (tenant.id, entry[0]))
        return row is not None and row.actor_label == entry[1]


def test_no_route_writes_to_the_audit_log(app_ctx, client):
    routes = [
        (rule.rule, rule.methods - READ_ONLY)
        for rule in app_ctx.url_map.iter_rules()
        if "audit" in rule.rule or rule.endpoint.split(".")[0] == "audit"
    ]
    assert {"/api/v1/audit", "/admin/audit"} <= {r for r, _ in routes}, routes
    assert [(r, m) for r, m in routes if m] == []
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    audit = {p: set(ops) - {"parameters"} for p, ops in paths.items() if "audit" in p}
    assert audit and all(ops == {"get"} for ops in audit.values()), audit


def test_the_orm_refuses_to_change_an_entry(app_ctx, tenant, in_tenant, entry):
    with in_tenant(tenant):
        row = db.session.get(AuditEntry, (tenant.id, entry[0]))
        row.actor_label = "user:mallory"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEntry, (tenant.id, entry[0])))
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
    assert _unchanged(in_tenant, tenant, entry)


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).values(actor_label="user:mallory"),
        delete(AuditEntry),
        update(AuditEntry.__table__).values(actor_label="user:mallory"),
        delete(AuditEntry.__table__).where(AuditEntry.__table__.c.action == "create"),
    ],
    ids=["orm-update", "orm-delete", "core-update", "core-delete"],
)
def test_statements_on_the_log_are_refused(app_ctx, tenant, in_tenant, entry, statement):
    with in_tenant(tenant):
        with pytest.raises(AppendOnlyError):
            db.session.execute(statement)
        db.session.rollback()
    assert _unchanged(in_tenant, tenant, entry)


def test_entries_are_still_written(app_ctx, tenant, in_tenant, entry):
    with in_tenant(tenant):
        orgs.create(name="二党委", code="C2", kind="committee")
        db.session.commit()
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_id != "")) is not None
        assert len(db.session.scalars(select(AuditEntry)).all()) >= 2


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_entries SET actor_label = 'user:mallory'", "DELETE FROM audit_entries"],
)
def test_postgres_refuses_raw_sql_from_the_app_role(pg, app_ctx, tenant, in_tenant, entry, sql):
    with in_tenant(tenant):
        with pytest.raises(DBAPIError, match="append-only|permission denied"):
            db.session.execute(text(sql))
        db.session.rollback()
        with pytest.raises(DBAPIError, match="permission denied"):
            db.session.execute(text("TRUNCATE audit_entries"))
        db.session.rollback()
    assert _unchanged(in_tenant, tenant, entry)


def test_postgres_refuses_even_a_superuser(pg, app_ctx, tenant, in_tenant, entry):
    admin = create_engine(make_url(PG_ADMIN_URL).set(database=PG_DATABASE))
    try:
        for sql in ("UPDATE audit_entries SET actor_label = 'x'", "DELETE FROM audit_entries"):
            with admin.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(sql))
    finally:
        admin.dispose()
    assert _unchanged(in_tenant, tenant, entry)


def test_deleting_a_tenant_still_removes_its_entries(
    pg, app_ctx, tenant, tenant_b, in_tenant, entry
):
    b = tenant_b.id  # the fixture's object is gone once its row is
    with in_tenant(b):
        orgs.create(name="乙市委", code="R", kind="committee")
        db.session.commit()
        assert db.session.scalars(select(AuditEntry)).all()  # it has a log to lose
    db.session.execute(text("DELETE FROM tenants WHERE id = :id"), {"id": b})
    db.session.commit()
    assert db.session.get(Tenant, b) is None
    with in_tenant(b):
        assert db.session.scalars(select(AuditEntry)).all() == []
    assert _unchanged(in_tenant, tenant, entry)  # the other city's log is untouched


def test_the_migration_installs_the_trigger(pg, app):
    """``dangjian db upgrade`` (not only create_all) leaves the log append-only."""
    with scratch_postgres(f"dangjian_audit_mig_{os.getpid()}") as url:
        fresh = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "TESTING": True,
                "SECRET_KEY": "x",
            }
        )
        with fresh.app_context():
            flask_migrate.upgrade(revision="heads")
            with db.engine.connect() as conn:
                triggers = (
                    conn.execute(
                        text(
                            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_entries'::regclass "
                            "AND NOT tgisinternal"
                        )
                    )
                    .scalars()
                    .all()
                )
                assert triggers == ["audit_entries_append_only"]
                for sql in ("TRUNCATE audit_entries", "UPDATE audit_entries SET action = 'x'"):
                    with pytest.raises(DBAPIError, match="permission denied"):
                        conn.execute(text(sql))
                    conn.rollback()
            db.session.remove()
            db.engine.dispose()
