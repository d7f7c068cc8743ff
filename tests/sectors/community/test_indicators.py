"""The community indicators on real data, on both databases: a community meeting the target,
one falling short, one without data; a street measured over its communities; and the same
number of statements for 3 and for 30 communities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.db import db
from core.orgs import service as orgs
from plugins.community import service
from plugins.community.indicators import indicators
from tests.assessment.conftest import prepare
from tests.sectors.community.conftest import add_community

KEYS = [i.key for i in indicators()]


def _org(org_id):
    return orgs.get(org_id)


def _communities(city, *attribute_sets):
    street = _org(city.street)
    return [add_community(street, f"社区{n}", **attributes) for n, attributes in enumerate(attribute_sets)]


def test_grid_branch_coverage(community_city, in_tenant, measure, score_of):
    with in_tenant(community_city.tenant):
        (good, good_branch), (short, short_branch), (empty, _) = _communities(community_city, {}, {}, {})
        service.create_grid(good, {"name": "一网格", "branch_org_id": good_branch.id})
        service.create_grid(short, {"name": "一网格", "branch_org_id": short_branch.id})
        service.create_grid(short, {"name": "二网格"})
        service.create_grid(short, {"name": "已撤并网格", "ended_on": date(2024, 6, 30)})  # not counted
        dissolved = orgs.create(name="三网格党支部", code="C-D3", kind="branch", parent=short, sector="community")
        db.session.flush()
        service.create_grid(short, {"name": "三网格", "branch_org_id": dissolved.id})
        dissolved.status, dissolved.dissolved_on = "dissolved", date(2024, 3, 1)
        db.session.flush()

        found = measure("community.grid_branches", [good.id, short.id, empty.id, community_city.street])
        assert found[good.id].value == 100
        assert found[short.id].value == pytest.approx(33.3)
        assert set(found[short.id].evidence["missing"].split("、")) == {"二网格", "三网格"}
        assert empty.id not in found
        assert found[community_city.street].evidence["grids"] == 4  # the street: all its communities
        assert found[community_city.street].value == 50
        assert score_of("community.grid_branches", found[good.id]).points == Decimal("8.00")
        assert score_of("community.grid_branches", found[short.id]).points == Decimal("2.66")


def test_red_property_coverage(community_city, in_tenant, measure, score_of):
    with in_tenant(community_city.tenant):
        (good, _), (short, _), (empty, _) = _communities(community_city, {}, {}, {})
        service.create_company(good, {"name": "甲物业", "has_party_org": True})
        service.create_company(good, {"name": "乙物业", "agreement_signed_on": date(2023, 1, 1),
                                      "agreement_ends_on": date(2025, 12, 31)})
        service.create_company(short, {"name": "乙物业", "agreement_signed_on": date(2023, 1, 1)})
        service.create_company(short, {"name": "丙物业", "agreement_signed_on": date(2022, 1, 1),
                                       "agreement_ends_on": date(2024, 6, 30)})
        service.create_company(short, {"name": "丁物业", "left_on": date(2024, 5, 1)})  # gone by the end
        service.create_company(short, {"name": "戊物业"})

        found = measure("community.red_property", [good.id, short.id, empty.id])
        assert found[good.id].value == 100
        assert found[good.id].evidence["party_orgs"] == 1 and found[good.id].evidence["agreements"] == 1
        assert found[short.id].value == pytest.approx(33.3)
        assert set(found[short.id].evidence["missing"].split("、")) == {"丙物业", "戊物业"}
        assert empty.id not in found
        assert score_of("community.red_property", found[good.id]).points == Decimal("8.00")
        assert score_of("community.red_property", found[short.id]).points == Decimal("2.66")
        # measured as of an earlier end, the expired agreement was still in force
        earlier = measure("community.red_property", [short.id], date(2024, 1, 1), date(2024, 3, 31))
        assert earlier[short.id].value == 50  # 丙 still in force, 丁 still serving
        assert earlier[short.id].evidence["companies"] == 4


def test_owners_committees(community_city, in_tenant, measure, score_of):
    with in_tenant(community_city.tenant):
        (good, _), (short, _), (empty, _), (none_yet, _) = _communities(
            community_city, {"residential_compounds": 5, "owners_committees": 4},
            {"residential_compounds": 10, "owners_committees": 2}, {"population": 100},
            {"residential_compounds": 0, "owners_committees": 0})
        found = measure("community.owners_committees", [good.id, short.id, empty.id, none_yet.id])
        assert found[good.id].value == 80 and found[short.id].value == 20
        assert empty.id not in found and none_yet.id not in found
        assert score_of("community.owners_committees", found[good.id]).points == Decimal("5.00")
        assert score_of("community.owners_committees", found[short.id]).points == Decimal("1.25")
        street = measure("community.owners_committees", [community_city.street])[community_city.street]
        assert street.value == 40 and street.evidence["communities"] == 2


def test_worker_staffing_against_the_setting(community_city, in_tenant, measure, score_of):
    with in_tenant(community_city.tenant):
        (good, _), (short, _), (empty, _) = _communities(
            community_city, {"population": 10000, "community_workers": 18},
            {"population": 9200, "community_workers": 15}, {"households": 300})
        found = measure("community.worker_staffing", [good.id, short.id, empty.id])
        assert found[good.id].value == 18 and found[short.id].value == pytest.approx(16.3)
        assert empty.id not in found
        assert score_of("community.worker_staffing", found[good.id]).points == Decimal("6.00")
        assert score_of("community.worker_staffing", found[short.id]).points == Decimal("0.00")
        # the city's own standard moves the default target
        from core.plugins.settings import set_overrides

        set_overrides("community", {"workers_per_10k_population": 16})
        assert score_of("community.worker_staffing", found[short.id]).points == Decimal("6.00")
        street = measure("community.worker_staffing", [community_city.street])[community_city.street]
        assert street.evidence == {"population": 19200, "workers": 33, "communities": 2}


def test_worker_pay(community_city, in_tenant, measure, score_of):
    with in_tenant(community_city.tenant):
        (good, _), (short, _), (empty, _) = _communities(
            community_city, {"worker_avg_monthly_pay": 4300, "community_workers": 30},
            {"worker_avg_monthly_pay": 3500, "community_workers": 10}, {"population": 1})
        found = measure("community.worker_pay", [good.id, short.id, empty.id])
        assert found[good.id].value == 4300 and found[short.id].value == 3500
        assert empty.id not in found
        assert score_of("community.worker_pay", found[good.id]).points == Decimal("4.00")
        assert score_of("community.worker_pay", found[short.id]).points == Decimal("0.00")
        street = measure("community.worker_pay", [community_city.street])[community_city.street]
        assert street.value == 4100  # weighted by workers


def test_venue_area(community_city, in_tenant, measure, score_of):
    with in_tenant(community_city.tenant):
        (good, _), (short, _), (empty, _) = _communities(
            community_city, {"households": 3000, "venue_area_m2": 1000.0},
            {"households": 500, "venue_area_m2": 200.0}, {"venue_area_m2": 500.0})
        found = measure("community.venue_area", [good.id, short.id, empty.id])
        assert found[good.id].value == pytest.approx(111.1)
        assert found[good.id].evidence["standard"] == 900
        assert found[short.id].value == pytest.approx(66.7)  # the 300 m² minimum applies
        assert empty.id not in found
        assert score_of("community.venue_area", found[good.id]).points == Decimal("5.00")
        assert score_of("community.venue_area", found[short.id]).points == Decimal("0.00")
        relaxed = measure("community.venue_area", [short.id], params={"min_area_m2": 100})
        assert relaxed[short.id].value == pytest.approx(133.3)


def _register(community, member_id=None, registered_on=date(2024, 2, 1), services=(), **extra):
    data = {"registered_on": registered_on, **extra}
    if member_id is not None:
        data["member_id"] = member_id
    else:
        data.setdefault("person_name", "赵强")
        data.setdefault("work_unit", "省交通运输厅")
    registration = service.create_registration(community, data)
    for served_on in services:
        service.create_service(registration, {"served_on": served_on, "activity": "志愿服务"})
    return registration


def test_registered_members_serving(community_city, in_tenant, measure, score_of):
    city = community_city
    with in_tenant(city.tenant):
        (good, _), (short, _), (empty, _) = _communities(city, {}, {}, {})
        _register(good, city.outsiders[0], services=[date(2024, 3, 1), date(2024, 9, 1), date(2024, 10, 1)])
        _register(short, city.outsiders[1], services=[date(2024, 3, 1), date(2024, 4, 1)])
        _register(short, city.outsiders[2], registered_on=date(2023, 1, 1),
                  services=[date(2023, 5, 1), date(2024, 5, 1)])
        _register(short, services=[])  # someone outside the register, never served
        _register(short, city.outsiders[3], registered_on=date(2024, 11, 15))  # too new to count
        _register(short, registered_on=date(2022, 1, 1), ended_on=date(2023, 12, 31), person_name="李四")

        found = measure("community.registered_service", [good.id, short.id, empty.id])
        assert found[good.id].value == 100
        assert found[short.id].value == pytest.approx(33.3)
        assert found[short.id].evidence["registered"] == 4 and found[short.id].evidence["new"] == 1
        assert empty.id not in found
        assert score_of("community.registered_service", found[good.id]).points == Decimal("8.00")
        assert score_of("community.registered_service", found[short.id]).points == Decimal("2.66")
        lenient = measure("community.registered_service", [short.id], params={"min_services": 1})
        assert lenient[short.id].value == pytest.approx(66.7)


# -- set-based: the same statements for 3 and for 30 communities ---------------------------------------------


def _populate(city, n: int, prefix: str) -> list:
    street = _org(city.street)
    made = []
    for i in range(n):
        community, branch = add_community(street, f"{prefix}{i}", population=9000 + i, households=3000,
                                          residential_compounds=5, owners_committees=i % 5,
                                          community_workers=10 + i % 10, worker_avg_monthly_pay=4000,
                                          venue_area_m2=800.0)
        service.create_grid(community, {"name": "一网格", "branch_org_id": branch.id if i % 2 else None})
        service.create_company(community, {"name": "物业", "has_party_org": bool(i % 3)})
        registration = service.create_registration(community, {
            "person_name": f"报到{i}", "work_unit": "省厅", "registered_on": date(2024, 1, 10)})
        service.create_service(registration, {"served_on": date(2024, 2, 1), "activity": "服务"})
        made.append(community.id)
    return made


@pytest.fixture
def two_sizes(community_city, in_tenant):
    with in_tenant(community_city.tenant):
        few = _populate(community_city, 3, "甲")
        many = _populate(community_city, 30, "乙")
        db.session.commit()
    return few, many


@pytest.mark.parametrize("key", KEYS)
def test_statements_do_not_grow_with_communities(key, community_city, two_sizes, in_tenant,
                                                 count_statements):
    with in_tenant(community_city.tenant):
        counts, sizes = [], []
        for ids in two_sizes:
            indicator, ctx = prepare(key, ids)
            with count_statements() as seen:
                found = indicator.measure(ctx)
            counts.append(len(seen))
            sizes.append(len(found))
        assert sizes == [3, 30]
        assert counts[0] == counts[1], f"{key}: {counts[0]} statements for 3, {counts[1]} for 30"
        assert counts[0] <= 2, f"{key}: {counts[0]} statements"
