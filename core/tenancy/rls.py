"""PostgreSQL row-level security: the second wall, independent of the ORM.

Every table with a ``tenant_id`` column gets ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` (FORCE,
so the policy binds the table owner too) and one policy comparing ``tenant_id`` with the
transaction setting ``dangjian.tenant_id``. The app sets that setting at the start of each
transaction from the tenant in context; with no tenant it is empty, and the policy matches no
row: raw SQL fails closed as well.

Superusers and roles with BYPASSRLS ignore every policy, so the app must connect as a plain role
(:func:`connection_bypasses_rls` lets start-up and tests check that).
"""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core.tenancy.context import current_tenant_id_or_none

SETTING = "dangjian.tenant_id"
POLICY = "tenant_isolation"
_CONDITION = f"tenant_id = NULLIF(current_setting('{SETTING}', true), '')::integer"


def tenant_tables(connection: Connection) -> list[str]:
    """Tables of the current schema that carry a ``tenant_id`` column."""
    rows = connection.execute(
        text(
            "SELECT c.table_name FROM information_schema.columns c "
            "JOIN information_schema.tables t "
            "  ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' "
            "  AND t.table_type = 'BASE TABLE' ORDER BY c.table_name"
        )
    )
    return [r[0] for r in rows]


def ensure_policies(connection: Connection) -> list[str]:
    """Enable, force and (re)create the isolation policy on every tenant table. Idempotent.

    Run after every migration, so a table a plugin adds is covered without its author
    having to remember. Returns the tables covered.
    """
    tables = tenant_tables(connection)
    for table in tables:
        connection.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
        connection.execute(text(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY'))
        connection.execute(text(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"'))
        connection.execute(
            text(
                f'CREATE POLICY {POLICY} ON "{table}" '
                f"USING ({_CONDITION}) WITH CHECK ({_CONDITION})"
            )
        )
    return tables


def connection_bypasses_rls(connection: Connection) -> bool:
    """True when the connected role is a superuser or has BYPASSRLS (policies would not bind)."""
    row = connection.execute(
        text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).first()
    return bool(row and row[0])


def _set_transaction_tenant(session: Session, transaction, connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    tenant_id = current_tenant_id_or_none()
    connection.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": SETTING, "value": "" if tenant_id is None else str(tenant_id)},
    )


def apply_to_transaction(session: Session) -> None:
    """Re-set the tenant on the session's open transaction (after the context changed)."""
    _set_transaction_tenant(session, None, session.connection())


def install() -> None:
    """Set ``dangjian.tenant_id`` at the start of every ORM session transaction (idempotent)."""
    if not event.contains(Session, "after_begin", _set_transaction_tenant):
        event.listen(Session, "after_begin", _set_transaction_tenant)
