"""The community point rule (collected from services, idempotent, capped) and the default
standard (valid, copyable, rating community committees and general branches)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.assessment import registry, standards
from core.db import db
from core.orgs import service as orgs
from core.points.models import PointEntry
from plugins.community import service
from plugins.community.standards import COMMUNITY_STANDARD, WEIGHTS


def test_services_earn_points_once(community_city, in_tenant, collect_points):
    city = community_city
    with in_tenant(city.tenant):
        community = orgs.get(city.community)
        member = service.create_registration(community, {"member_id": city.outsiders[0],
                                                         "registered_on": date(2024, 1, 1)})
        for month in range(1, 13):  # 12 services: 24 points asked, the yearly cap is 20
            service.create_service(member, {"served_on": date(2024, month, 10), "activity": "志愿服务"})
        outsider = service.create_registration(community, {"person_name": "赵强", "work_unit": "省厅",
                                                           "registered_on": date(2024, 1, 1)})
        service.create_service(outsider, {"served_on": date(2024, 3, 1), "activity": "志愿服务"})
        service.create_service(member, {"served_on": date(2025, 1, 10), "activity": "下一年"})
        db.session.commit()

        report = collect_points(date(2024, 1, 1), date(2024, 12, 31), ["community.service"])
        assert report["rules"]["community.service"]["found"] == 12  # not the outsider, not 2025
        assert report["added"] == 12
        db.session.commit()
        again = collect_points(date(2024, 1, 1), date(2024, 12, 31), ["community.service"])
        assert again["added"] == 0
        entries = db.session.execute(
            select(PointEntry.member_id, func.count(), func.sum(PointEntry.points))
            .where(PointEntry.rule_key == "community.service").group_by(PointEntry.member_id)
        ).all()
        assert entries == [(city.outsiders[0], 12, Decimal("20.00"))]
        refs = set(db.session.scalars(select(PointEntry.source_ref).where(PointEntry.rule_key == "community.service")))
        assert all(ref.startswith("community_services:") for ref in refs) and len(refs) == 12


def test_the_default_standard_is_valid_and_copyable(community_city, in_tenant):
    with in_tenant(community_city.tenant):
        template = registry.tenant_templates()[COMMUNITY_STANDARD]
        assert standards.check_template(template) == []
        assert sum(weight for _, weight in WEIGHTS) == 100
        sector_share = sum(w for key, w in WEIGHTS if key.startswith("community."))
        assert 33 <= sector_share <= 50
        assert template.kinds == ("committee", "general_branch") and template.sector == "community"
        copied = standards.copy_template(COMMUNITY_STANDARD)
        db.session.commit()
        version = standards.latest_version(copied)
        assert copied.name == "社区党组织星级评定标准"
        assert {i["indicator"] for i in version.items} == {key for key, _ in WEIGHTS}
        # the staffing target came from the settings when copied
        staffing = next(i for i in version.items if i["indicator"] == "community.worker_staffing")
        assert float(staffing["params"]["target"]) == 18


def test_the_standard_checks_outside_any_tenant(app_ctx):
    """Parameters defaulting from the settings fall back to the plugin's defaults when no
    city is in context (core checks every installed template that way)."""
    template = registry.all_templates()[COMMUNITY_STANDARD].item
    assert standards.check_template(template) == []
