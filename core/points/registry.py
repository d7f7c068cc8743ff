"""Which point rules a tenant has, with the tenant's numbers.

Rules come from the ``dangjian_point_rules`` hook (core's slices and enabled sector plugins)
and from the tenant's own rules in the database (:class:`~core.points.models.TenantPointRule`,
keys ``tenant.<slug>``). Keys are global: two plugins declaring one key is a start-up error
naming both (:func:`check`), and ``tenant.`` is reserved for tenants' rules. A tenant may
switch a plugin rule off or change its points and cap
(:class:`~core.points.models.PointRuleOverride`); what the ledger uses is the
:class:`EffectiveRule`, points and caps as :class:`~decimal.Decimal`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pluggy
from sqlalchemy import select

from core.db import db
from core.plugins import declarations
from core.plugins.declarations import Declared
from core.points.models import PointRuleOverride, TenantPointRule
from core.points.rules import PointRule

TENANT_PREFIX = "tenant."
CENT = Decimal("0.01")


class PointRuleRegistryError(RuntimeError):
    """A plugin declared point rules badly (a duplicate key, a reserved key, a wrong type)."""


@dataclass(frozen=True)
class EffectiveRule:
    """A rule as the current tenant uses it."""

    key: str
    name: str
    points: Decimal
    category: str
    yearly_cap: Decimal | None
    evidence_required: bool
    description: str
    active: bool
    source: str  # "plugin" or "tenant"
    plugin: str | None = None
    collect: Callable | None = None
    overridden: tuple[str, ...] = ()  # the plugin rule's fields the tenant changed
    default_points: Decimal | None = None
    default_yearly_cap: Decimal | None = None
    # The version of the row behind it (a tenant rule, or a plugin rule's override; 0: none).
    version: int = 0


def as_points(value) -> Decimal | None:
    if value is None:
        return None
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENT)


def _not_a_tenant_key(plugin: str, rule: PointRule) -> None:
    if rule.key.startswith(TENANT_PREFIX):
        raise PointRuleRegistryError(
            f"plugin {plugin!r}: point rule key {rule.key!r} uses the prefix "
            f"{TENANT_PREFIX!r}, which is reserved for tenants' own rules"
        )


def all_rules(pm: pluggy.PluginManager | None = None) -> dict[str, Declared]:
    """Every rule declared by a plugin (enabled or not), by key (``.item`` the rule)."""
    return declarations.collect(
        "dangjian_point_rules", PointRule, error=PointRuleRegistryError, what="point rule",
        pm=pm, check=_not_a_tenant_key,
    )


def check(pm: pluggy.PluginManager | None = None) -> int:
    """Validate the declarations (raises :class:`PointRuleRegistryError`); returns the count."""
    return len(all_rules(pm))


def plugin_rules() -> dict[str, Declared]:
    """The plugin rules the current tenant has: default plugins' and enabled plugins'."""
    found = all_rules()
    available = declarations.available(found)
    return {key: declared for key, declared in found.items() if key in available}


def _effective_plugin_rule(reg: Declared, override: PointRuleOverride | None) -> EffectiveRule:
    rule = reg.item
    points, cap = as_points(rule.points), as_points(rule.yearly_cap)
    active, changed = True, []
    if override is not None:
        active = override.active
        if not active:
            changed.append("active")
        if override.points is not None and as_points(override.points) != points:
            points = as_points(override.points)
            changed.append("points")
        if override.cap_overridden and as_points(override.yearly_cap) != cap:
            cap = as_points(override.yearly_cap)
            changed.append("yearly_cap")
    return EffectiveRule(
        key=rule.key, name=rule.name, points=points, category=rule.category, yearly_cap=cap,
        evidence_required=rule.evidence_required, description=rule.description, active=active,
        source="plugin", plugin=reg.plugin, collect=rule.collect, overridden=tuple(changed),
        default_points=as_points(rule.points), default_yearly_cap=as_points(rule.yearly_cap),
        version=override.version if override is not None else 0,
    )


def effective_tenant_rule(row: TenantPointRule) -> EffectiveRule:
    return EffectiveRule(
        key=row.key, name=row.name, points=as_points(row.points), category=row.category,
        yearly_cap=as_points(row.yearly_cap), evidence_required=row.evidence_required,
        description=row.description or "", active=row.active, source="tenant",
        version=row.version,
    )


def tenant_rules() -> dict[str, EffectiveRule]:
    """Every rule of the current tenant (switched-off ones included, ``active`` False),
    plugin rules first in declaration order, then the tenant's by key. Two queries."""
    overrides = {o.rule_key: o for o in db.session.scalars(select(PointRuleOverride))}
    rules = {key: _effective_plugin_rule(reg, overrides.get(key))
             for key, reg in plugin_rules().items()}
    for row in db.session.scalars(select(TenantPointRule).order_by(TenantPointRule.key)):
        rules[row.key] = effective_tenant_rule(row)
    return rules


def get_rule(key: str) -> EffectiveRule | None:
    """One rule of the current tenant by key, or ``None``."""
    if key.startswith(TENANT_PREFIX):
        row = db.session.scalar(select(TenantPointRule).where(TenantPointRule.key == key))
        return effective_tenant_rule(row) if row is not None else None
    reg = plugin_rules().get(key)
    if reg is None:
        return None
    override = db.session.scalar(select(PointRuleOverride).where(PointRuleOverride.rule_key == key))
    return _effective_plugin_rule(reg, override)
