"""A small tree for the points tests and helpers to add members, entries and users.

党委 C → 支部 X (with 党小组 G) and 支部 Y. Members are added directly (the register's own
rules are not under test here); entries through the ledger, as the API records them.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from core.auth.context import Actor, acting_as
from core.db import db
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.points import ledger, registry

_serial = itertools.count(1)


def new_member(org_id, *, name=None, status="full", birth_date=date(1980, 1, 1),
               joined_on=date(2010, 1, 1), **flags) -> Member:
    n = next(_serial)
    member = Member(
        org_id=org_id, name=name or f"党员{n}", gender="male", ethnicity="汉族",
        birth_date=birth_date, id_number=f"PTS-ID-{n}", id_number_index=f"pts-index-{n}",
        joined_on=joined_on, full_on=date(joined_on.year + 1, 1, 1), status=status, **flags,
    )
    db.session.add(member)
    db.session.flush()
    return member


def award(member_id, rule_key: str, on: date, *, approve: bool = True, evidence="证明材料"):
    """Record (and approve, as a second person) an entry through the ledger."""
    member = db.session.scalar(select(Member).where(Member.id == member_id))
    with acting_as(Actor(label="user:recorder")):
        entry = ledger.record(member, registry.get_rule(rule_key), on, evidence, rule_key=rule_key)
    if approve:
        with acting_as(Actor(label="user:approver")):
            ledger.approve(entry)
    return entry


@pytest.fixture
def tree(tenant, in_tenant):
    """Codes → ids of 党委 C, 支部 X (with group G) and 支部 Y."""
    with in_tenant(tenant):
        c = orgs.create(name="一党委", code="C", kind="committee", founded_on=date(2000, 1, 1))
        x = orgs.create(name="X支部", code="X", kind="branch", parent=c, founded_on=date(2000, 1, 1))
        orgs.create(name="G党小组", code="G", kind="group", parent=x, founded_on=date(2000, 1, 1))
        orgs.create(name="Y支部", code="Y", kind="branch", parent=c, founded_on=date(2000, 1, 1))
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


@pytest.fixture
def add_member(in_tenant):
    """``add_member(tenant, org_id, **fields)`` commits a member and returns its id."""

    def add(tenant, org_id, **fields):
        with in_tenant(tenant):
            member = new_member(org_id, **fields)
            db.session.commit()
            return member.id

    return add


