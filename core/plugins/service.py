"""Per-tenant plugin enablement, and calling hooks on behalf of the current tenant."""

from __future__ import annotations

import pluggy
from flask import g, has_request_context
from sqlalchemy import select

from core.db import db
from core.plugins.manager import get_manager, installed_plugins
from core.plugins.models import TenantPlugin
from core.tenancy import current_tenant_id


class UnknownPlugin(LookupError):
    def __init__(self, name: str):
        installed = ", ".join(sorted(installed_plugins())) or "none"
        super().__init__(f"plugin {name!r} is not installed (installed: {installed})")
        self.name = name


def enabled_plugins() -> set[str]:
    """Names of the installed plugins the current tenant has enabled (cached per request)."""
    tenant_id = current_tenant_id()
    cache_key = f"_dangjian_enabled_plugins_{tenant_id}"
    if has_request_context() and hasattr(g, cache_key):
        return getattr(g, cache_key)
    names = set(
        db.session.scalars(select(TenantPlugin.plugin).where(TenantPlugin.enabled.is_(True)))
    )
    names &= set(installed_plugins())  # an uninstalled plugin's row contributes nothing
    if has_request_context():
        setattr(g, cache_key, names)
    return names


def is_enabled(name: str) -> bool:
    return name in enabled_plugins()


def _row(name: str) -> TenantPlugin:
    if name not in installed_plugins():
        raise UnknownPlugin(name)
    row = db.session.scalar(select(TenantPlugin).where(TenantPlugin.plugin == name))
    if row is None:
        row = TenantPlugin(plugin=name, enabled=False, settings={})
        db.session.add(row)
    return row


def set_enabled(name: str, enabled: bool) -> TenantPlugin:
    """Enable or disable an installed plugin for the current tenant (caller commits)."""
    row = _row(name)
    row.enabled = enabled
    if has_request_context():
        g.pop(f"_dangjian_enabled_plugins_{current_tenant_id()}", None)
    return row


def hook(name: str) -> pluggy.HookCaller:
    """The hook ``name`` restricted to the plugins the current tenant may use.

    Default plugins always take part; installed plugins only when the tenant enabled them.
    """
    pm = get_manager()
    enabled = enabled_plugins()
    disabled = [plugin for pname, plugin in installed_plugins(pm).items() if pname not in enabled]
    if not disabled:
        return getattr(pm.hook, name)
    return pm.subset_hook_caller(name, remove_plugins=disabled)
