"""Every rural indicator and warning rule runs a fixed number of statements whatever the
number of villages: set-based, never a query per organisation or member."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from core.orgs.models import Organization
from plugins.rural.indicators import indicators
from plugins.rural.warnings import rules
from tests.sectors.rural import builders as b

INDICATORS = [i.key for i in indicators()]
RULES = [r.key for r in rules()]
START, END = date(2024, 1, 1), date(2024, 12, 31)


def _villages(n, town, make_org, add_member, prefix):
    """``n`` villages with a little of everything (a group, members with and without posts,
    duties, a mobile member and contacts, incomes, stationings, attributes)."""
    made = []
    for i in range(n):
        village = make_org(f"{prefix}{i}村党支部", parent=town, sector="rural")
        group = make_org(f"{prefix}{i}村党小组", kind="group", parent=village)
        b.attributes(village, key_village=bool(i % 2), service_centre_area_m2=150 + i,
                     service_centre_functions=["党员活动"],
                     village_committee_term_started_on="2021-03-01")
        secretary, plain = add_member(village), add_member(village)
        add_member(group)
        away = add_member(group, status="mobile", mobile_since=date(2023, 1, 1))
        b.post(village, secretary)
        b.duty(village, plain, date(2023, 1, 1))
        b.contact(village, away, date(2024, 3, 1), initiated_by="member")
        b.income(village, 2024, f"{i % 7}.5")
        b.income(village, 2025, f"{i % 7}.5")
        b.station(village, f"书记{i}", date(2023, 1, 1), date(2026, 3, 31) if i % 3 else None)
        b.station(village, f"队员{i}", date(2023, 1, 1), role="team_member")
        b.admit(village, date(2020 + i % 5, 5, 1))
        made.append(village.id)
    db.session.flush()
    return made


@pytest.fixture
def town(sector_tenant, tenant, in_tenant, make_org):
    sector_tenant("rural")
    with in_tenant(tenant):
        org = make_org("桃源镇党委", kind="committee", sector="rural")
        db.session.commit()
        return org.id


def test_indicators_do_not_grow_with_villages(town, tenant, in_tenant, make_org, add_member,
                                              indicator_statements, rule_statements):
    with in_tenant(tenant):
        town_org = db.session.get(Organization, (tenant.id, town))
        few = _villages(3, town_org, make_org, add_member, "F")
        many = _villages(30, town_org, make_org, add_member, "M")
        db.session.commit()
        for key in INDICATORS:
            counts, sizes = [], []
            for ids in (few, many):
                statements, measured = indicator_statements(key, ids, START, END)
                counts.append(statements)
                sizes.append(len(measured))
            assert counts[0] == counts[1], (key, counts)
            assert sizes == [3, 30], (key, sizes)


def test_warning_rules_do_not_grow_with_villages(town, tenant, in_tenant, make_org, add_member,
                                                 indicator_statements, rule_statements):
    today = date(2026, 6, 15)
    with in_tenant(tenant):
        town_org = db.session.get(Organization, (tenant.id, town))
        _villages(3, town_org, make_org, add_member, "F")
        db.session.commit()

        def counts() -> dict:
            found = {}
            for key in RULES:
                statements, findings = rule_statements(key, today)
                found[key] = (statements, len(findings))
            return found

        few = counts()
        _villages(27, town_org, make_org, add_member, "M")
        db.session.commit()
        many = counts()
        for key in RULES:
            assert few[key][0] == many[key][0], (key, few[key], many[key])
        # and they found something on this data (the counts are of real work)
        assert all(many[key][1] > few[key][1] for key in RULES), many
