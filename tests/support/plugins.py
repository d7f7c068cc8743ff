"""Register a plugin for one test: ``registrar()`` is the body of the fixtures that add a
test plugin (jobs, warning rules, indicators) to the process-wide manager and enable it for
some tenants, and take it away again when the test ends."""

from __future__ import annotations

from contextlib import contextmanager

from core.db import db
from core.plugins.manager import get_manager
from core.tenancy import tenant_context


@contextmanager
def registrar():
    """Yields ``register(plugin, name, tenants=())``; unregisters everything on exit."""
    from core.plugins import service as plugin_service

    pm = get_manager()
    registered: list[str] = []

    def register(plugin, name: str, tenants=()):
        pm.register(plugin, name=name)
        registered.append(name)
        if db.session().in_transaction():
            db.session.commit()
        for tenant in tenants:
            with tenant_context(tenant if isinstance(tenant, int) else tenant.id):
                plugin_service.set_enabled(name, True)
                db.session.commit()
        return plugin

    try:
        yield register
    finally:
        for name in reversed(registered):
            pm.unregister(name=name)
