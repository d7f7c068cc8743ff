"""The PostgreSQL wall: row-level security, proven with raw SQL the ORM never sees.

The test database belongs to a plain role (no superuser, no BYPASSRLS): a policy test run as a
superuser would pass whatever the policy says.
"""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.db import db
from core.orgs import service as orgs
from core.tenancy import rls


@pytest.fixture
def pg(backend):
    if backend != "postgresql":
        pytest.skip("row-level security is a PostgreSQL feature")


@pytest.fixture
def two_cities(pg, tenant, tenant_b, in_tenant):
    ids = {}
    for t, code in ((tenant, "A"), (tenant_b, "B")):
        with in_tenant(t):
            org = orgs.create(name=f"{code} 市委", code=code, kind="committee")
            db.session.commit()
            ids[code] = org.id
    return ids


def test_app_role_is_bound_by_policies(pg, app_ctx):
    with db.engine.connect() as conn:
        assert not rls.connection_bypasses_rls(conn)


def test_every_tenant_table_has_forced_rls_and_a_policy(pg, app_ctx):
    with db.engine.connect() as conn:
        tables = rls.tenant_tables(conn)
        assert "organizations" in tables
        rows = conn.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "  EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname "
                "          AND p.policyname = :policy) "
                "FROM pg_class c WHERE c.relname = ANY(:tables)"
            ),
            {"policy": rls.POLICY, "tables": tables},
        ).all()
    assert len(rows) == len(tables)
    assert all(enabled and forced and has_policy for _, enabled, forced, has_policy in rows), rows


def test_raw_sql_sees_only_the_current_tenant(two_cities, tenant, in_tenant):
    with in_tenant(tenant):
        codes = db.session.execute(text("SELECT code FROM organizations")).scalars().all()
        assert codes == ["A"]
        other = db.session.execute(
            text("SELECT * FROM organizations WHERE id = :id"), {"id": two_cities["B"]}
        ).all()
        assert other == []


def test_raw_sql_without_tenant_returns_nothing(two_cities, app_ctx):
    rows = db.session.execute(text("SELECT count(*) FROM organizations")).scalar()
    assert rows == 0
    db.session.rollback()


def test_raw_update_and_delete_cannot_reach_another_tenant(two_cities, tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        result = db.session.execute(
            text("UPDATE organizations SET name = 'hijacked' WHERE id = :id"),
            {"id": two_cities["B"]},
        )
        assert result.rowcount == 0
        result = db.session.execute(text("DELETE FROM organizations WHERE code = 'B'"))
        assert result.rowcount == 0
        db.session.commit()
    with in_tenant(tenant_b):
        assert db.session.execute(text("SELECT name FROM organizations")).scalar() == "B 市委"


def test_raw_insert_into_another_tenant_is_refused(two_cities, tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        with pytest.raises(DBAPIError, match="row-level security"):
            db.session.execute(
                text(
                    "INSERT INTO organizations (tenant_id, id, path, depth, code, name, kind, "
                    "created_at, updated_at) VALUES (:t, gen_random_uuid(), '/x/', 0, 'X', 'x', "
                    "'branch', now(), now())"
                ),
                {"t": tenant_b.id},
            )
        db.session.rollback()


def test_a_database_error_in_a_joined_block_is_the_error_that_propagates(pg, tenant, app_ctx):
    """Leaving a joined block resets the tenant on the transaction; after a database error
    that transaction is aborted, and the reset must not replace the block's own error."""
    from core.tenancy import tenant_context

    tenant_id = tenant.id
    db.session.execute(text("SELECT 1"))  # a transaction with no tenant: the block joins it
    with pytest.raises(DBAPIError, match="no_such_table"):
        with tenant_context(tenant_id):
            db.session.execute(text("SELECT * FROM no_such_table"))
    assert not db.session().in_transaction()  # the aborted transaction was rolled back
    assert db.session.execute(
        text("SELECT current_setting('dangjian.tenant_id', true)")
    ).scalar() in (None, "")
    db.session.rollback()
