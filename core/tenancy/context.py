"""The current tenant, held in a context variable.

A context variable (not ``flask.g``) so the same code works in requests, CLI commands and jobs,
and nested ``tenant_context`` blocks restore the outer tenant when they end.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_current: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "dangjian_tenant_id", default=None
)


class TenancyError(RuntimeError):
    """Tenant-owned data was touched with no tenant in context, or across tenants."""


def current_tenant_id_or_none() -> int | None:
    return _current.get()


def current_tenant_id() -> int:
    """The current tenant's id; raises :class:`TenancyError` when there is none (fail closed)."""
    tenant_id = _current.get()
    if tenant_id is None:
        raise TenancyError("no tenant in context: tenant-owned data cannot be read or written")
    return tenant_id


@contextmanager
def tenant_context(tenant_id: int | None) -> Iterator[None]:
    """Run a block for one tenant. One database transaction never serves two tenants.

    On PostgreSQL the tenant is also set on the transaction (row-level security):

    * entering from *no* tenant inside an open transaction joins it (e.g. the transaction
      that just created the tenant row) and sets the tenant on it; leaving clears it again;
    * switching from another tenant ends a read-only transaction first, and refuses when
      there are unsaved changes; what the block leaves uncommitted is rolled back.
    """
    from core.db import db
    from core.tenancy import rls

    outer = _current.get()
    if outer == tenant_id:
        yield
        return
    session = db.session()
    joined = session.in_transaction() and outer is None
    if session.in_transaction() and not joined:
        if session.new or session.dirty or session.deleted:
            raise TenancyError("switching tenant with unsaved changes; commit or roll back first")
        session.rollback()  # read-only: end it, the next transaction is the new tenant's
    token = _current.set(tenant_id)
    try:
        if joined:
            rls.apply_to_transaction(session)
        yield
    finally:
        _current.reset(token)
        if joined:
            if session.in_transaction():
                _clear_joined(session, failing=sys.exc_info()[1] is not None)
        elif session.in_transaction():
            session.rollback()


def _clear_joined(session, failing: bool) -> None:
    """Put the joined transaction back to the outer (no) tenant.

    After a database error the transaction is aborted and cannot even take ``set_config``;
    rolling it back clears the transaction-local tenant as well, and the block's own error
    is the one that propagates (not "current transaction is aborted").
    """
    from sqlalchemy.exc import DBAPIError

    from core.tenancy import rls

    try:
        rls.apply_to_transaction(session)
    except DBAPIError:
        session.rollback()
        if not failing:
            raise


def activate(tenant_id: int | None) -> contextvars.Token:
    """Set the tenant for the rest of a request (paired with :func:`deactivate`)."""
    return _current.set(tenant_id)


def deactivate(token: contextvars.Token) -> None:
    _current.reset(token)
