"""Bring one organisation's warnings up to date now, without waiting for the nightly sweep.

When a branch secretary records the meeting a warning asked for, the warning should clear
at once. :func:`refresh` is the sweep (:mod:`core.warnings.engine`) limited to the
organisations one record can touch: the organisation, the organisations below it (a group's
meeting counts for its branch's "no activity", a member's dues are kept in their group) and
those above it. The rules' checks are set-based over the tenant and cannot be narrowed, so
they run whole; only their findings for those organisations are applied, so nobody else's
warnings move before their sweep. Rules disabled, misconfigured or failing are left alone,
exactly as the sweep leaves them. The caller commits.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from marshmallow import ValidationError
from sqlalchemy import or_, select

from core.db import db
from core.orgs.models import Organization
from core.orgs.service import ancestor_ids, subtree_filter
from core.tenancy import current_tenant_id
from core.warnings import engine, registry
from core.warnings.rules import RuleContext, WarningRule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """A warning the refresh resolved (or opened): its rule's name and its message."""

    warning_id: uuid.UUID
    rule_key: str
    rule_name: str
    org_id: uuid.UUID
    message: str


@dataclass
class Outcome:
    resolved: list[Change]
    opened: list[Change]


def rules_for(prefixes: Iterable[str] = (), sector: str | None = None) -> list[str]:
    """Keys of the tenant's rules owned by ``prefixes`` (``"life."``) and, with ``sector``,
    the rules that apply to that sector only (a plugin's rules on its sector data)."""
    prefixes = tuple(prefixes)
    return [key for key, rule in registry.tenant_rules().items()
            if key.startswith(prefixes) or (sector is not None and sector in rule.sectors)]


def refresh(org: Organization, rule_keys: Iterable[str], today: date | None = None) -> Outcome:
    """Sweep ``rule_keys`` for ``org``'s subtree and ancestors; what it resolved and opened."""
    today = today or date.today()
    rules = registry.tenant_rules()
    settings = registry.settings()
    scope = or_(subtree_filter(org.path), Organization.id.in_(ancestor_ids(org)))
    org_ids = set(db.session.scalars(select(Organization.id).where(scope)))
    outcome = Outcome([], [])
    for key in dict.fromkeys(rule_keys):
        rule = rules.get(key)
        setting = settings.get(key)
        if rule is None or (setting is not None and not setting.enabled):
            continue
        try:
            params = registry.effective_params(rule, setting.params if setting else None)
            found = engine._run_check(rule, RuleContext(current_tenant_id(), today, params))
        except ValidationError:
            continue  # misconfigured: the sweep reports it, the warnings stay as they are
        except Exception:  # noqa: BLE001 - one plugin's bug must not stop the page
            log.exception("warning rule %s failed in a scoped refresh", rule.key)
            continue
        findings = {k: f for k, f in found.items() if k[0] in org_ids}
        _apply(rule, findings, scope, outcome)
    return outcome


def _apply(rule: WarningRule, findings: dict, scope, outcome: Outcome) -> None:
    """The sweep's own diff (:func:`core.warnings.engine.apply_findings`) over the scope."""
    _report, resolved, opened = engine.apply_findings(rule, findings, scope)
    outcome.resolved += [Change(row_id, rule.key, rule.name, org_id, message)
                         for row_id, org_id, message in resolved]
    outcome.opened += [Change(row["id"], rule.key, rule.name, row["org_id"], row["message"])
                       for row in opened]
