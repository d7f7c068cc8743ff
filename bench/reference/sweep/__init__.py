"""Warning rules as plain SQL (see :mod:`bench.reference`).

Each slice module (``orgs``, ``dues``, ``rural``…) defines ``RULES``: a list of
:class:`RuleSQL`, one per warning rule of that slice. A query returns **one row per
finding**: ``org_id`` and ``subject_id`` (the member's or person's id; ``NULL`` for an
organisation-level rule) — nothing else is compared. Bind parameters: ``:tenant_id``,
``:today`` (the day the sweep checks as of) and the rule's effective parameters by their
names (a list parameter arrives as an array: ``= ANY(:kinds)``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text

from bench.reference import as_uuid, collect

SLICES = ("orgs", "members", "dues", "life", "development", "problems",
          "rural", "community", "organs", "two_new", "soe")


@dataclass(frozen=True)
class RuleSQL:
    key: str  # the warning rule's key
    sql: str


@dataclass
class Outcome:
    findings: set[tuple[uuid.UUID, uuid.UUID | None]] = field(default_factory=set)
    seconds: float = 0.0


def all_rules() -> dict[str, RuleSQL]:
    """Every rule's query, by rule key (a slice module not written yet is skipped)."""
    return collect(__name__, SLICES, "RULES")


def run(session, tenant_id: int, today: date, params_by_key: dict[str, dict],
        keys=None) -> dict[str, Outcome]:
    """Run the queries of ``keys`` (default: every rule in ``params_by_key`` that has one),
    each with its rule's effective parameters; returns findings and seconds per rule."""
    queries = all_rules()
    keys = [k for k in (keys or params_by_key) if k in queries]
    outcomes: dict[str, Outcome] = {}
    for key in keys:
        binds = {"tenant_id": tenant_id, "today": today, **params_by_key.get(key, {})}
        started = time.perf_counter()
        rows = session.execute(text(queries[key].sql), binds).all()
        outcomes[key] = Outcome({(as_uuid(r[0]), as_uuid(r[1])) for r in rows}, time.perf_counter() - started)
    return outcomes


def engine_findings(session, keys) -> dict[str, set[tuple[uuid.UUID, uuid.UUID | None]]]:
    """What the engine's last sweep left open, per rule, in the same shape."""
    found: dict[str, set] = {key: set() for key in keys}
    rows = session.execute(text("SELECT rule_key, org_id, subject_id FROM warnings WHERE state = 'open'"))
    for key, org_id, subject_id in rows:
        if key in found:
            found[key].add((as_uuid(org_id), as_uuid(subject_id)))
    return found


def effective_params() -> dict[str, dict]:
    """Every rule of the current tenant with its effective parameters (the engine's own
    resolution of defaults and the tenant's overrides — parameters are input, not work)."""
    from core.warnings import registry

    settings = registry.settings()
    out = {}
    for key, rule in registry.tenant_rules().items():
        setting = settings.get(key)
        if setting is not None and not setting.enabled:
            continue
        out[key] = registry.effective_params(rule, setting.params if setting else None)
    return out
