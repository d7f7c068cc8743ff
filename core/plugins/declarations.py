"""Keyed declarations collected from a hook: warning rules, indicators, default standards,
point rules. One way to gather them, refuse the malformed and filter by tenant, so every
registry behaves alike.

Keys are global across plugins: two plugins declaring one key is an error naming both. A
declaration of an installed plugin the current tenant has not enabled does not exist for
that tenant (the selection :func:`core.plugins.service.hook` makes), while default plugins'
always do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pluggy

from core.plugins.manager import DEFAULT_PLUGINS, call_for_each, installed_plugins


@dataclass(frozen=True)
class Declared:
    """A declaration and the plugin that made it."""

    item: object
    plugin: str


def collect(
    hook: str,
    kind: type,
    *,
    error: type[Exception],
    what: str,
    pm: pluggy.PluginManager | None = None,
    check: Callable[[str, object], None] | None = None,
) -> dict[str, Declared]:
    """Every ``kind`` declared through ``hook`` (enabled or not), by key, in declaration order.

    Raises ``error`` for a hook returning something else than a list of ``kind``, for a key
    declared twice (naming both plugins), and whatever ``check(plugin, item)`` raises."""
    found: dict[str, Declared] = {}
    for plugin, returned in call_for_each(hook, pm):
        if not isinstance(returned, Iterable):
            raise error(f"plugin {plugin!r}: {hook} must return a list of {kind.__name__}")
        for item in returned:
            if not isinstance(item, kind):
                raise error(f"plugin {plugin!r}: {hook} returned {item!r}, not a {kind.__name__}")
            if check is not None:
                check(plugin, item)
            if item.key in found:
                raise error(
                    f"{what} {item.key!r} is declared by both plugin {found[item.key].plugin!r} "
                    f"and plugin {plugin!r}; keys are global, prefix them with the plugin name"
                )
            found[item.key] = Declared(item, plugin)
    return found


def available(found: dict[str, Declared]) -> dict[str, object]:
    """The declarations the current tenant has (default and enabled plugins'), by key."""
    from core.plugins.service import enabled_plugins

    installed = installed_plugins()
    enabled = enabled_plugins()
    return {
        key: d.item
        for key, d in found.items()
        if d.plugin in DEFAULT_PLUGINS or d.plugin not in installed or d.plugin in enabled
    }


def hidden_keys(found: dict[str, Declared]) -> set[str]:
    """Keys declared by installed plugins the current tenant has not enabled: what they
    left behind (warnings, scores) is kept but not shown."""
    from core.plugins.service import enabled_plugins

    installed = installed_plugins()
    enabled = enabled_plugins()
    return {key for key, d in found.items() if d.plugin in installed and d.plugin not in enabled}
