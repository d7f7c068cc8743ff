"""The community warning rules on real data, on both databases: each fires, stays while the
data stays, and clears when the data is fixed (two sweeps)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.db import db
from core.orgs import service as orgs
from core.sdk import set_org_attributes
from plugins.community import service
from plugins.community.models import Grid, PropertyCompany, Registration

TODAY = date(2024, 10, 1)


def _community(city):
    return orgs.get(city.community)


def test_worker_staffing(community_city, in_tenant, sweep):
    city = community_city
    with in_tenant(city.tenant):
        set_org_attributes(_community(city), {"population": 9200, "community_workers": 15})
        db.session.commit()
        found = sweep("community.worker_staffing", TODAY)
        figures = found[(city.community, None)]
        assert figures["needed"] == 17 and figures["short"] == 2 and figures["per_10k"] == 16.3
        assert "缺 2 人" in figures["_message"]
        set_org_attributes(_community(city), {"community_workers": 17})
        db.session.commit()
        assert sweep("community.worker_staffing", TODAY) == {}


def test_worker_pay(community_city, in_tenant, sweep):
    city = community_city
    with in_tenant(city.tenant):
        set_org_attributes(_community(city), {"worker_avg_monthly_pay": 3600})
        db.session.commit()
        found = sweep("community.worker_pay", TODAY)
        assert found[(city.community, None)]["short"] == 400
        set_org_attributes(_community(city), {"worker_avg_monthly_pay": 4000})
        db.session.commit()
        assert sweep("community.worker_pay", TODAY) == {}


def test_venue_area(community_city, in_tenant, sweep):
    city = community_city
    with in_tenant(city.tenant):
        set_org_attributes(_community(city), {"households": 3150, "venue_area_m2": 600.0})
        db.session.commit()
        found = sweep("community.venue_area", TODAY)
        assert found[(city.community, None)]["standard"] == 945 and found[(city.community, None)]["short"] == 345
        set_org_attributes(_community(city), {"venue_area_m2": 945.0})
        db.session.commit()
        assert sweep("community.venue_area", TODAY) == {}


def test_grids_without_a_branch(community_city, in_tenant, sweep):
    city = community_city
    with in_tenant(city.tenant):
        community = _community(city)
        service.create_grid(community, {"name": "一网格", "branch_org_id": city.branch})
        second = service.create_grid(community, {"name": "二网格"})
        third = service.create_grid(community, {"name": "三网格"})
        service.create_grid(community, {"name": "旧网格", "ended_on": date(2024, 1, 1)})
        db.session.commit()
        found = sweep("community.grid_uncovered", TODAY)
        assert found[(city.community, None)]["count"] == 2
        assert set(found[(city.community, None)]["grids"].split("、")) == {"二网格", "三网格"}
        second.branch_org_id = city.branch
        db.session.commit()
        assert sweep("community.grid_uncovered", TODAY)[(city.community, None)]["count"] == 1
        service.update_grid(db.session.get(Grid, (third.tenant_id, third.id)), community,
                            {"branch_org_id": city.group})
        db.session.commit()
        assert sweep("community.grid_uncovered", TODAY) == {}


def test_property_agreements_expiring(community_city, in_tenant, sweep):
    city = community_city
    with in_tenant(city.tenant):
        community = _community(city)
        expired = service.create_company(community, {
            "name": "安居物业", "agreement_signed_on": date(2021, 1, 1), "agreement_ends_on": TODAY - timedelta(days=40)})
        service.create_company(community, {
            "name": "阳光物业", "agreement_signed_on": date(2023, 1, 1), "agreement_ends_on": TODAY + timedelta(days=20)})
        service.create_company(community, {
            "name": "远期物业", "agreement_signed_on": date(2023, 1, 1), "agreement_ends_on": TODAY + timedelta(days=200)})
        service.create_company(community, {  # has its own Party organisation: no agreement needed
            "name": "幸福物业", "has_party_org": True, "agreement_signed_on": date(2020, 1, 1),
            "agreement_ends_on": date(2021, 1, 1)})
        db.session.commit()
        found = sweep("community.property_agreement", TODAY)[(city.community, None)]
        assert (found["expired"], found["expiring"]) == (1, 1)
        assert found["first_end"] == (TODAY - timedelta(days=40)).isoformat()
        company = db.session.get(PropertyCompany, (expired.tenant_id, expired.id))
        service.update_company(company, {"agreement_ends_on": date(2027, 12, 31)})
        db.session.commit()
        found = sweep("community.property_agreement", TODAY)[(city.community, None)]
        assert (found["expired"], found["expiring"]) == (0, 1)
        service.update_company(company, {"left_on": date(2024, 9, 1)})  # no longer serving: no matter
        renewed = db.session.scalar(select(PropertyCompany).where(PropertyCompany.name == "阳光物业"))
        service.update_company(renewed, {"agreement_ends_on": date(2026, 12, 31)})
        db.session.commit()
        assert sweep("community.property_agreement", TODAY) == {}


def test_registered_members_idle(community_city, in_tenant, sweep):
    city = community_city
    with in_tenant(city.tenant):
        community = _community(city)
        idle = service.create_registration(community, {"member_id": city.outsiders[0],
                                                       "registered_on": date(2023, 3, 1)})
        service.create_service(idle, {"served_on": date(2024, 1, 5), "activity": "义务巡逻"})
        busy = service.create_registration(community, {"member_id": city.outsiders[1],
                                                       "registered_on": date(2023, 3, 1)})
        service.create_service(busy, {"served_on": date(2024, 8, 5), "activity": "政策宣传"})
        service.create_registration(community, {"member_id": city.outsiders[2],  # just registered
                                                "registered_on": TODAY - timedelta(days=30)})
        service.create_registration(community, {"person_name": "赵强", "work_unit": "省交通运输厅",
                                                "registered_on": date(2023, 3, 1)})
        db.session.commit()
        found = sweep("community.registered_idle", TODAY)
        assert set(found) == {(city.community, city.outsiders[0])}
        assert found[(city.community, city.outsiders[0])]["last_served_on"] == "2024-01-05"
        assert "财政0" in found[(city.community, city.outsiders[0])]["_message"]
        others = sweep("community.registered_idle_others", TODAY)
        assert others[(city.community, None)]["count"] == 1 and others[(city.community, None)]["names"] == "赵强"

        service.create_service(db.session.get(Registration, (idle.tenant_id, idle.id)),
                               {"served_on": date(2024, 9, 20), "activity": "环境整治"})
        outsider = db.session.scalar(select(Registration).where(Registration.person_name == "赵强"))
        service.update_registration(outsider, community, {"ended_on": date(2024, 9, 30)})
        db.session.commit()
        assert sweep("community.registered_idle", TODAY) == {}
        assert sweep("community.registered_idle_others", TODAY) == {}


def test_rules_look_at_active_community_organisations_only(community_city, in_tenant, sweep):
    city = community_city
    with in_tenant(city.tenant):
        community = _community(city)
        set_org_attributes(community, {"population": 9200, "community_workers": 1})
        service.create_grid(community, {"name": "二网格"})
        db.session.commit()
        assert (city.community, None) in sweep("community.worker_staffing", TODAY)
        assert (city.community, None) in sweep("community.grid_uncovered", TODAY)
        community = _community(city)
        community.status, community.dissolved_on = "dissolved", date(2024, 9, 1)
        db.session.commit()
        assert sweep("community.worker_staffing", TODAY) == {}
        assert sweep("community.grid_uncovered", TODAY) == {}
