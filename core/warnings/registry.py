"""Which rules exist, for whom, and with which parameters.

Rules come from the ``dangjian_warning_rules`` hook. Keys are global: two plugins declaring
one key is a start-up error naming both (:func:`check`, run when the app is created; the
engine checks again, since tests register plugins later). A rule of an installed plugin the
current tenant has not enabled does not exist for that tenant — the same selection
:func:`core.plugins.service.hook` makes, done here implementation by implementation so an
error can name the plugin.

Effective parameters are the schema's defaults (the national numbers) overlaid with the
tenant's overrides (:class:`~core.warnings.models.RuleSetting`), loaded through the rule's
schema every time, so a check only ever sees valid, typed values.
"""

from __future__ import annotations

import pluggy
from marshmallow import RAISE, Schema, ValidationError
from sqlalchemy import select

from core.db import db
from core.plugins import declarations
from core.plugins.declarations import Declared
from core.warnings.models import RuleSetting
from core.warnings.rules import WarningRule


class RuleRegistryError(RuntimeError):
    """A plugin declared rules badly (a duplicate key, not a WarningRule)."""


def all_rules(pm: pluggy.PluginManager | None = None) -> dict[str, Declared]:
    """Every declared rule by key (``.item`` the rule, ``.plugin`` its plugin), across all
    plugins (enabled or not)."""
    return declarations.collect(
        "dangjian_warning_rules", WarningRule, error=RuleRegistryError, what="warning rule", pm=pm
    )


def check(pm: pluggy.PluginManager | None = None) -> int:
    """Validate the rules (raises :class:`RuleRegistryError`); returns how many there are."""
    return len(all_rules(pm))


def tenant_rules() -> dict[str, WarningRule]:
    """The rules of the default plugins and of the installed plugins the current tenant
    enabled, by key, in declaration order."""
    return declarations.available(all_rules())


def shown_condition():
    """A WHERE clause on :class:`~core.warnings.models.Warning` leaving out the warnings of
    rules whose plugin the tenant has disabled: they are kept (enabling the plugin again
    shows them, and its next sweep brings them up to date) but hidden meanwhile."""
    from sqlalchemy import true

    from core.warnings.models import Warning

    hidden = declarations.hidden_keys(all_rules())
    return Warning.rule_key.not_in(sorted(hidden)) if hidden else true()


def settings() -> dict[str, RuleSetting]:
    """The current tenant's rule settings by rule key (one query)."""
    return {s.rule_key: s for s in db.session.scalars(select(RuleSetting))}


def params_schema(rule: WarningRule) -> Schema | None:
    return rule.params(unknown=RAISE) if rule.params is not None else None


def defaults(rule: WarningRule) -> dict:
    schema = params_schema(rule)
    return {} if schema is None else schema.load({})


def effective_params(rule: WarningRule, overrides: dict | None) -> dict:
    """Defaults ← ``overrides``, validated; raises marshmallow's ``ValidationError``."""
    schema = params_schema(rule)
    if schema is None:
        if overrides:
            raise ValidationError({k: ["This rule has no parameters."] for k in overrides})
        return {}
    return schema.load(dict(overrides or {}))


class _Keep(dict):
    """Figures for ``format_map``: a missing name renders as ``{name}``."""

    def __missing__(self, key):
        return "{" + key + "}"


def render(rule: WarningRule, figures: dict) -> str:
    """The rule's Chinese message with the figures filled in (a figure the template names
    but the finding lacks stays as ``{name}`` rather than failing the sweep)."""

    try:
        return rule.message.format_map(_Keep(figures))
    except (ValueError, IndexError, AttributeError):  # a malformed template: show it as is
        return rule.message
