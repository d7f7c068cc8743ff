"""The audit log is append-only: nothing the application runs changes or removes an entry.

Three walls, each independent of the others:

* **No route**: the API (``GET /api/v1/audit``) and the web page (``/admin/audit``) only read.
* **The ORM and Core** (:func:`install`, on every backend): a flush that would update or delete
  an :class:`~core.audit.models.AuditEntry`, and any ``UPDATE`` or ``DELETE`` statement on
  ``audit_entries`` built with SQLAlchemy (ORM or Core), raise :class:`AppendOnlyError` before
  anything reaches the database. Raw SQL text is not parsed: that is the next wall's job.
* **PostgreSQL itself**: a trigger refuses ``UPDATE`` and ``DELETE`` of an entry for every
  role (superusers included) — except the deletion a tenant's own deletion cascades to (its
  tenant row is gone by then), so a city can still be removed whole. ``UPDATE`` and
  ``TRUNCATE`` are also revoked from the role that creates the table (the app's, when it
  runs its own migrations). Installed by migration ``0007_audit_append_only`` and, for a
  schema built with ``create_all`` (the tests), by the table's ``after_create`` DDL below.

Neither wall stops the table's owner or a DBA who drops the trigger first; nothing inside one
database can. What they stop is the application — a bug, an injected statement, a careless
script through the ORM — rewriting history.
"""

from __future__ import annotations

from sqlalchemy import DDL, Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import Delete, Update

TABLE = "audit_entries"
TRIGGER = "audit_entries_append_only"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        RETURN OLD;  -- the tenant itself is being deleted (ON DELETE CASCADE)
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""
POSTGRES_TRIGGER = (
    f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
)
POSTGRES_REVOKE = f"REVOKE UPDATE, TRUNCATE ON {TABLE} FROM CURRENT_USER"
POSTGRES_STATEMENTS = (POSTGRES_FUNCTION, POSTGRES_TRIGGER, POSTGRES_REVOKE)


class AppendOnlyError(RuntimeError):
    """Something tried to update or delete an audit entry."""


def protect_table(table: Table) -> None:
    """Attach the PostgreSQL trigger to ``table``'s creation by ``metadata.create_all``."""
    for statement in POSTGRES_STATEMENTS:
        ddl = DDL(statement.replace("%", "%%"))  # DDL formats its text with %
        event.listen(table, "after_create", ddl.execute_if(dialect="postgresql"))


def _refuse(what: str):
    raise AppendOnlyError(f"audit entries are append-only: {what} refused")


def _refuse_update(mapper, connection, target):
    _refuse("UPDATE")


def _refuse_delete(mapper, connection, target):
    _refuse("DELETE")


def _refuse_statement(conn, clauseelement, multiparams, params, execution_options):
    if isinstance(clauseelement, (Update, Delete)):
        table = getattr(clauseelement, "table", None)
        if getattr(table, "name", None) == TABLE:
            _refuse("UPDATE" if isinstance(clauseelement, Update) else "DELETE")


def install() -> None:
    """Refuse updates and deletes of audit entries through SQLAlchemy (idempotent)."""
    from core.audit.models import AuditEntry

    if event.contains(Engine, "before_execute", _refuse_statement):
        return
    event.listen(AuditEntry, "before_update", _refuse_update)
    event.listen(AuditEntry, "before_delete", _refuse_delete)
    event.listen(Engine, "before_execute", _refuse_statement)
