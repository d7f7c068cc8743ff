"""Fixtures for the warnings tests: a test plugin of rules over real data.

``rule_plugin(rules, name="test_rules", tenants=())`` registers, for this test, an installed
plugin whose ``dangjian_warning_rules`` returns ``rules`` and enables it for ``tenants``
(like tests/support/jobs.py's ``job_plugin``); it is unregistered when the test ends.

``FLAGGED`` is a rule over organisations: one finding per active organisation whose
``contact`` equals the ``marker`` parameter (default ``"FLAG"``); ``fail=True`` makes it
raise. ``BROKEN`` always raises; ``BAD_SQL`` runs a query the database refuses.
"""

from __future__ import annotations

from datetime import date

import pytest
from marshmallow import Schema, fields
from sqlalchemy import select, text

from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.plugins.hookspecs import hookimpl
from core.warnings.rules import Finding, WarningRule
from tests.support.plugins import registrar

TODAY = date(2025, 7, 1)


class FlaggedParams(Schema):
    marker = fields.Str(load_default="FLAG")
    fail = fields.Bool(load_default=False)


def _flagged(ctx):
    if ctx.params["fail"]:
        raise RuntimeError("规则出错")
    rows = db.session.execute(
        select(Organization.id, Organization.name)
        .where(Organization.contact == ctx.params["marker"], Organization.status == "active")
    )
    return [Finding(r.id, figures={"name": r.name}) for r in rows]


def _broken(ctx):
    raise ValueError("boom")


def _bad_sql(ctx):
    db.session.execute(text("SELECT no_such_column FROM organizations"))
    return []


FLAGGED = WarningRule(key="test.flagged", name="测试标记", severity="serious",
                      message="{name} 被标记", check=_flagged, params=FlaggedParams)
BROKEN = WarningRule(key="test.broken", name="测试出错", severity="info", message="不会出现",
                     check=_broken)
BAD_SQL = WarningRule(key="test.bad_sql", name="测试SQL出错", severity="info", message="不会出现",
                      check=_bad_sql)


class _RulesPlugin:
    def __init__(self, rules):
        self.rules = list(rules)

    @hookimpl
    def dangjian_warning_rules(self):
        return self.rules


@pytest.fixture
def rule_plugin(app_ctx):
    with registrar() as register:

        def add(rules, name: str = "test_rules", tenants=()):
            return register(_RulesPlugin(rules), name, tenants)

        yield add


@pytest.fixture
def city(tenant, in_tenant):
    """市委 R → 党委 C1 (支部 X, 支部 Y), 党委 C2 (支部 Z); returns code → id."""
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        c1 = orgs.create(name="一党委", code="C1", kind="committee", parent=root)
        c2 = orgs.create(name="二党委", code="C2", kind="committee", parent=root)
        orgs.create(name="X支部", code="X", kind="branch", parent=c1)
        orgs.create(name="Y支部", code="Y", kind="branch", parent=c1)
        orgs.create(name="Z支部", code="Z", kind="branch", parent=c2)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


def set_contact(code_to_id: dict, code: str, contact):
    org = orgs.get(code_to_id[code])
    org.contact = contact
    db.session.commit()
