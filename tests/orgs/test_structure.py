"""Structure checks: each rule raised on data that breaks it, silent once it is fixed, and
one query per check."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from core.orgs import posts, structure, tree
from core.orgs import service as orgs
from tests.orgs.conftest import add_members, new_member

TODAY = date(2025, 7, 1)


@pytest.fixture
def city(tenant, in_tenant):
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        yield root


def _branch(parent, code, kind="branch"):
    return orgs.create(name=code, code=code, kind=kind, parent=parent)


def _flagged(rule, root=None):
    return {f.org_id: f.figures for f in structure.CHECKS[rule](root, TODAY)}


def test_branch_with_fewer_than_three_full_members(city):
    small = _branch(city, "SMALL")
    add_members(small, 2)
    new_member(small, status="probationary")
    new_member(small, status="mobile", full_on=None)  # never converted: not full
    joint = _branch(city, "JOINT", kind="joint_branch")
    add_members(joint, 2)
    mobile = _branch(city, "MOBILE")
    add_members(mobile, 2)
    new_member(mobile, status="lost_contact", full_on=date(2010, 1, 1))  # full, out of touch
    empty = _branch(city, "EMPTY")
    fine = _branch(city, "FINE")
    add_members(fine, 3)
    committee = _branch(city, "COMMITTEE", kind="committee")  # the rule is for branches
    db.session.commit()
    flagged = _flagged(structure.BRANCH_TOO_SMALL)
    assert set(flagged) == {small.id, joint.id, empty.id}
    assert flagged[small.id] == {"members": 4, "full_members": 2}
    assert flagged[empty.id] == {"members": 0, "full_members": 0}
    assert mobile.id not in flagged and fine.id not in flagged and committee.id not in flagged

    new_member(small)  # fixed: a third full member
    add_members(joint, 1)
    tree.dissolve(empty, TODAY)  # a dissolved branch is no longer checked
    db.session.commit()
    assert _flagged(structure.BRANCH_TOO_SMALL) == {}


def test_seven_full_members_need_a_committee(city):
    big = _branch(city, "BIG")
    add_members(big, 7)
    posts.start(big, post="secretary", person_name="甲", started_on=date(2020, 1, 1))
    posts.start(big, post="organisation_member", person_name="甲", started_on=date(2020, 1, 1))
    posts.start(big, post="propaganda_member", person_name="甲", started_on=date(2020, 1, 1))
    six = _branch(city, "SIX")
    add_members(six, 6)  # below 7: a secretary alone is right
    posts.start(six, post="secretary", person_name="乙", started_on=date(2020, 1, 1))
    db.session.commit()
    flagged = _flagged(structure.COMMITTEE_MISSING)
    # one person with three posts is not a committee
    assert flagged == {big.id: {"members": 7, "full_members": 7, "committee_size": 1}}

    members = add_members(big, 1, status="probationary")
    db.session.flush()
    posts.start(big, post="deputy_secretary", member_id=members[0].id, started_on=TODAY)
    posts.start(big, post="committee_member", person_name="丙", started_on=TODAY)
    db.session.commit()
    assert _flagged(structure.COMMITTEE_MISSING) == {}


def test_a_committee_has_three_to_five_people(city):
    branch = _branch(city, "B")
    add_members(branch, 9)
    rows = [
        posts.start(branch, post="committee_member", person_name=name, started_on=date(2021, 1, 1))
        for name in "甲乙丙丁戊己"
    ]
    db.session.commit()
    assert _flagged(structure.COMMITTEE_SIZE) == {
        branch.id: {"members": 9, "full_members": 9, "committee_size": 6}
    }
    assert _flagged(structure.COMMITTEE_MISSING) == {}
    posts.end(rows[0], date(2024, 1, 1))
    db.session.commit()
    assert _flagged(structure.COMMITTEE_SIZE) == {}
    # a post that ends after the day checked still counts on that day
    assert [f.org_id for f in structure.committee_sizes(as_of=date(2023, 12, 31))] == [branch.id]


def test_large_branches_suggest_a_general_branch_or_a_committee(city):
    fifty_one = _branch(city, "B51")
    group = orgs.create(name="小组", code="G51", kind="group", parent=fifty_one)
    add_members(fifty_one, 40)
    add_members(group, 10, status="probationary")
    new_member(group, status="mobile")
    new_member(group, status="left")  # gone: not counted
    hundred_one = _branch(city, "B101")
    add_members(hundred_one, 101)
    general = _branch(city, "GB", kind="general_branch")
    for code in ("GB-1", "GB-2"):
        add_members(_branch(general, code), 45)
    add_members(general, 11)
    fifty = _branch(city, "B50")
    add_members(fifty, 50)
    db.session.commit()

    assert _flagged(structure.SUGGEST_GENERAL_BRANCH) == {
        fifty_one.id: {"members": 51, "full_members": 40}
    }
    assert set(_flagged(structure.SUGGEST_COMMITTEE)) == {hundred_one.id, general.id}
    assert _flagged(structure.SUGGEST_COMMITTEE)[general.id]["members"] == 101

    tree.merge(group, fifty, TODAY)  # fixed: members go elsewhere … (B50 gets 11 → 61)
    db.session.commit()
    assert set(_flagged(structure.SUGGEST_GENERAL_BRANCH)) == {fifty.id}
    orgs.update(fifty, {"kind": "general_branch"})  # … and the big one becomes a 总支
    db.session.commit()
    assert _flagged(structure.SUGGEST_GENERAL_BRANCH) == {}


def test_checks_limited_to_a_subtree_and_one_query_for_all(city, count_statements):
    inside = _branch(city, "C", kind="committee")
    small_inside = _branch(inside, "IN")
    small_outside = _branch(city, "OUT")
    db.session.commit()
    assert set(_flagged(structure.BRANCH_TOO_SMALL)) == {small_inside.id, small_outside.id}
    assert set(_flagged(structure.BRANCH_TOO_SMALL, inside)) == {small_inside.id}
    with count_statements() as seen:
        findings = structure.check_all(inside, TODAY)
    assert len(seen) == 1  # the five checks share one read of the figures
    assert [(f.org_id, f.rule) for f in findings] == [(small_inside.id, "branch_too_small")]


def test_a_sweep_reads_the_structure_figures_once_for_the_five_rules(city, monkeypatch):
    from core.warnings import engine

    _branch(city, "S")
    db.session.commit()
    reads = []
    real = structure.figures
    monkeypatch.setattr(structure, "figures", lambda *args: reads.append(args) or real(*args))
    report = engine.sweep(TODAY, rule_keys=[f"orgs.{rule}" for rule in structure.RULES])
    assert [r.status for r in report.rules] == ["ok"] * len(structure.RULES)
    assert len(reads) == 1
    assert report.rule("orgs.branch_too_small").opened == 1
