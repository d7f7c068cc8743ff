"""Every warning rule's yardstick query (``bench/reference/sweep``) finds exactly what the
engine found on a seeded city — so the benchmark's SQL column computes the same figures."""

from __future__ import annotations

from bench.reference import sweep as reference
from core.db import db
from core.tenancy import current_tenant_id
from tests.bench.conftest import TODAY


def _mismatches() -> dict[str, str]:
    tenant_id = current_tenant_id()
    params = reference.effective_params()
    outcomes = reference.run(db.session, tenant_id, TODAY, params)
    stored = reference.engine_findings(db.session, outcomes)
    wrong = {}
    for key, outcome in outcomes.items():
        extra, missing = outcome.findings - stored[key], stored[key] - outcome.findings
        if extra or missing:
            wrong[key] = (f"SQL {len(outcome.findings)} vs engine {len(stored[key])}: "
                          f"only SQL {sorted(extra, key=str)[:3]}, only engine {sorted(missing, key=str)[:3]}")
    return wrong


def test_each_reference_query_finds_what_the_engine_found(small_city, in_tenant):
    with in_tenant(small_city):
        assert _mismatches() == {}
