"""The problems slice's indicators on real data, scored with the assessment contract, and
measured with a number of statements that does not grow with the organisations."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from core.assessment.indicators import IndicatorContext, score
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.problems.indicators import indicators
from core.tenancy import current_tenant_id
from tests.problems.conftest import add_designation, add_problem

START, END = date(2025, 1, 1), date(2025, 6, 30)
BY_KEY = {i.key: i for i in indicators()}


def _measure(key, org_ids, **params):
    indicator = BY_KEY[key]
    loaded = indicator.params().load(params)
    ctx = IndicatorContext(tenant_id=current_tenant_id(), start=START, end=END,
                           orgs=select(Organization.id).where(Organization.id.in_(org_ids)), params=loaded)
    return indicator, loaded, indicator.measure(ctx)


@contextmanager
def _counting():
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("SELECT set_config("):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_indicators_are_declared_for_the_registry():
    assert {i.key: i.scoring for i in indicators()} == {
        "problems.overdue": "deduction", "problems.rectification_rate": "proportional",
        "problems.weak_designation": "deduction"}
    assert BY_KEY["problems.overdue"].params().load({}) == {"per_unit": 2}
    assert BY_KEY["problems.rectification_rate"].params().load({}) == {"target": 100}


def test_overdue_at_the_end_of_the_period(tenant, city, in_tenant):
    with in_tenant(tenant):
        x, y, z = city["X"], city["Y"], city["Z"]
        add_problem(x, title="逾期一", deadline=date(2025, 3, 1))
        add_problem(x, title="逾期二", deadline=date(2025, 6, 29), status="submitted")
        add_problem(x, title="期后销号", deadline=date(2025, 5, 1), status="closed", closed_on=date(2025, 7, 3))
        add_problem(x, title="期内销号", deadline=date(2025, 5, 1), status="closed", closed_on=date(2025, 6, 30))
        add_problem(x, title="期末当天到期", deadline=END)
        add_problem(x, title="期后发现", found_on=date(2025, 7, 2), deadline=date(2025, 7, 3))
        add_problem(y, title="Y逾期", deadline=date(2025, 2, 1))
        db.session.commit()
        indicator, params, measured = _measure("problems.overdue", [x, y, z])
        assert {org: m.value for org, m in measured.items()} == {x: 3, y: 1, z: 0}
        assert measured[x].evidence == {"overdue": 3, "titles": "逾期一、期后销号、逾期二"}
        item = score(indicator, measured[x], params, 10)
        assert item.points == Decimal("4.00")
        assert "期末逾期未销号问题 3 个" in item.explanation and "扣 6 分" in item.explanation
        assert score(indicator, measured[z], params, 10).points == Decimal("10.00")
        _, params, measured = _measure("problems.overdue", [x], per_unit=5)
        assert score(indicator, measured[x], params, 10).points == Decimal("0.00")


def test_rectification_rate_closed_on_time(tenant, city, in_tenant):
    with in_tenant(tenant):
        x, y, z = city["X"], city["Y"], city["Z"]
        add_problem(x, deadline=date(2025, 3, 31), status="closed", closed_on=date(2025, 3, 31))
        add_problem(x, deadline=date(2025, 4, 30), status="closed", closed_on=date(2025, 5, 2))  # late
        add_problem(x, deadline=date(2025, 5, 31), status="rectifying")
        add_problem(x, deadline=date(2025, 6, 30), status="closed", closed_on=date(2025, 6, 1))
        add_problem(x, deadline=date(2025, 9, 30), status="open")  # due after the period
        add_problem(x, deadline=date(2024, 12, 31), found_on=date(2024, 12, 1))  # due before it
        add_problem(y, deadline=date(2025, 2, 1), status="closed", closed_on=date(2025, 1, 20))
        db.session.commit()
        indicator, params, measured = _measure("problems.rectification_rate", [x, y, z])
        assert measured[x].value == 50.0 and measured[x].evidence == {"due": 4, "on_time": 2}
        assert measured[y].value == 100.0
        assert measured[z].value == 100.0 and measured[z].evidence == {"due": 0, "on_time": 0}
        item = score(indicator, measured[x], params, 10)
        assert item.points == Decimal("5.00")
        assert "本期到期问题 4 个，按期销号 2 个，按期整改率 50%" in item.explanation
        _, params, measured = _measure("problems.rectification_rate", [x], target=50)
        assert score(indicator, measured[x], params, 10).points == Decimal("10.00")


def test_weak_designation_in_the_period(tenant, city, in_tenant):
    with in_tenant(tenant):
        x, y, z = city["X"], city["Y"], city["Z"]
        add_designation(x, designated_on=date(2024, 3, 1), status="rectifying")  # still listed
        add_designation(y, designated_on=date(2023, 3, 1), status="delisted", delisted_on=date(2024, 12, 1))
        add_designation(z, designated_on=date(2025, 7, 1), year=2025)  # after the period
        db.session.commit()
        indicator, params, measured = _measure("problems.weak_designation", [x, y, z])
        assert {org: m.value for org, m in measured.items()} == {x: 1, y: 0, z: 0}
        assert measured[x].evidence == {"designations": 1, "reason": "书记不胜任"}
        assert score(indicator, measured[x], params, 10).points == Decimal("0.00")
        assert score(indicator, measured[y], params, 10).points == Decimal("10.00")


@pytest.mark.parametrize("key", sorted(BY_KEY))
def test_statements_do_not_grow_with_organisations(tenant, city, in_tenant, key):
    def grow(count: int) -> list:
        parent = orgs.get(city["C1"])
        made = []
        for _ in range(count):
            org = orgs.create(name=f"支部{len(made)}-{count}", code=f"B{count}-{len(made)}", kind="branch",
                              parent=parent)
            db.session.flush()
            add_problem(org.id, deadline=date(2025, 3, 1))
            add_problem(org.id, deadline=date(2025, 4, 1), status="closed", closed_on=date(2025, 3, 30))
            add_designation(org.id)
            made.append(org.id)
        db.session.commit()
        return made

    with in_tenant(tenant):
        few = grow(2)
        many = few + grow(20)
        with _counting() as small:
            _, _, measured_few = _measure(key, few)
        with _counting() as large:
            _, _, measured_many = _measure(key, many)
        assert len(measured_few) == 2 and len(measured_many) == 22
        assert len(small) == len(large) <= 2, large
