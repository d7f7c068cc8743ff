"""The demo city's community data: added once however often the demo runs, and enough for
the indicators, the warnings and the demo's published star rating to show something."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.assessment.models.cycles import OrgResult
from core.db import db
from core.demo import assessment as demo_assessment
from core.demo import data
from core.orgs.models import Organization
from core.warnings import engine
from core.warnings.models import OPEN, Warning
from plugins.community import demo
from plugins.community.models import Grid, PropertyCompany, Registration, Service

TABLES = (Grid, PropertyCompany, Registration, Service)


def _counts():
    return [db.session.scalar(select(func.count()).select_from(t)) for t in TABLES]


def test_demo_data_is_added_once_and_shows_the_plugin_at_work(sector_tenant, in_tenant, measure):
    tenant = sector_tenant("community")
    today = date.today()
    with in_tenant(tenant):
        data.ensure_tree()
        data.ensure_members()
        said = demo.demo_data(today)
        assert said and "网格" in said
        first = _counts()
        assert first[0] == 3 and first[1] == 3 and first[2] == 6 and first[3] >= 10
        assert demo.demo_data(today) is None
        assert _counts() == first
        db.session.commit()

        community = db.session.scalar(select(Organization).where(Organization.name == "幸福社区党委"))
        street = db.session.scalar(select(Organization).where(Organization.name == "幸福街道党工委"))
        assert community.attributes["population"] == 9200
        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
        for org in (community, street):
            grids = measure("community.grid_branches", [org.id], start, end)[org.id]
            assert round(grids.value) == 33
            assert measure("community.red_property", [org.id], start, end)[org.id].value == 66.7
            assert measure("community.worker_staffing", [org.id], start, end)[org.id].value == 16.3
            assert measure("community.venue_area", [org.id], start, end)[org.id].value > 100

        engine.sweep(today)
        db.session.commit()
        fired = set(db.session.scalars(
            select(Warning.rule_key).where(Warning.state == OPEN, Warning.rule_key.like("community.%"))))
        assert {"community.worker_staffing", "community.grid_uncovered", "community.property_agreement",
                "community.registered_idle", "community.registered_idle_others"} <= fired
        assert "community.worker_pay" not in fired and "community.venue_area" not in fired


def test_the_demo_rating_rates_the_community_by_its_standard(sector_tenant, in_tenant):
    tenant = sector_tenant("community")
    today = date.today()
    with in_tenant(tenant):
        data.ensure_tree()
        data.ensure_members()
        demo.demo_data(today)
        demo_assessment.ensure_assessment(today)
        db.session.commit()
        community = db.session.scalar(select(Organization).where(Organization.name == "幸福社区党委"))
        result = db.session.scalar(select(OrgResult).where(OrgResult.org_id == community.id))
        assert result is not None
        items = {item["key"]: item for item in result.items}
        assert float(items["community.worker_pay"]["points"]) == 3
        assert float(items["community.worker_staffing"]["points"]) == 0
        assert 0 < float(items["community.red_property"]["points"]) < 8
