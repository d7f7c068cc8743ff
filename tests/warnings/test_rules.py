"""Each national rule of the orgs and members slices: raised by a sweep on data that breaks
it, resolved by the next sweep once the data is fixed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.members.models import Member
from core.members.warnings import add_months
from core.orgs import posts
from core.orgs import service as orgs
from core.warnings import engine
from core.warnings.models import OPEN, Warning
from tests.orgs.conftest import add_members, new_member

TODAY = date(2025, 7, 1)


@pytest.fixture
def root(tenant, in_tenant):
    with in_tenant(tenant):
        yield orgs.create(name="市委", code="R", kind="committee")


def _open(rule: str) -> dict:
    engine.sweep(TODAY, [rule])
    db.session.commit()
    rows = db.session.scalars(select(Warning).where(Warning.rule_key == rule, Warning.state == OPEN))
    return {(w.org_id, w.subject_id): w for w in rows}


def _branch(root, code, **kw):
    return orgs.create(name=f"{code}支部", code=code, kind="branch", parent=root, **kw)


def test_branch_too_small(root):
    small, fine = _branch(root, "S"), _branch(root, "F")
    add_members(small, 2)
    add_members(fine, 3)
    db.session.commit()
    [w] = _open("orgs.branch_too_small").values()
    assert w.org_id == small.id and w.figures["full_members"] == 2 and "仅 2 人" in w.message
    new_member(small)
    db.session.commit()
    assert _open("orgs.branch_too_small") == {}


def test_committee_missing_and_size(root):
    big = _branch(root, "B")
    members = add_members(big, 8)
    db.session.commit()
    assert set(_open("orgs.committee_missing")) == {(big.id, None)}
    for member, post in zip(members, ("secretary", "organisation_member", "propaganda_member",
                                      "discipline_member", "deputy_secretary", "committee_member"),
                            strict=False):
        posts.start(big, post=post, started_on=date(2024, 1, 1), member_id=member.id)
    db.session.commit()
    assert _open("orgs.committee_missing") == {}
    [w] = _open("orgs.committee_size").values()
    assert w.figures["committee_size"] == 6
    row = next(r for r, _ in posts.posts_of(big) if r.post == "committee_member")
    posts.end(row, date(2025, 1, 1))
    db.session.commit()
    assert _open("orgs.committee_size") == {}


def test_general_branch_and_committee_suggested(root):
    big = _branch(root, "B")
    add_members(big, 51)
    db.session.commit()
    assert set(_open("orgs.suggest_general_branch")) == {(big.id, None)}
    assert _open("orgs.suggest_committee") == {}
    add_members(big, 50)
    db.session.commit()
    assert _open("orgs.suggest_general_branch") == {}
    [w] = _open("orgs.suggest_committee").values()
    assert w.figures["members"] == 101
    for m in db.session.scalars(select(Member).where(Member.org_id == big.id).limit(60)):
        m.status = "transferred_out"
    db.session.commit()
    assert _open("orgs.suggest_committee") == {}


def test_term_ending_and_overdue(root):
    ending = _branch(root, "E", term_started_on=date(2022, 8, 1))  # 3 years → 2025-08-01
    overdue = _branch(root, "O", term_started_on=date(2022, 6, 1))  # ended 2025-06-01
    five = orgs.create(name="五年党委", code="C", kind="committee", parent=root,
                       term_started_on=date(2021, 6, 1))  # committee: 5 years, ends 2026
    own = _branch(root, "N", term_started_on=date(2021, 7, 15), term_years=4)  # ends 2025-07-15
    db.session.commit()
    ending_found = _open("orgs.term_ending")
    assert set(ending_found) == {(ending.id, None), (own.id, None)}
    assert ending_found[(ending.id, None)].figures["days_left"] == 31
    overdue_found = _open("orgs.term_overdue")
    assert set(overdue_found) == {(overdue.id, None)}
    assert overdue_found[(overdue.id, None)].figures["days_overdue"] == 30
    assert five.id not in {k[0] for k in ending_found}
    ending.term_started_on = date(2025, 6, 20)  # elected
    overdue.term_started_on = date(2025, 6, 30)
    own.term_years = 5
    db.session.commit()
    assert _open("orgs.term_ending") == {} and _open("orgs.term_overdue") == {}


def test_probation_overdue(root):
    branch = _branch(root, "P")
    late = new_member(branch, status="probationary", joined_on=date(2024, 6, 1))
    new_member(branch, status="probationary", joined_on=date(2024, 7, 1))  # exactly a year: not over
    db.session.commit()
    found = _open("members.probation_overdue")
    assert set(found) == {(branch.id, late.id)}
    w = found[(branch.id, late.id)]
    assert w.subject_type == "member" and w.figures["due_on"] == "2025-06-01"
    late.status, late.full_on = "full", date(2025, 6, 20)
    db.session.commit()
    assert _open("members.probation_overdue") == {}


def test_probation_of_a_developed_member_is_left_to_development(root):
    """One warning per person: development's rule (which knows extensions) follows them."""
    from core.development.models import DevelopmentPerson

    branch = _branch(root, "Q")
    developed = new_member(branch, status="probationary", joined_on=date(2024, 6, 1))
    db.session.commit()
    assert set(_open("members.probation_overdue")) == {(branch.id, developed.id)}
    db.session.add(DevelopmentPerson(
        org_id=branch.id, name=developed.name, gender=developed.gender,
        birth_date=developed.birth_date, ethnicity="汉族", id_number="x", id_number_index="dev-q",
        stage="probationary", member_id=developed.id, extension_months=6,
        extension_on=date(2025, 5, 1),
    ))
    db.session.commit()
    assert _open("members.probation_overdue") == {}


@pytest.mark.parametrize("status,column,rule", [
    ("mobile", "mobile_since", "members.mobile_unresolved"),
    ("lost_contact", "lost_contact_since", "members.lost_contact_unresolved"),
])
def test_mobile_and_lost_contact_over_six_months(root, status, column, rule):
    branch = _branch(root, "M")
    long_ago = new_member(branch, status=status, full_on=date(2010, 1, 1))
    setattr(long_ago, column, date(2024, 12, 31))
    recent = new_member(branch, status=status, full_on=date(2010, 1, 1))
    setattr(recent, column, date(2025, 1, 1))  # exactly six months: not over
    db.session.commit()
    found = _open(rule)
    assert set(found) == {(branch.id, long_ago.id)}
    assert found[(branch.id, long_ago.id)].figures["days"] == 182
    long_ago.status = "full"
    db.session.commit()
    assert _open(rule) == {}


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2025, 8, 31), -6) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 15), -1) == date(2024, 12, 15)
    assert add_months(TODAY, 0) == TODAY + timedelta(days=0)
