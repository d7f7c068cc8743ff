"""The two_new demo data: added once on core's demo tree, and giving the plugin's indicators
and warnings something to show."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.db import db
from core.demo import data
from core.orgs.models import Organization
from plugins.two_new.demo import ensure
from plugins.two_new.models import TwoNewGroup, TwoNewInstructor, TwoNewUnit
from tests.sectors.two_new.conftest import TODAY


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (TwoNewUnit, TwoNewInstructor, TwoNewGroup))


def test_demo_data_is_added_once_and_shows(sector_tenant, in_tenant, measure, sweep):
    tenant = sector_tenant("two_new")
    with in_tenant(tenant):
        data.ensure_tree()
        data.ensure_members()
        said = ensure(TODAY)
        assert said and "6 units" in said
        assert _counts() == (6, 2, 2)
        assert ensure(TODAY) is None and _counts() == (6, 2, 2)
        db.session.commit()

        committee = db.session.scalar(select(Organization).where(Organization.code == "SZ-LX"))
        branch = db.session.scalar(select(Organization).where(Organization.code == "SZ-LX-XG"))
        assert committee.attributes["comprehensive"] is True
        assert len(branch.attributes["nine_haves"]) == 6
        start = date(TODAY.year, 1, 1)
        org_coverage = measure("two_new.org_coverage", [committee.id], start, TODAY)[committee.id]
        work = measure("two_new.work_coverage", [committee.id], start, TODAY)[committee.id]
        groups = measure("two_new.group_coverage", [committee.id], start, TODAY)[committee.id]
        assert 0 < org_coverage.value < 100 and 0 < work.value < 100 and groups.value == 50.0
        nine = measure("two_new.nine_haves", [branch.id], start, TODAY)[branch.id]
        assert nine.value == 6
        assert measure("two_new.instructor", [branch.id], start, TODAY)[branch.id].value == 1

        for rule in ("two_new.should_form_branch", "two_new.uncovered", "two_new.group_uncovered",
                     "two_new.instructor_no_successor", "two_new.register_stale"):
            assert (committee.id, None) in sweep(rule, TODAY), rule
        assert "恒通物流" in sweep("two_new.should_form_branch", TODAY)[(committee.id, None)]["units"]
