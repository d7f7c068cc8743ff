"""Per-tenant plugin enablement, and calling hooks on behalf of the current tenant."""

from __future__ import annotations

import pluggy
from flask import g, has_request_context
from sqlalchemy import select

from core.db import db
from core.plugins.manager import DEFAULT_PLUGINS, get_manager, installed_plugins
from core.plugins.models import TenantPlugin
from core.tenancy import current_tenant_id


class UnknownPlugin(LookupError):
    """A plugin name that is not installed; the message lists what is."""

    def __init__(self, name: str):
        installed = ", ".join(sorted(installed_plugins())) or "none"
        if name in DEFAULT_PLUGINS:
            message = (
                f"plugin {name!r} is built in and always on; only installed plugins can be "
                f"configured per tenant (installed: {installed})"
            )
        else:
            message = f"plugin {name!r} is not installed (installed: {installed})"
        super().__init__(message)
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
    """Whether the current tenant has enabled installed plugin ``name``."""
    return name in enabled_plugins()


def find_row(name: str) -> TenantPlugin | None:
    """The current tenant's row for plugin ``name``, or ``None`` if it never configured it."""
    return db.session.scalar(select(TenantPlugin).where(TenantPlugin.plugin == name))


def ensure_row(name: str) -> TenantPlugin:
    """The current tenant's row for installed plugin ``name``, added (disabled) if missing.

    Raises :class:`UnknownPlugin` for a name that is not an installed plugin: default
    plugins are always on and have no row.
    """
    if name not in installed_plugins():
        raise UnknownPlugin(name)
    row = find_row(name)
    if row is None:
        row = TenantPlugin(plugin=name, enabled=False, settings={})
        db.session.add(row)
    return row


def check_configurable(name: str) -> None:
    """Raise :class:`UnknownPlugin` unless a tenant can hold settings for plugin ``name``."""
    if name in installed_plugins():
        return
    if name not in DEFAULT_PLUGINS:
        raise UnknownPlugin(name)
    from core.plugins.settings import schema_for

    if schema_for(name) is None:
        raise UnknownPlugin(name)


def ensure_settings_row(name: str) -> TenantPlugin:
    """The current tenant's row holding the settings of plugin ``name``, added if missing.

    Installed plugins get their usual row (added disabled). A built-in plugin that declares
    settings (core's assessment, points and problems slices do) gets a row too, only as the
    place its tenant overrides live: it is always on whatever the row says. A built-in plugin
    without settings raises :class:`UnknownPlugin`.
    """
    check_configurable(name)
    if name in installed_plugins():
        return ensure_row(name)
    row = find_row(name)
    if row is None:
        row = TenantPlugin(plugin=name, enabled=True, settings={})
        db.session.add(row)
    return row


_row = ensure_row  # the original private name, kept for existing callers


def set_enabled(name: str, enabled: bool) -> TenantPlugin:
    """Enable or disable an installed plugin for the current tenant (caller commits).

    Disabling only clears the flag: the row, its settings and the plugin's own data stay, so
    enabling again restores the plugin exactly as the tenant left it.
    """
    row = ensure_row(name)
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
