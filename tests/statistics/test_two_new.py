"""two_new's statistics table (units with and without a Party organisation), against a
direct count and hand-worked figures; gone when the tenant disables the plugin."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import text

from core.db import db
from core.orgs import service as orgs
from core.plugins import service as plugin_service
from core.statistics import compute, drill
from plugins.two_new.models import TwoNewInstructor, TwoNewUnit
from tests.statistics.conftest import YEAR, _d, nonzero
from tests.support.auth import error_fields

KEY = "two_new.coverage"


@pytest.fixture
def registered(tenant, in_tenant, city):
    """Units of E's register (and one of X's), see the test below for what each is."""
    with in_tenant(tenant):
        e, x = city["e"], city["x"]
        early = TwoNewInstructor(org_id=e, person_name="指导员甲", started_on=date(2025, 3, 1))
        late = TwoNewInstructor(org_id=e, person_name="指导员乙", started_on=date(2025, 8, 1))
        db.session.add_all([early, late])
        db.session.flush()
        surveyed = date(2025, 1, 10)

        def unit(name, kind, org=e, **extra):
            db.session.add(
                TwoNewUnit(org_id=org, name=name, kind=kind, surveyed_on=surveyed, **extra)
            )

        unit("自有支部企业", "enterprise", covered_by_org_id=city["e1"])
        unit("联合支部协会", "social_organisation", covered_by_org_id=city["ej"])
        unit("早指导员企业", "enterprise", instructor_id=early.id)
        unit("晚指导员企业", "enterprise", instructor_id=late.id)
        unit("空白协会", "social_organisation")
        unit("五月注销企业", "enterprise", closed_on=date(2025, 5, 1))
        unit("十月注销企业", "enterprise", closed_on=date(2025, 10, 1))
        unit("外部企业", "enterprise", org=x)
        db.session.commit()
    return city


def _direct(tenant_id, root_path, end):
    """The table counted from raw rows: coverage worked out in Python."""
    rows = db.session.execute(
        text(
            "SELECT u.kind, u.closed_on, c.status, c.kind, c.unit_relation, i.started_on, "
            "i.ended_on FROM two_new_units u "
            "JOIN organizations s ON s.id = u.org_id AND s.tenant_id = u.tenant_id "
            "LEFT JOIN organizations c ON c.id = u.covered_by_org_id AND c.tenant_id = u.tenant_id "
            "LEFT JOIN two_new_instructors i ON i.id = u.instructor_id AND i.tenant_id = u.tenant_id "
            "WHERE u.tenant_id = :t AND s.path LIKE :p"
        ),
        {"t": tenant_id, "p": root_path + "%"},
    ).all()
    out = defaultdict(lambda: defaultdict(int))
    for kind, closed, org_status, org_kind, relation, started, ended in rows:
        closed, started, ended = _d(closed), _d(started), _d(ended)
        if closed is not None and closed <= end:
            continue
        if org_status == "active":
            coverage = "joint" if org_kind == "joint_branch" or relation == "joint" else "own"
        elif started is not None and started <= end and (ended is None or ended > end):
            coverage = "instructor"
        else:
            coverage = "none"
        for row in ("total", kind):
            out[row]["total"] += 1
            out[row][coverage] += 1
    return out


def _table(result):
    return next(t for t in result["tables"] if t["key"] == KEY)


@pytest.mark.parametrize("period", ["annual", "half"])
@pytest.mark.parametrize("where", ["root", "e"])
def test_the_coverage_table_matches_a_direct_count(tenant, in_tenant, registered, period, where):
    with in_tenant(tenant):
        root = orgs.get(registered[where])
        table = _table(compute.figures(root, YEAR, period))
        end = date(YEAR, 6, 30) if period == "half" else date(YEAR, 12, 31)
        assert nonzero(table["cells"]) == nonzero(_direct(tenant.id, root.path, end))
        for row, columns in table["cells"].items():
            for column, n in columns.items():
                assert drill.records(root, YEAR, period, KEY, row, column)["count"] == n


def test_units_without_a_party_organisation_are_counted(tenant, in_tenant, registered):
    with in_tenant(tenant):
        e = orgs.get(registered["e"])
        year = _table(compute.figures(e, YEAR, "annual"))["cells"]
        half = _table(compute.figures(e, YEAR, "half"))["cells"]
    # at 12-31: the late instructor is in post; the unit closed 10-01 is gone
    assert year["enterprise"] == {"total": 3, "own": 1, "joint": 0, "instructor": 2, "none": 0}
    assert year["social_organisation"] == {
        "total": 2,
        "own": 0,
        "joint": 1,
        "instructor": 0,
        "none": 1,
    }
    # at 06-30: the late instructor's unit is uncovered; the unit closed 10-01 still counts
    assert half["enterprise"] == {"total": 4, "own": 1, "joint": 0, "instructor": 1, "none": 2}


def test_a_tenant_without_two_new_has_no_such_table(
    client, tenant, in_tenant, registered, auth_headers
):
    with in_tenant(tenant):
        plugin_service.set_enabled("two_new", False)
        db.session.commit()
    headers = auth_headers(tenant)
    query = {"org_id": str(registered["e"]), "year": YEAR}
    body = client.get("/api/v1/statistics", query_string=query, headers=headers).get_json()
    assert KEY not in {t["key"] for t in body["tables"]} and "gender" in {
        t["key"] for t in body["tables"]
    }
    args = {**query, "table": KEY, "row": "total", "column": "total"}
    response = client.get("/api/v1/statistics/drill", query_string=args, headers=headers)
    assert response.status_code == 422 and "table" in error_fields(response.get_json())
