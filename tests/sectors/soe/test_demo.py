"""The demo city's enterprise: added once, 城投集团 good on most counts and short on a few
(a matter decided without prior study, last year's link too light), its branch with vanguard
posts and an innovation; both rated by the soe standards in the demo's published cycle."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.assessment.models.cycles import OrgResult
from core.db import db
from core.demo import assessment, data
from core.orgs.models import Organization
from core.points.models import PointEntry
from plugins.soe.models import CrossAppointment, Decision, Innovation, PerformanceLink, VanguardPost

MODELS = (CrossAppointment, Decision, Innovation, PerformanceLink, VanguardPost)


def _counts() -> dict:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_demo_enterprise(sector_tenant, tenant, in_tenant, measure, sweep):
    sector_tenant("soe")
    today = date.today()
    with in_tenant(tenant):
        data.ensure_tree()
        data.ensure_members()
        db.session.commit()
        said = dict(data.ensure_sector_data(today))
        db.session.commit()
        assert said["soe"] == ("attributes of 1 enterprise(s), 6 cross appointments, 6 decisions, "
                               "2 performance links, 3 vanguard posts, 1 innovation(s)")
        first = _counts()
        assert data.ensure_sector_data(today) == []  # a second run adds nothing
        db.session.commit()
        assert _counts() == first
        names = {o.name: o.id for o in db.session.scalars(
            select(Organization).where(Organization.sector == "soe"))}
        group, branch, regulator = names["市城投集团党委"], names["市城投集团第一党支部"], names["市国资委党委"]

        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
        assert all(measure("soe.charter", [group], start, end)[group].items.values())
        review = measure("soe.prior_review", [group, regulator], start, end)
        assert review[group].value == 80 and review[regulator].value is None
        assert all(measure("soe.cross_appointment", [group], start, end)[group].items.values())
        assert measure("soe.performance_link", [group], start, end)[group].value == 12
        assert measure("soe.vanguard_coverage", [branch], start, end)[branch].value == 37.5
        assert measure("soe.innovation_projects", [branch], start, end)[branch].value == 1

        assert {org for org, _ in sweep("soe.decision_without_review", today)} == {group}
        assert {org for org, _ in sweep("soe.performance_link_missing", today)} == {group}
        assert sweep("soe.charter_missing", today) == {}
        assert sweep("soe.cross_appointment_gap", today) == {}

        # the demo's star rating rates the group and its branch by the soe standards
        assessment.ensure_assessment(today)
        db.session.commit()
        results = {r.org_id: r for r in db.session.scalars(
            select(OrgResult).where(OrgResult.org_id.in_([group, branch])))}
        assert {"soe.prior_review", "soe.charter"} <= {i["key"] for i in results[group].items}
        assert {"soe.vanguard_coverage", "life.theme_days"} <= {i["key"] for i in results[branch].items}
        review_item = next(i for i in results[group].items if i["key"] == "soe.prior_review")
        assert float(review_item["points"]) == 9.6
        # the innovation's points were collected for its three members
        assert db.session.scalar(select(func.count()).select_from(PointEntry).where(
            PointEntry.rule_key == "soe.innovation")) == 3
