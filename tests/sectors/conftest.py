"""Fixtures for the sector plugins' tests (``tests/sectors/<sector>/``), on both databases.

* ``sector_tenant(plugin)`` — the ``tenant`` fixture with installed plugin ``plugin``
  enabled (committed); returns the tenant. Run work inside ``with in_tenant(tenant):``.
* ``measure(key, org_ids, start, end, params=None)`` — run indicator ``key`` the way a cycle
  does (effective params, one set-based ``measure`` call); ``{org_id: Measurement}``.
* ``score_of(key, measurement, params=None, weight=None)`` — the item score a cycle gives.
* ``sweep(rule_key, today)`` — sweep one warning rule and return its open warnings as
  ``{(org_id, subject_id): figures}`` (committed, so re-sweeping shows persistence and
  resolution).
* ``collect_points(start, end, rule_keys)`` — run collecting point rules; the ledger's report.
* ``count_statements()`` — ``with count_statements() as seen:`` lists the SQL run inside (for
  the "a fixed number of queries whatever the number of organisations" tests);
  ``indicator_statements(key, org_ids, start, end)`` and ``rule_statements(key, today)`` —
  ``(statements run, results)`` of one warm run of an indicator's ``measure`` over
  ``org_ids`` or of a warning rule's ``check`` (a first, uncounted run reads what a process
  reads once).
* ``make_org(name, kind="branch", parent=None, sector=None, **fields)`` and
  ``add_member(org, status="full", **fields)`` — quick records (flushed).
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from core.assessment import registry as indicator_registry
from core.assessment.indicators import score
from core.db import db
from core.members.models import Member
from core.orgs import service as orgs
from core.plugins import service as plugin_service
from core.points import ledger
from core.tenancy import current_tenant_id
from core.warnings import engine
from core.warnings import registry as warning_registry
from core.warnings.models import OPEN, Warning
from core.warnings.rules import RuleContext
from tests.assessment.conftest import prepare, run_indicator  # noqa: F401

_serial = itertools.count(1)


@pytest.fixture
def sector_tenant(tenant, in_tenant):
    def enable(*plugins: str):
        with in_tenant(tenant):
            for plugin in plugins:
                plugin_service.set_enabled(plugin, True)
            db.session.commit()
        return tenant

    return enable


@pytest.fixture
def measure(app_ctx):
    return run_indicator


@pytest.fixture
def score_of(app_ctx):
    def scored(key, measurement, params=None, weight=None):
        indicator = indicator_registry.tenant_indicators()[key]
        effective = indicator_registry.effective_params(indicator, params or {})
        return score(indicator, measurement, effective, weight or indicator.max_points)

    return scored


@pytest.fixture
def sweep(app_ctx):
    def run(rule_key: str, today: date) -> dict:
        report = engine.sweep(today, [rule_key])
        assert not report.failed, report.failed
        db.session.commit()
        rows = db.session.execute(
            select(Warning.org_id, Warning.subject_id, Warning.figures, Warning.message)
            .where(Warning.rule_key == rule_key, Warning.state == OPEN)
        ).all()
        return {(r.org_id, r.subject_id): {**r.figures, "_message": r.message} for r in rows}

    return run


@pytest.fixture
def collect_points(app_ctx):
    def run(start: date, end: date, rule_keys: list[str]) -> dict:
        report = ledger.collect(start, end, rule_keys)
        db.session.flush()
        return report

    return run


@pytest.fixture
def make_org(app_ctx):
    def make(name: str, kind: str = "branch", parent=None, sector=None, **fields):
        org = orgs.create(name=name, code=f"S{next(_serial)}", kind=kind, parent=parent,
                          sector=sector, founded_on=fields.pop("founded_on", date(2000, 1, 1)),
                          **fields)
        db.session.flush()
        return org

    return make


@pytest.fixture
def add_member(app_ctx):
    def add(org, status: str = "full", joined_on: date = date(2010, 1, 1), **fields) -> Member:
        n = next(_serial)
        member = Member(
            org_id=org.id, name=fields.pop("name", f"党员{n}"), gender=fields.pop("gender", "male"),
            ethnicity="汉族", birth_date=fields.pop("birth_date", date(1980, 1, 1)),
            id_number=f"SECTOR-ID-{n}", id_number_index=f"sector-index-{n}", joined_on=joined_on,
            full_on=fields.pop("full_on", date(joined_on.year + 1, joined_on.month, 1)
                               if status != "probationary" else None),
            status=status, **fields,
        )
        db.session.add(member)
        db.session.flush()
        return member

    return add


def _warm_count(counting, run):
    run()  # warm-up: what a process reads once is not the point
    with counting() as seen:
        result = run()
    return len(seen), result


@pytest.fixture
def indicator_statements(count_statements):
    def counted(key: str, org_ids, start: date, end: date, params=None):
        indicator, ctx = prepare(key, org_ids, start, end, params)
        return _warm_count(count_statements, lambda: dict(indicator.measure(ctx)))

    return counted


@pytest.fixture
def rule_statements(count_statements):  # noqa: F811 (the imported fixture, by name)
    def counted(key: str, today: date, params=None):
        rule = warning_registry.tenant_rules()[key]
        ctx = RuleContext(current_tenant_id(), today, warning_registry.effective_params(rule, params))
        return _warm_count(count_statements, lambda: list(rule.check(ctx)))

    return counted
