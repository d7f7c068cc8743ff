"""The organisational-life warning rules: each raised on data that breaks it, cleared once a
meeting is recorded, checked by calling the rule's check as the engine does."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from core.life.warnings import months_before, rules
from core.orgs import posts
from core.warnings.rules import RuleContext
from tests.life.helpers import days_ago, make_org, meeting
from tests.orgs.conftest import add_members, new_member

RULES = {rule.key: rule for rule in rules()}


def run(rule_key: str, tenant, today: date | None = None, **params):
    rule = RULES[rule_key]
    loaded = rule.params().load(params) if rule.params else {}
    ctx = RuleContext(tenant.id if hasattr(tenant, "id") else tenant, today or date.today(), loaded)
    return {(f.org_id, f.subject_id): f.figures for f in rule.check(ctx)}


@pytest.fixture
def city(tenant, in_tenant):
    with in_tenant(tenant):
        yield make_org("R", kind="committee")


def test_months_before():
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2025, 1, 15), 3) == date(2024, 10, 15)
    assert months_before(date(2025, 7, 1), 12) == date(2024, 7, 1)


def test_rules_are_well_formed():
    for rule in rules():
        assert rule.key.startswith("life.") and rule.name and rule.message
        figures = {"period_months": 1, "period_days": 30, "last": "无记录", "name": "张三", "days": None}
        assert rule.message.format(**figures)
        if rule.params is not None:
            assert rule.params().load({})  # every parameter has its default


# (rule, meeting kind, who holds it, period in months)
KIND_CASES = [
    ("life.general_meeting_overdue", "general_meeting", "branch", 3),
    ("life.party_lecture_overdue", "party_lecture", "branch", 3),
    ("life.theme_day_overdue", "theme_day", "branch", 1),
    ("life.life_meeting_overdue", "life_meeting", "branch", 12),
    ("life.member_review_overdue", "member_review", "branch", 12),
    ("life.group_meeting_overdue", "group_meeting", "group", 1),
]


@pytest.mark.parametrize(("key", "kind", "holder", "months"), KIND_CASES)
def test_kind_overdue_raised_and_cleared(tenant, city, key, kind, holder, months):
    branch = make_org("B1", parent=city)
    org = make_org("G1", kind="group", parent=branch) if holder == "group" else branch
    joint = make_org("J1", kind="joint_branch", parent=city) if holder == "branch" else None
    fresh = make_org("NEW", parent=city, founded_on=days_ago(3)) if holder == "branch" else None
    members = add_members(org, 3)
    db.session.flush()
    # a meeting just too old: one day before the period starts
    too_old = months_before(date.today(), months).toordinal() - 1
    meeting(org, kind, date.fromordinal(too_old), present=members)
    db.session.commit()
    found = run(key, tenant)
    assert (org.id, None) in found
    assert found[(org.id, None)]["last_held_on"] == date.fromordinal(too_old).isoformat()
    assert found[(org.id, None)]["period_months"] == months
    assert city.id not in {o for o, _ in found}  # a committee is not checked
    if holder == "branch":
        assert (joint.id, None) in found and found[(joint.id, None)]["last"] == "无记录"
        assert (fresh.id, None) not in found  # founded within the period
    # a tenant that allows a longer period sees nothing yet
    assert (org.id, None) not in run(key, tenant, period_months=months + 1)

    meeting(org, kind, months_before(date.today(), months), present=members)  # on the boundary
    db.session.commit()
    assert (org.id, None) not in run(key, tenant)


def test_committee_meeting_overdue_only_where_there_is_a_committee(tenant, city):
    with_committee = make_org("B1", parent=city)
    without = make_org("B2", parent=city)
    members = add_members(with_committee, 5)
    add_members(without, 2)
    db.session.flush()
    for post, member in zip(("secretary", "deputy_secretary", "committee_member"), members, strict=False):
        posts.start(with_committee, post=post, member_id=member.id, started_on=date(2020, 1, 1))
    posts.start(without, post="secretary", person_name="王书记", started_on=date(2020, 1, 1))
    db.session.commit()
    found = run("life.committee_meeting_overdue", tenant)
    assert set(found) == {(with_committee.id, None)}
    assert (without.id, None) in run("life.committee_meeting_overdue", tenant, committee_min_size=1)

    meeting(with_committee, "committee_meeting", days_ago(5), present=members[:3])
    db.session.commit()
    assert run("life.committee_meeting_overdue", tenant) == {}


def test_no_activity_counts_the_groups_meetings(tenant, city):
    branch = make_org("B1", parent=city)
    group = make_org("G1", kind="group", parent=branch)
    quiet = make_org("B2", parent=city)
    members = add_members(group, 2)
    db.session.flush()
    meeting(branch, "theme_day", days_ago(31), present=members)
    db.session.commit()
    found = run("life.no_activity", tenant)
    assert set(found) == {(branch.id, None), (quiet.id, None)}
    assert found[(branch.id, None)]["days"] == 31 and found[(quiet.id, None)]["last"] == "无记录"

    meeting(group, "group_meeting", days_ago(30), present=members)  # the group met: the branch is active
    db.session.commit()
    assert set(run("life.no_activity", tenant)) == {(quiet.id, None)}
    assert set(run("life.no_activity", tenant, days=31)) == {(quiet.id, None)}


def test_members_without_a_talk(tenant, city):
    branch = make_org("B1", parent=city)
    talked, old_talk, never = add_members(branch, 3)
    newcomer = new_member(branch, joined_on=days_ago(30), status="probationary")
    gone = new_member(branch, status="deceased")
    db.session.flush()
    meeting(branch, "talk", days_ago(10), present=[talked])
    meeting(branch, "talk", date.fromordinal(months_before(date.today(), 12).toordinal() - 1),
            present=[old_talk])
    meeting(branch, "general_meeting", days_ago(5), present=[never])  # not a talk
    db.session.commit()
    found = run("life.talk_missing", tenant)
    assert set(found) == {(branch.id, old_talk.id), (branch.id, never.id)}
    assert found[(branch.id, never.id)]["name"] == never.name
    assert newcomer.id not in {s for _, s in found} and gone.id not in {s for _, s in found}

    meeting(branch, "talk", days_ago(1), present=[old_talk, never])
    db.session.commit()
    assert run("life.talk_missing", tenant) == {}


def test_rules_see_only_their_tenant(tenant, tenant_b, in_tenant, city):
    make_org("B1", parent=city)
    db.session.commit()
    assert run("life.no_activity", tenant)
    with in_tenant(tenant_b):
        assert run("life.no_activity", tenant_b) == {}
