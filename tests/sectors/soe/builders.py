"""Quick soe records for the tests (written as rows and flushed; the API tests go through the
service). Call inside ``in_tenant``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.db import db
from core.sdk import set_org_attributes
from plugins.soe.models import (
    CrossAppointment,
    Decision,
    Innovation,
    InnovationMember,
    PerformanceLink,
    VanguardPost,
)

ENTERPRISE = {"enterprise_name": "城投集团", "enterprise_level": "group", "employees": 2600,
              "has_board": True, "charter_includes_party_building": True,
              "charter_prior_review_clause": True, "charter_amended_on": "2018-06-28"}


def attributes(org, **values):
    set_org_attributes(org, values)
    db.session.flush()


def decision(org, title: str, reviewed: date | None, decided: date | None,
             outcome: str | None = "agreed", category: str = "major_decision"):
    row = Decision(org_id=org.id, title=title, category=category, party_reviewed_on=reviewed,
                   party_outcome=outcome if reviewed else None, decided_on=decided, decided_by="board")
    db.session.add(row)
    db.session.flush()
    return row


def appoint(org, person: str, party_post: str | None, business_post: str | None,
            started_on: date = date(2020, 1, 1), ended_on: date | None = None):
    row = CrossAppointment(org_id=org.id, person_name=person, party_post=party_post,
                           business_post=business_post, started_on=started_on, ended_on=ended_on)
    db.session.add(row)
    db.session.flush()
    return row


def full_leadership(org, started_on: date = date(2020, 1, 1)):
    """A leadership meeting every cross-appointment item."""
    for person, party_post, business_post in (
        ("张书记", "secretary", "chairman"), ("王总", "deputy_secretary", "general_manager"),
        ("李专副", "full_time_deputy_secretary", "director"),
    ):
        appoint(org, person, party_post, business_post, started_on)


def link(org, year: int, weight: str, salary: bool = True, score: str | None = None):
    row = PerformanceLink(org_id=org.id, year=year, link_weight_pct=Decimal(weight),
                          salary_linked=salary,
                          party_building_score=Decimal(score) if score else None)
    db.session.add(row)
    db.session.flush()
    return row


def vanguard(org, member, started_on: date = date(2020, 1, 1), ended_on: date | None = None,
             kind: str = "vanguard_post"):
    row = VanguardPost(org_id=org.id, member_id=member.id, kind=kind, name="党员先锋岗",
                       started_on=started_on, ended_on=ended_on)
    db.session.add(row)
    db.session.flush()
    return row


def innovation(org, members, achieved_on: date, title: str = "管网修复技术攻关"):
    row = Innovation(org_id=org.id, title=title, kind="tackling", achieved_on=achieved_on)
    db.session.add(row)
    db.session.flush()
    db.session.add_all(InnovationMember(innovation_id=row.id, member_id=m.id) for m in members)
    db.session.flush()
    return row
