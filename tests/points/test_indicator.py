"""``points.branch_average``: average approved points per non-exempt active member of each
organisation's subtree in the period — one statement for every organisation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.assessment.indicators import IndicatorContext, score
from core.assessment.registry import tenant_indicators
from core.db import db
from core.orgs.models import Organization
from core.points.indicators import BranchAverageParams
from tests.points.conftest import award, new_member


def _ctx(tenant_id, codes=None):
    orgs = select(Organization.id)
    if codes is not None:
        orgs = orgs.where(Organization.code.in_(codes))
    return IndicatorContext(tenant_id=tenant_id, start=date(2025, 1, 1), end=date(2025, 12, 31),
                            orgs=orgs, params=BranchAverageParams().load({}))


def test_branch_average_per_subtree_without_exempt_members(tenant, in_tenant, tree,
                                                           count_statements):
    with in_tenant(tenant):
        indicator = tenant_indicators()["points.branch_average"]
        a, b = new_member(tree["X"]), new_member(tree["G"])
        new_member(tree["X"])  # no points: counts in the average
        mobile = new_member(tree["X"], status="mobile")  # exempt: not counted
        y = new_member(tree["Y"])
        for person, n in ((a, 4), (b, 2), (mobile, 10), (y, 1)):
            for i in range(n):
                award(person.id, "points.volunteering", date(2025, 2, 1 + i))
        award(a.id, "points.volunteering", date(2024, 2, 1))  # outside the period
        db.session.commit()
        ctx = _ctx(tenant.id)
        with count_statements() as seen:
            measured = indicator.measure(ctx)
        assert len([s for s in seen if "tenant_plugins" not in s]) == 1
        assert measured[tree["X"]].value == Decimal("10.00")  # (20 + 10 + 0) / 3
        assert measured[tree["G"]].value == Decimal("10.00")
        assert measured[tree["Y"]].value == Decimal("5.00")
        assert measured[tree["C"]].value == Decimal("8.75")  # 35 / 4
        assert measured[tree["C"]].evidence == {"members": 4, "points": 35.0}
        item = score(indicator, measured[tree["X"]], {"target": 20}, 10)
        assert item.points == Decimal("5.00") and "人均 10" in item.explanation
        only = indicator.measure(_ctx(tenant.id, ["Y"]))
        assert set(only) == {tree["Y"]}
