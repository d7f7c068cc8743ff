"""Which indicators and default standards exist, for whom, with which parameters.

Indicators come from the ``dangjian_indicators`` hook (core's slices and the sector plugins)
and from the tenant's own simple indicators (:mod:`core.assessment.custom`, no code). Keys
are global: two plugins declaring one key is a start-up error naming both. An indicator of
an installed plugin the current tenant has not enabled does not exist for that tenant.

Parameters are the indicator's schema defaults overlaid with a standard's overrides, loaded
through the schema every time, so ``measure`` only ever sees valid, typed values.
"""

from __future__ import annotations

import pluggy
from marshmallow import RAISE, ValidationError

from core.assessment.indicators import Indicator, StandardTemplate
from core.plugins import declarations
from core.plugins.declarations import Declared


class IndicatorRegistryError(RuntimeError):
    """A plugin declared indicators or standards badly (a duplicate key, a wrong type)."""


def all_indicators(pm: pluggy.PluginManager | None = None) -> dict[str, Declared]:
    """Every indicator declared by a plugin (enabled or not), by key."""
    return declarations.collect(
        "dangjian_indicators", Indicator, error=IndicatorRegistryError, what="indicator", pm=pm
    )


def all_templates(pm: pluggy.PluginManager | None = None) -> dict[str, Declared]:
    """Every default standard declared by a plugin (enabled or not), by key."""
    return declarations.collect(
        "dangjian_standards", StandardTemplate, error=IndicatorRegistryError,
        what="default standard", pm=pm,
    )


def check(pm: pluggy.PluginManager | None = None) -> int:
    """Validate declarations (raises :class:`IndicatorRegistryError`); returns the count."""
    return len(all_indicators(pm)) + len(all_templates(pm))


def plugin_of(key: str) -> str | None:
    """The plugin that declares indicator ``key`` (``None`` for a tenant's own)."""
    reg = all_indicators().get(key)
    return reg.plugin if reg is not None else None


def tenant_indicators() -> dict[str, Indicator]:
    """The indicators the current tenant has: enabled plugins' and its own, by key."""
    from core.assessment.custom import custom_indicators

    indicators = declarations.available(all_indicators())
    indicators.update(custom_indicators())
    return indicators


def tenant_templates() -> dict[str, StandardTemplate]:
    """The default standards of the plugins the current tenant has enabled, by key."""
    return declarations.available(all_templates())


def effective_params(indicator: Indicator, overrides: dict | None) -> dict:
    """The indicator's defaults ← ``overrides``, validated; raises ``ValidationError``."""
    if indicator.params is None:
        if overrides:
            raise ValidationError({k: ["This indicator has no parameters."] for k in overrides})
        return {}
    return indicator.params(unknown=RAISE).load(dict(overrides or {}))
