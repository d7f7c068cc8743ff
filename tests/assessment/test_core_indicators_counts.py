"""Every core indicator measures 3 or 30 organisations with the same number of statements:
set-based, never a query per organisation (issue 5's "done when")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core.assessment.templates import WEIGHTS
from core.db import db
from core.development.models import DevelopmentPerson, DevelopmentStep
from core.dues.models import DuesPayment
from core.life.models import Meeting
from core.orgs import service as orgs
from core.orgs.models import OrgPost
from core.warnings.models import Warning
from tests.assessment.conftest import add_member, make_branches, prepare

CORE_INDICATORS = [key for key, _ in WEIGHTS]
MEETING_KINDS = ("general_meeting", "committee_meeting", "party_lecture", "theme_day",
                 "life_meeting", "member_review")


def _populate(branches) -> None:
    """A little of everything for each branch, written directly (fast)."""
    for n, branch in enumerate(branches):
        group = orgs.create(name=f"{branch.code}小组", code=f"{branch.code}-G", kind="group",
                            parent=branch, founded_on=date(2000, 1, 1))
        branch.term_started_on = date(2023, 1, 1)
        db.session.flush()
        members = [add_member(branch), add_member(branch), add_member(group)]
        db.session.add(OrgPost(org_id=branch.id, post="secretary", member_id=members[0].id,
                               started_on=date(2023, 1, 1)))
        for kind in MEETING_KINDS:
            db.session.add(Meeting(kind=kind, org_id=branch.id, held_on=date(2024, 3, 1),
                                   topic="会议", eligible_count=3, present_count=n % 4))
        db.session.add(Meeting(kind="group_meeting", org_id=group.id, held_on=date(2024, 3, 2),
                               topic="小组会"))
        db.session.add(DuesPayment(member_id=members[0].id, org_id=branch.id, month=date(2024, 1, 1),
                                   amount=Decimal("1.00"), channel="cash", paid_on=date(2024, 1, 1)))
        person = DevelopmentPerson(org_id=branch.id, name="对象", gender="male",
                                   birth_date=date(1995, 1, 1), ethnicity="汉族",
                                   id_number=f"CNT-{branch.code}", id_number_index=f"cnt-{branch.code}")
        db.session.add(person)
        db.session.flush()
        db.session.add(DevelopmentStep(person_id=person.id, code=17, done_on=date(2024, 2, 1),
                                       override=bool(n % 2)))
        opened = datetime(2024, 5, 1, tzinfo=UTC)
        db.session.add(Warning(rule_key="test.rule", org_id=branch.id, subject_key="",
                               severity="serious", message="测试", figures={}, state="open",
                               opened_at=opened, last_seen_at=opened))
    db.session.flush()


@pytest.fixture
def two_sizes(tenant, in_tenant):
    with in_tenant(tenant):
        few = make_branches(3, prefix="F")
        many = make_branches(30, prefix="M")
        _populate(few + many)
        db.session.commit()
        yield [b.id for b in few], [b.id for b in many]


@pytest.mark.parametrize("key", CORE_INDICATORS)
def test_statements_do_not_grow_with_organisations(key, two_sizes, tenant, in_tenant, count_statements):
    few, many = two_sizes
    with in_tenant(tenant):
        counts, sizes = [], []
        for ids in (few, many):
            indicator, ctx = prepare(key, ids)
            indicator.measure(ctx)  # warm-up: settings read once per process are not the point
            with count_statements() as seen:
                found = indicator.measure(ctx)
            counts.append(len(seen))
            sizes.append(len(found))
            assert all(m.value is not None or m.evidence for m in found.values())
        assert sizes == [3, 30]
        assert counts[0] == counts[1], f"{key}: {counts[0]} statements for 3, {counts[1]} for 30"
        assert counts[0] <= 4, f"{key}: {counts[0]} statements"
