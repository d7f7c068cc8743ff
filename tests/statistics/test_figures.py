"""Every statistics figure against a direct count, and every drill-down against its figure."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from core.members import service as members
from core.orgs import service as orgs
from core.statistics import compute, drill
from tests.statistics.conftest import YEAR, direct_counts, nonzero


@pytest.mark.parametrize("period", ["annual", "half"])
@pytest.mark.parametrize("where", ["root", "e"])
def test_every_figure_matches_a_direct_count(tenant, in_tenant, city, period, where):
    with in_tenant(tenant):
        root = orgs.get(city[where])
        result = compute.figures(root, YEAR, period)
        expected = direct_counts(tenant.id, root.path, YEAR, period)
        core_tables = [t for t in result["tables"] if "." not in t["key"]]  # plugins': own tests
        assert {t["key"] for t in core_tables} == set(expected)
        for table in core_tables:
            assert nonzero(table["cells"]) == nonzero(expected[table["key"]]), table["key"]


def test_every_drill_down_lists_as_many_records_as_its_figure(tenant, in_tenant, city):
    with in_tenant(tenant):
        root = orgs.get(city["e"])
        result = compute.figures(root, YEAR, "annual")
        checked = 0
        for table in result["tables"]:
            for row, columns in table["cells"].items():
                for column, n in columns.items():
                    records = drill.records(root, YEAR, "annual", table["key"], row, column)
                    assert records["count"] == len(records["items"]) == n, (
                        table["key"],
                        row,
                        column,
                    )
                    checked += bool(n)
        assert checked > 20


def _cell(result, table, row, column):
    return next(t for t in result["tables"] if t["key"] == table)["cells"][row][column]


def test_the_edge_cases_fall_where_the_rules_say(tenant, in_tenant, city):
    """Hand-worked figures of committee E (see conftest.build_city)."""
    with in_tenant(tenant):
        e = orgs.get(city["e"])
        year = compute.figures(e, YEAR, "annual")
        half = compute.figures(e, YEAR, "half")
        ids = city["people"]

        def names(result_period, table, row, column):
            return {
                i["id"] for i in drill.records(e, YEAR, result_period, table, row, column)["items"]
            }

        # still in the register: boundary_31, under_31, admitted_last_day, converted, traveller,
        # mover, lost (dead and withdrew are gone)
        assert _cell(year, "gender", "total", "total") == 7
        assert ids["boundary_31"] in names("annual", "age", "total", "31_35")
        assert ids["under_31"] in names("annual", "age", "total", "30_and_under")
        assert _cell(year, "ethnicity", "total", "minority") == 1
        assert _cell(year, "education", "total", "unknown") == 1
        # admitted on 12-31: in the year (probationary at its end), not in the half
        assert names("annual", "development", "total", "admitted") == {ids["admitted_last_day"]}
        assert _cell(half, "development", "total", "admitted") == 0
        # at 06-30: withdrew (left 08-08) still a member, the traveller away (02-01 to 09-01),
        # the mover already in E (05-05)
        assert names("half", "gender", "total", "total") == {
            ids[k] for k in ("boundary_31", "under_31", "converted", "withdrew", "lost", "mover")
        }
        assert _cell(year, "gender", "probationary", "total") == 1
        # converted on 06-30: in both periods; probationary before, full at the half's end
        assert names("half", "development", "total", "converted") == {ids["converted"]}
        assert _cell(year, "development", "total", "lost_contact") == 1
        assert names("annual", "lost_contact", "total", "migrant_work") == {ids["lost"]}
        assert _cell(year, "lost_contact", "total", "total") == 1
        # the traveller out (02-01) and back (09-01); the mover in from X (05-05) — the move
        # within E (06-06) is neither
        assert _cell(year, "transfers", "external", "out") == 1
        assert _cell(year, "transfers", "external", "in") == 1
        assert names("annual", "transfers", "internal", "in") == {ids["mover"]}
        assert _cell(year, "transfers", "internal", "out") == 0
        assert names("annual", "leaving", "total", "death") == {ids["dead"]}
        assert names("annual", "leaving", "total", "withdrew") == {ids["withdrew"]}
        assert _cell(half, "leaving", "total", "withdrew") == 0  # left on 08-08
        # E, E1, EJ; the branch dissolved on 03-01 is gone by either period's end
        assert _cell(year, "organizations", "total", "total") == 3
        assert _cell(year, "organizations", "joint_branch", "8") == 1
        assert _cell(year, "organizations", "branch", "2") == 1
        # two enterprises (one own branch, one in the joint branch), one social organisation
        assert _cell(year, "coverage", "enterprise", "units") == 2
        assert _cell(year, "coverage", "enterprise", "joint") == 1
        assert _cell(year, "coverage", "social_organisation", "joint") == 1


def test_the_outside_branch_sees_the_mover_leave(tenant, in_tenant, city):
    with in_tenant(tenant):
        x = orgs.get(city["x"])
        result = compute.figures(x, YEAR, "annual")
        assert _cell(result, "transfers", "internal", "out") == 1
        assert _cell(result, "gender", "total", "total") == 0
        # at 04-30 the mover was still X's (moved to E on 05-05)
        assert _cell(compute.figures(x, YEAR, "half"), "gender", "total", "total") == 0


def test_a_change_after_the_period_does_not_change_its_figures(tenant, in_tenant, city):
    """The half's tables read the state at 06-30: members who die, leave or move after it
    are counted where they were; today's tables (no end in the past) read the register."""
    with in_tenant(tenant):
        e, x = orgs.get(city["e"]), orgs.get(city["x"])
        before = {p: compute.figures(e, YEAR, p) for p in ("half", "annual")}
        mover = members.get_member(city["people"]["mover"])
        lost = members.get_member(city["people"]["lost"])
        members.move_member(mover, x, date(YEAR + 1, 1, 10), "调回")
        members.change_status(lost, "deceased", date(YEAR + 1, 1, 20), "病故")
        db.session.commit()
        for period, result in before.items():
            assert compute.figures(e, YEAR, period)["tables"] == result["tables"], period
        this_year = compute.figures(e, date.today().year, "annual")
        assert _cell(this_year, "gender", "total", "total") == _cell(
            before["annual"], "gender", "total", "total"
        ) - 2
