"""Every soe indicator and warning rule runs a fixed number of statements whatever the number
of organisations: set-based, never a query per organisation or member."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from core.orgs.models import Organization
from plugins.soe.indicators import indicators
from plugins.soe.warnings import rules
from tests.sectors.soe import builders as b

INDICATORS = [i.key for i in indicators()]
RULES = [r.key for r in rules()]
START, END = date(2024, 1, 1), date(2024, 12, 31)
TODAY = date(2025, 3, 1)


def _enterprises(n, parent, make_org, add_member, prefix):
    """``n`` enterprises, each a committee with a little of everything and a branch under it
    (a group, members, vanguard posts, an innovation); returns every organisation's id."""
    made = []
    for i in range(n):
        committee = make_org(f"{prefix}{i}集团党委", kind="committee", parent=parent, sector="soe")
        b.attributes(committee, enterprise_level="second", has_board=True, employees=800 + 100 * i,
                     charter_includes_party_building=bool(i % 2))
        b.appoint(committee, f"书记{i}", "secretary", "chairman" if i % 3 else None)
        b.appoint(committee, f"委员{i}", "committee_member", "director" if i % 2 else None)
        b.decision(committee, f"事项{i}", date(2024, 3, 1), date(2024, 3, 5))
        b.decision(committee, f"未研究{i}", None, date(2024, 12, 20 - i % 10))
        b.link(committee, 2024, str(5 + i % 10), salary=bool(i % 2))
        branch = make_org(f"{prefix}{i}党支部", parent=committee, sector="soe")
        group = make_org(f"{prefix}{i}党小组", kind="group", parent=branch)
        first, second = add_member(branch), add_member(group)
        b.vanguard(branch, first)
        b.innovation(branch, [first, second], date(2024, 6, 1))
        made += [committee.id, branch.id]
    db.session.flush()
    return made


@pytest.fixture
def regulator(sector_tenant, tenant, in_tenant, make_org):
    sector_tenant("soe")
    with in_tenant(tenant):
        org = make_org("市国资委党委", kind="committee", sector="soe")
        db.session.commit()
        return org.id


def test_indicators_do_not_grow_with_organisations(regulator, tenant, in_tenant, make_org, add_member,
                                                   indicator_statements, rule_statements):
    with in_tenant(tenant):
        parent = db.session.get(Organization, (tenant.id, regulator))
        few = _enterprises(3, parent, make_org, add_member, "F")
        many = _enterprises(30, parent, make_org, add_member, "M")
        db.session.commit()
        for key in INDICATORS:
            counts, sizes = [], []
            for ids in (few, many):
                statements, measured = indicator_statements(key, ids, START, END)
                counts.append(statements)
                sizes.append(len(measured))
            assert counts[0] == counts[1], (key, counts)
            assert sizes == [6, 60], (key, sizes)


def test_warning_rules_do_not_grow_with_organisations(regulator, tenant, in_tenant, make_org,
                                                      add_member, indicator_statements, rule_statements):
    with in_tenant(tenant):
        parent = db.session.get(Organization, (tenant.id, regulator))
        _enterprises(3, parent, make_org, add_member, "F")
        db.session.commit()

        def counts() -> dict:
            found = {}
            for key in RULES:
                statements, findings = rule_statements(key, TODAY)
                found[key] = (statements, len(findings))
            return found

        few = counts()
        _enterprises(27, parent, make_org, add_member, "M")
        db.session.commit()
        many = counts()
        for key in RULES:
            assert few[key][0] == many[key][0], (key, few[key], many[key])
        # and they found something on this data (the counts are of real work)
        assert all(many[key][1] > few[key][1] for key in RULES), many
