"""Automatic tenant scoping of the ORM, failing closed.

Installed once on the SQLAlchemy ``Session`` class:

* ``do_orm_execute``: every ORM SELECT, UPDATE and DELETE that touches a tenant-owned model gets
  ``WHERE tenant_id = <current tenant>`` on every such entity (joins and relationship loads
  included, through ``with_loader_criteria``). With no tenant in context it raises
  :class:`~core.tenancy.context.TenancyError` instead of returning all rows. ORM bulk inserts
  get ``tenant_id`` filled in and checked.
* ``before_flush``: every new tenant-owned object is stamped with the current tenant; one that
  names another tenant is refused.

Only mapped classes are scoped: raw SQL (``text()``) and Core ``Table`` objects are not seen
here — with no tenant they still raise, but with one they are not filtered. Services use the
mapped classes; on PostgreSQL row-level security covers everything else.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.util import find_tables

from core.db.mixins import TenantOwned
from core.tenancy.context import TenancyError, current_tenant_id, current_tenant_id_or_none


def is_tenant_owned(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, TenantOwned)


def _touches_tenant_tables(statement) -> bool:
    """Does the statement read or write any table with a ``tenant_id`` column, anywhere
    (FROM, joins, subqueries, CTEs, EXISTS)? Looks at tables, not just the selected entities,
    so ``select(func.count()).select_from(Model)`` counts as well."""
    for table in find_tables(statement, include_joins=True, include_aliases=True, include_crud=True):
        columns = getattr(table, "c", None)
        if columns is not None and "tenant_id" in columns:
            return True
    return False


def _scope_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete or state.is_insert):
        return
    tenant_id = current_tenant_id_or_none()
    if tenant_id is None:
        if _touches_tenant_tables(state.statement):
            current_tenant_id()  # raises TenancyError: fail closed
        return
    if state.is_insert:
        if any(is_tenant_owned(m.class_) for m in state.all_mappers):
            _stamp_bulk_insert(state, tenant_id)
        return
    if state.is_column_load:
        return  # a deferred column of an object already loaded for this tenant
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantOwned,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


def _stamp_bulk_insert(state: ORMExecuteState, tenant_id: int) -> None:
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    for row in rows:
        given = row.get("tenant_id")
        if given is None:
            row["tenant_id"] = tenant_id
        elif given != tenant_id:
            raise TenancyError(f"insert names tenant {given} while tenant {tenant_id} is current")


def _stamp_new_objects(session: Session, flush_context, instances) -> None:
    for obj in session.new:
        if not is_tenant_owned(type(obj)):
            continue
        tenant_id = current_tenant_id()
        if obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise TenancyError(
                f"{type(obj).__name__} belongs to tenant {obj.tenant_id}, "
                f"but tenant {tenant_id} is current"
            )
    for obj in list(session.dirty) + list(session.deleted):
        if is_tenant_owned(type(obj)) and _saved_tenant(obj) != current_tenant_id():
            raise TenancyError(f"{type(obj).__name__} of another tenant cannot be changed here")


def _saved_tenant(obj) -> int | None:
    """The tenant of a persistent object from its identity key (tenant_id leads the key),
    so checking an expired object costs no query."""
    identity = inspect(obj).identity
    return identity[0] if identity else obj.tenant_id


def install() -> None:
    """Attach the listeners (idempotent)."""
    if not event.contains(Session, "do_orm_execute", _scope_statement):
        event.listen(Session, "do_orm_execute", _scope_statement)
        event.listen(Session, "before_flush", _stamp_new_objects)
