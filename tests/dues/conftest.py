"""A small tree for the dues tests: 党委 C with 支部 X and Y, members added directly."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from core.db import db
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization

_serial = itertools.count(1)


def new_member(org_id, *, name=None, joined_on=date(2010, 1, 1), status="full", **flags) -> Member:
    """Add (and flush) a member of ``org_id``; flags: is_retired, is_farmer, ..."""
    n = next(_serial)
    member = Member(
        org_id=org_id, name=name or f"党员{n}", gender="male", ethnicity="汉族",
        birth_date=date(1980, 1, 1), id_number=f"DUES-ID-{n}", id_number_index=f"dues-index-{n}",
        joined_on=joined_on, full_on=date(joined_on.year + 1, 1, 1), status=status, **flags,
    )
    db.session.add(member)
    db.session.flush()
    return member


@pytest.fixture
def tree(tenant, in_tenant):
    """党委 C → 支部 X, 支部 Y. Returns codes → ids."""
    with in_tenant(tenant):
        c = orgs.create(name="一党委", code="C", kind="committee")
        orgs.create(name="X支部", code="X", kind="branch", parent=c)
        orgs.create(name="Y支部", code="Y", kind="branch", parent=c)
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
