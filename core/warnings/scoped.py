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
from sqlalchemy import Text, cast, insert, or_, select, update

from core.db import db, new_id
from core.db.mixins import utcnow
from core.orgs.models import Organization
from core.orgs.service import ancestor_ids, subtree_filter
from core.tenancy import current_tenant_id
from core.warnings import engine, registry
from core.warnings.models import OPEN, Warning
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
    """The engine's diff (:func:`core.warnings.engine._apply`) over the scope's warnings."""
    now = utcnow()
    open_rows = db.session.execute(
        select(Warning.id, Warning.org_id, Warning.subject_key, cast(Warning.figures, Text),
               Warning.message)
        .join(Organization, Organization.id == Warning.org_id)
        .where(Warning.rule_key == rule.key, Warning.state == OPEN, scope)
    ).all()
    render = engine._renderer(rule)
    vanished = []
    for row_id, org_id, key, stored, message in open_rows:
        finding = findings.pop((org_id, key), None)
        if finding is None:
            vanished.append(row_id)
            outcome.resolved.append(Change(row_id, rule.key, rule.name, org_id, message))
        elif not engine._same(stored, finding.figures):
            db.session.execute(
                update(Warning).where(Warning.id == row_id).values(
                    figures=dict(finding.figures), message=render(finding.figures),
                    last_seen_at=now, updated_at=now)
                .execution_options(synchronize_session=False))
        else:
            db.session.execute(
                update(Warning).where(Warning.id == row_id).values(last_seen_at=now)
                .execution_options(synchronize_session=False))
    engine._resolve(vanished, now)
    subject_type = None if rule.subject == "org" else rule.subject
    for (org_id, key), finding in findings.items():
        row_id = new_id()
        message = render(finding.figures)
        db.session.execute(insert(Warning), [{
            "id": row_id, "rule_key": rule.key, "org_id": org_id, "subject_type": subject_type,
            "subject_id": finding.subject_id, "subject_key": key, "severity": rule.severity,
            "message": message, "figures": dict(finding.figures), "state": OPEN,
            "opened_at": now, "last_seen_at": now, "created_at": now, "updated_at": now}])
        outcome.opened.append(Change(row_id, rule.key, rule.name, org_id, message))
