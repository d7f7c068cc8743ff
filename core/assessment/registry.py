"""Which indicators and default standards exist, for whom, with which parameters.

Indicators come from the ``dangjian_indicators`` hook (core's slices and the sector plugins)
and from the tenant's own simple indicators (:mod:`core.assessment.custom`, no code). Keys
are global: two plugins declaring one key is a start-up error naming both. An indicator of
an installed plugin the current tenant has not enabled does not exist for that tenant.

Parameters are the indicator's schema defaults overlaid with a standard's overrides, loaded
through the schema every time, so ``measure`` only ever sees valid, typed values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pluggy
from marshmallow import RAISE, ValidationError

from core.assessment.indicators import Indicator, StandardTemplate
from core.plugins.manager import DEFAULT_PLUGINS, call_for_each, installed_plugins


class IndicatorRegistryError(RuntimeError):
    """A plugin declared indicators or standards badly (a duplicate key, a wrong type)."""


@dataclass(frozen=True)
class Registered:
    item: object
    plugin: str


def _collect(hook: str, kind: type, pm: pluggy.PluginManager | None) -> dict[str, Registered]:
    found: dict[str, Registered] = {}
    for plugin, returned in call_for_each(hook, pm):
        if not isinstance(returned, Iterable):
            raise IndicatorRegistryError(f"plugin {plugin!r}: {hook} must return a list of {kind.__name__}")
        for item in returned:
            if not isinstance(item, kind):
                raise IndicatorRegistryError(
                    f"plugin {plugin!r}: {hook} returned {item!r}, not a {kind.__name__}"
                )
            if item.key in found:
                raise IndicatorRegistryError(
                    f"{kind.__name__} {item.key!r} is declared by both plugin "
                    f"{found[item.key].plugin!r} and plugin {plugin!r}; keys are global, "
                    "prefix them with the plugin name"
                )
            found[item.key] = Registered(item, plugin)
    return found


def all_indicators(pm: pluggy.PluginManager | None = None) -> dict[str, Registered]:
    """Every indicator declared by a plugin (enabled or not), by key."""
    return _collect("dangjian_indicators", Indicator, pm)


def all_templates(pm: pluggy.PluginManager | None = None) -> dict[str, Registered]:
    """Every default standard declared by a plugin (enabled or not), by key."""
    return _collect("dangjian_standards", StandardTemplate, pm)


def check(pm: pluggy.PluginManager | None = None) -> int:
    """Validate declarations (raises :class:`IndicatorRegistryError`); returns the count."""
    return len(all_indicators(pm)) + len(all_templates(pm))


def _for_tenant(found: dict[str, Registered]) -> dict:
    from core.plugins.service import enabled_plugins

    installed = installed_plugins()
    enabled = enabled_plugins()
    return {
        key: reg.item
        for key, reg in found.items()
        if reg.plugin in DEFAULT_PLUGINS or reg.plugin not in installed or reg.plugin in enabled
    }


def plugin_of(key: str) -> str | None:
    """The plugin that declares indicator ``key`` (``None`` for a tenant's own)."""
    reg = all_indicators().get(key)
    return reg.plugin if reg is not None else None


def tenant_indicators() -> dict[str, Indicator]:
    """The indicators the current tenant has: enabled plugins' and its own, by key."""
    from core.assessment.custom import custom_indicators

    indicators = _for_tenant(all_indicators())
    indicators.update(custom_indicators())
    return indicators


def tenant_templates() -> dict[str, StandardTemplate]:
    """The default standards of the plugins the current tenant has enabled, by key."""
    return _for_tenant(all_templates())


def effective_params(indicator: Indicator, overrides: dict | None) -> dict:
    """The indicator's defaults ← ``overrides``, validated; raises ``ValidationError``."""
    if indicator.params is None:
        if overrides:
            raise ValidationError({k: ["This indicator has no parameters."] for k in overrides})
        return {}
    return indicator.params(unknown=RAISE).load(dict(overrides or {}))
