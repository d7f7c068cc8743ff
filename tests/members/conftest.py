"""Fixtures for member tests: a small tree and a way to add members to it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.members import service
from core.members.validation import MemberInputSchema
from core.orgs import service as orgs
from core.orgs.models import Organization
from tests.members.helpers import member_data


@pytest.fixture
def tree(tenant, in_tenant):
    """市委 R → 党委 C1 (支部 X, 支部 Y), 党委 C2 (支部 Z). Returns codes → ids."""
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        c1 = orgs.create(name="一党委", code="C1", kind="committee", parent=root)
        c2 = orgs.create(name="二党委", code="C2", kind="committee", parent=root)
        orgs.create(name="X支部", code="X", kind="branch", parent=c1)
        orgs.create(name="Y支部", code="Y", kind="branch", parent=c1)
        orgs.create(name="Z支部", code="Z", kind="branch", parent=c2)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


@pytest.fixture
def add_member(in_tenant):
    """``add_member(tenant, org_id, **fields)`` stores a member through the service (as the
    API would, after MemberInputSchema) and returns its id."""

    def add(tenant, org_id, **overrides):
        with in_tenant(tenant):
            member = service.create_member(MemberInputSchema().load(member_data(org_id, **overrides)))
            db.session.commit()
            return member.id

    return add
