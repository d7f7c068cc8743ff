"""Fixtures for the assessment tests (standards and indicators).

* ``count_statements()`` — ``with count_statements() as seen:`` lists the SQL run inside.
* ``indicator_plugin(indicators, templates=(), name="test_indicators", tenants=())``
  registers, for this test, an installed plugin whose ``dangjian_indicators`` returns
  ``indicators`` (and ``dangjian_standards`` ``templates``), enabled for ``tenants``; it is
  unregistered when the test ends (as tests/warnings' ``rule_plugin``).
* ``measure(key, orgs, start, end, params=None)`` — run the tenant's indicator ``key`` over
  ``orgs`` (ids, or a SELECT) the way a cycle does: effective params, one ``measure`` call.
* ``prepare(key, orgs, …)`` — ``(indicator, ctx)`` without measuring (for statement counts).
* ``make_branches(n, parent=None, **fields)`` — ``n`` branches (flushed), returned.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from core.assessment import registry
from core.assessment.indicators import IndicatorContext
from core.db import db
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.plugins.hookspecs import hookimpl
from core.tenancy import current_tenant_id
from tests.support.plugins import registrar

YEAR_START, YEAR_END = date(2024, 1, 1), date(2024, 12, 31)
_serial = itertools.count(1)




class _IndicatorPlugin:
    def __init__(self, indicators, templates):
        self.indicators = list(indicators)
        self.templates = list(templates)

    @hookimpl
    def dangjian_indicators(self):
        return self.indicators

    @hookimpl
    def dangjian_standards(self):
        return self.templates


@pytest.fixture
def indicator_plugin(app_ctx):
    with registrar() as register:

        def add(indicators, templates=(), name: str = "test_indicators", tenants=()):
            return register(_IndicatorPlugin(indicators, templates), name, tenants)

        yield add


def org_select(ids):
    return select(Organization.id).where(Organization.id.in_(list(ids)))


def prepare(key: str, org_ids, start: date = YEAR_START, end: date = YEAR_END,
            params: dict | None = None):
    """``(indicator, ctx)`` for measuring ``key`` over ``org_ids`` (ids, or a SELECT)."""
    indicator = registry.tenant_indicators()[key]
    effective = registry.effective_params(indicator, params or {})
    orgs_sql = org_ids if not isinstance(org_ids, list | tuple | set) else org_select(org_ids)
    return indicator, IndicatorContext(current_tenant_id(), start, end, orgs_sql, effective)


def run_indicator(key: str, org_ids, start: date = YEAR_START, end: date = YEAR_END,
                  params: dict | None = None) -> dict:
    indicator, ctx = prepare(key, org_ids, start, end, params)
    return indicator.measure(ctx)


@pytest.fixture
def measure(app_ctx):
    return run_indicator


def make_branches(n: int, parent=None, kind: str = "branch", prefix: str | None = None,
                  **fields) -> list[Organization]:
    prefix = prefix or f"B{next(_serial)}-"
    made = [orgs.create(name=f"{prefix}{i}党支部", code=f"{prefix}{i}", kind=kind, parent=parent,
                        founded_on=date(2000, 1, 1), **fields) for i in range(n)]
    db.session.flush()
    return made


def add_member(org, *, status="full", joined_on=date(2010, 1, 1), full_on=None) -> Member:
    n = next(_serial)
    member = Member(
        org_id=org.id if hasattr(org, "id") else org, name=f"党员{n}", gender="male",
        ethnicity="汉族", birth_date=date(1980, 1, 1), id_number=f"ASSESS-ID-{n}",
        id_number_index=f"assess-index-{n}", joined_on=joined_on,
        full_on=full_on or (date(joined_on.year + 1, joined_on.month, 1) if status == "full" else None),
        status=status,
    )
    db.session.add(member)
    db.session.flush()
    return member
