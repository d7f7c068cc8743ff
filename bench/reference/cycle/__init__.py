"""Indicators as plain SQL, and the cycle's scoring after them (see :mod:`bench.reference`).

Each slice module (``orgs``, ``life``, ``dues``, ``rural``…) defines ``INDICATORS``: a list
of :class:`IndicatorSQL`, one per indicator of that slice. A query measures every assessed
organisation at once and returns **one row per organisation it has data for**:
``org_id``, ``value`` (numeric, or NULL for "no data") and, for a checklist indicator,
``items`` (a JSON object: item key → met). An organisation without a row has no data (the
engine's ``NO_DATA``). Which organisations are assessed: the temporary table ``ref_orgs``
(``org_id uuid``), filled by the runner before the queries run. Bind parameters:
``:tenant_id``, ``:start`` and ``:end`` (the cycle's period, both days included) and the
indicator's effective parameters in the standard by their names (lists as arrays).

:mod:`bench.reference.cycle.assemble` turns the measurements into items, scores, stars,
ranks and the members' figures, in SQL too, and compares them with the engine's results.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import text

from bench.reference import as_uuid, collect

SLICES = ("orgs", "life", "dues", "development", "problems", "points", "warnings",
          "rural", "community", "organs", "two_new", "soe")


@dataclass(frozen=True)
class IndicatorSQL:
    key: str  # the indicator's key
    sql: str
    checklist: bool = False  # True: the query returns ``items`` too


def all_indicators() -> dict[str, IndicatorSQL]:
    """Every indicator's query, by key (a slice module not written yet is skipped)."""
    return collect(__name__, SLICES, "INDICATORS")


@dataclass
class Measured:
    """One indicator's measurements: org id → (value, items) and the seconds its query took."""

    values: dict = field(default_factory=dict)
    seconds: float = 0.0


def measure(session, tenant_id: int, start: date, end: date, key: str, params: dict,
            orgs_sql: str, orgs_binds: dict | None = None) -> Measured:
    """Measure indicator ``key`` with ``params`` over the organisations ``orgs_sql`` selects
    (one ``org_id`` column): fills ``ref_orgs`` with them, then runs the indicator's query.
    The time includes filling ``ref_orgs`` (the engine's measure gets its SELECT too)."""
    query = all_indicators()[key]
    started = time.perf_counter()
    session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS ref_orgs (org_id uuid PRIMARY KEY)"))
    session.execute(text("TRUNCATE ref_orgs"))
    session.execute(text(f"INSERT INTO ref_orgs (org_id) {orgs_sql}"), orgs_binds or {})
    binds = {"tenant_id": tenant_id, "start": start, "end": end, **params}
    rows = session.execute(text(query.sql), binds).mappings().all()
    out = Measured(seconds=time.perf_counter() - started)
    for row in rows:
        value = row["value"]
        out.values[as_uuid(row["org_id"])] = (None if value is None else Decimal(str(value)),
                                             row.get("items") if query.checklist else None)
    return out


def engine_values(session, cycle_id) -> dict[str, dict]:
    """What the engine measured in its last run of ``cycle_id``: indicator key → org id →
    value (``None``: no data), read from the results' items."""
    found: dict[str, dict] = {}
    rows = session.execute(text("SELECT org_id, items FROM assessment_org_results WHERE cycle_id = :cycle"),
                           {"cycle": cycle_id})
    for org_id, items in rows:
        if isinstance(items, str):
            items = json.loads(items)
        for item in items:
            value = item.get("value")
            found.setdefault(item["key"], {})[as_uuid(org_id)] = None if value is None else Decimal(value)
    return found
