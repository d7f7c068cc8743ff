"""The sweep: run the current tenant's rules and bring its warnings up to date.

For each rule the tenant has (:func:`core.warnings.registry.tenant_rules`):

* disabled by the tenant → its open warnings are resolved (a rule switched off raises
  nothing, and what it raised before no longer stands); reported ``disabled``;
* a stored parameter override the schema refuses → reported ``misconfigured`` with the
  reasons; the rule does not run and its open warnings stay as they were;
* the check raises → reported ``failed`` with the error; its open warnings stay as they were
  and the other rules still run (on PostgreSQL the check runs inside a savepoint, so a
  failed query does not spoil the transaction);
* otherwise its findings are diffed against its open warnings, **set-based**, a fixed number
  of statements whatever the number of findings:

  1. one SELECT of the rule's open warnings ``(id, org_id, subject_key, figures as text)``,
     diffed against the findings in Python dictionaries (no ORM objects);
  2. one UPDATE … WHERE id IN (…) resolving the vanished ones (in chunks of
     :data:`CHUNK` ids: PostgreSQL takes at most 65,535 parameters a statement);
  3. one executemany UPDATE by primary key of the persisting warnings whose figures changed
     (figures, message, ``last_seen_at``), then one UPDATE … WHERE rule_key = :k AND
     state = 'open' moving ``last_seen_at`` of all the others still open;
  4. executemany INSERTs of the new findings, :data:`INSERT_PAGE` rows a call (messages
     rendered once per distinct figures). Measured on PostgreSQL: psycopg's pipelined
     executemany beats multi-row VALUES (SQLAlchemy's insertmanyvalues, or ``.values([...])``)
     several times over for this table.

The caller commits (the job runner, the CLI per tenant). ``today`` is the day the rules
check as of (default: today); timestamps are the real time of the sweep.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

from marshmallow import ValidationError
from sqlalchemy import Text, cast, insert, select, update

from core.db import db, new_id
from core.db.mixins import utcnow
from core.orgs.models import Organization
from core.tenancy import current_tenant_id
from core.warnings import registry
from core.warnings.models import OPEN, RESOLVED, Warning
from core.warnings.rules import Finding, RuleContext, WarningRule

log = logging.getLogger(__name__)

CHUNK = 10_000
INSERT_PAGE = 20_000  # new warnings per executemany INSERT (bounded memory)

OK = "ok"
DISABLED = "disabled"
MISCONFIGURED = "misconfigured"
FAILED = "failed"


@dataclass
class RuleReport:
    key: str
    status: str
    opened: int = 0
    kept: int = 0
    resolved: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class SweepReport:
    today: date
    rules: list[RuleReport] = field(default_factory=list)

    @property
    def failed(self) -> list[RuleReport]:
        return [r for r in self.rules if r.status in (FAILED, MISCONFIGURED)]

    def totals(self) -> dict:
        return {k: sum(getattr(r, k) for r in self.rules) for k in ("opened", "kept", "resolved")}

    def rule(self, key: str) -> RuleReport:
        return next(r for r in self.rules if r.key == key)

    def to_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "rules": [asdict(r) for r in self.rules],
            **self.totals(),
        }


def subject_key(finding: Finding) -> str:
    return "" if finding.subject_id is None else str(finding.subject_id)


def sweep(
    today: date | None = None,
    rule_keys: Iterable[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> SweepReport:
    """Sweep the current tenant (all its rules, or only ``rule_keys``); the caller commits.

    ``progress(done, total, rule_key)`` is called after each rule. Unknown ``rule_keys``
    raise ``KeyError`` naming them.
    """
    today = today or date.today()
    rules = registry.tenant_rules()
    if rule_keys is not None:
        wanted = list(dict.fromkeys(rule_keys))
        unknown = [k for k in wanted if k not in rules]
        if unknown:
            raise KeyError(f"unknown warning rules: {', '.join(unknown)}")
        rules = {k: rules[k] for k in wanted}
    settings = registry.settings()
    report = SweepReport(today=today)
    shared: dict = {}  # figures several rules read, computed once per sweep (RuleContext.once)
    for done, (key, rule) in enumerate(rules.items(), start=1):
        started = time.perf_counter()
        report.rules.append(_sweep_rule(rule, settings.get(key), today, shared))
        report.rules[-1].seconds = round(time.perf_counter() - started, 4)
        if progress is not None:
            progress(done, len(rules), key)
    return report


def _sweep_rule(rule: WarningRule, setting, today: date, shared: dict) -> RuleReport:
    if setting is not None and not setting.enabled:
        return RuleReport(rule.key, DISABLED, resolved=resolve_all(rule.key))
    try:
        params = registry.effective_params(rule, setting.params if setting else None)
    except ValidationError as exc:
        return RuleReport(rule.key, MISCONFIGURED, error=f"params: {exc.messages}")
    try:
        findings = _run_check(rule, RuleContext(current_tenant_id(), today, params, shared))
    except Exception as exc:  # noqa: BLE001 - one plugin's bug must not stop the sweep
        log.exception("warning rule %s failed", rule.key)
        return RuleReport(rule.key, FAILED, error=f"{type(exc).__name__}: {exc}")
    return _apply(rule, findings)


def _run_check(rule: WarningRule, ctx: RuleContext) -> dict[tuple, Finding]:
    """The rule's findings by ``(org_id, subject_key)`` (a repeated one counts once)."""

    def run():
        return {(f.org_id, subject_key(f)): f for f in rule.check(ctx)}

    if db.session.get_bind().dialect.name != "postgresql":
        return run()  # SQLite: a failed SELECT leaves the transaction usable
    with db.session.begin_nested():
        return run()


def _apply(rule: WarningRule, findings: dict[tuple, Finding]) -> RuleReport:
    report, _resolved, _opened = apply_findings(rule, findings)
    return report


def apply_findings(rule: WarningRule, findings: dict[tuple, Finding], scope=None
                   ) -> tuple[RuleReport, list[tuple], list[dict]]:
    """Bring ``rule``'s open warnings in line with ``findings`` (``{(org_id, subject_key):
    finding}``): new findings open warnings, vanished ones resolve, the rest are kept (their
    figures and message updated when they changed). ``scope`` (a WHERE clause on
    :class:`Organization`) limits this to the warnings of those organisations — a scoped
    refresh (:mod:`core.warnings.scoped`) — the findings must then be limited to them too.
    Returns the report, the resolved warnings ``(id, org_id, message)`` and the new rows."""
    now = utcnow()
    # Figures come back as their stored JSON text and are compared with the finding's
    # serialised figures: decoding ~100,000 JSON documents a rule costs more than the query.
    # Only a text that differs is decoded, so a mere difference in spelling (key order,
    # spacing) is not taken for a change.
    in_scope = (Warning.org_id.in_(select(Organization.id).where(scope)),) if scope is not None else ()
    open_rows = db.session.execute(
        select(Warning.id, Warning.org_id, Warning.subject_key, cast(Warning.figures, Text),
               Warning.message)
        .where(Warning.rule_key == rule.key, Warning.state == OPEN, *in_scope)
    ).all()
    render = _renderer(rule)
    tenant_id = current_tenant_id()
    changed, vanished = [], []
    for row_id, org_id, key, stored, message in open_rows:
        finding = findings.pop((org_id, key), None)
        if finding is None:
            vanished.append((row_id, org_id, message))
            continue
        if not _same(stored, finding.figures):
            changed.append({
                "tenant_id": tenant_id, "id": row_id, "figures": dict(finding.figures),
                "message": render(finding.figures), "last_seen_at": now, "updated_at": now,
            })
    kept = len(open_rows) - len(vanished)
    subject_type = None if rule.subject == "org" else rule.subject
    new_rows = [
        {
            "id": new_id(),
            "rule_key": rule.key,
            "org_id": f.org_id,
            "subject_type": subject_type,
            "subject_id": f.subject_id,
            "subject_key": key[1],
            "severity": rule.severity,
            "message": render(f.figures),
            "figures": dict(f.figures),
            "state": OPEN,
            "opened_at": now,
            "last_seen_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for key, f in findings.items()  # what is left: findings no open warning has
    ]

    # Resolve first, so the bulk re-stamp below touches only the warnings still standing;
    # the changed ones are stamped with their new figures and skipped by it.
    _resolve([row_id for row_id, _org, _message in vanished], now)
    if changed:
        db.session.execute(update(Warning), changed)
    if kept > len(changed):
        db.session.execute(
            update(Warning)
            .where(Warning.rule_key == rule.key, Warning.state == OPEN, Warning.last_seen_at < now,
                   *in_scope)
            .values(last_seen_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    for start in range(0, len(new_rows), INSERT_PAGE):
        db.session.execute(insert(Warning), new_rows[start:start + INSERT_PAGE])
    report = RuleReport(rule.key, OK, opened=len(new_rows), kept=kept, resolved=len(vanished))
    return report, vanished, new_rows


def _dumps(figures: dict) -> str:
    """Figures as the JSON column stores them (SQLAlchemy's default serialiser)."""
    return json.dumps(figures)


def _same(stored: str | None, figures: dict) -> bool:
    """Do the stored figures (JSON text) equal ``figures``? Text first, decoded if it differs."""
    try:
        if stored == _dumps(figures):
            return True
    except (TypeError, ValueError):
        pass
    return (json.loads(stored) if stored else {}) == figures


def _renderer(rule: WarningRule) -> Callable[[dict], str]:
    """``registry.render`` for ``rule``, once per distinct figures (org rules repeat them)."""
    cache: dict[str, str] = {}

    def render(figures: dict) -> str:
        try:
            key = _dumps(figures)
        except (TypeError, ValueError):
            return registry.render(rule, figures)
        message = cache.get(key)
        if message is None:
            message = cache[key] = registry.render(rule, figures)
        return message

    return render


def _resolve(ids: list, now) -> None:
    for start in range(0, len(ids), CHUNK):
        db.session.execute(
            update(Warning)
            .where(Warning.id.in_(ids[start:start + CHUNK]), Warning.state == OPEN)
            .values(state=RESOLVED, resolved_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )


def resolve_all(rule_key: str) -> int:
    """Resolve every open warning of ``rule_key`` (a rule switched off); returns how many."""
    now = utcnow()
    result = db.session.execute(
        update(Warning)
        .where(Warning.rule_key == rule_key, Warning.state == OPEN)
        .values(state=RESOLVED, resolved_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
