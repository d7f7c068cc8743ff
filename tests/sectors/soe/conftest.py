"""Fixtures for the soe plugin's tests (on both databases, as every test here).

``enterprises``: in ``tenant`` with the soe plugin enabled — 市委 R → 市国资委党委 G (soe
committee, the regulator: no enterprise attributes) → 城投集团党委 C and 交投集团党委 J (soe
committees, enterprises) → 城投第一党支部 A (with a 党小组 AG) and 城投第二党支部 B under C;
plus a non-soe branch O under R. Returns code → id (committed).

``login(role, code=None)`` — headers of a new user of ``tenant`` holding ``role`` on the
organisation ``code`` (``None``: tenant-wide).

``org(code)`` — the organisation (inside ``in_tenant``).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization


@pytest.fixture
def enterprises(sector_tenant, tenant, in_tenant):
    sector_tenant("soe")
    with in_tenant(tenant):
        founded = date(2000, 1, 1)
        root = orgs.create(name="示范市委", code="R", kind="committee", founded_on=founded)
        regulator = orgs.create(name="市国资委党委", code="G", kind="committee", parent=root,
                                sector="soe", founded_on=founded)
        group = orgs.create(name="市城投集团党委", code="C", kind="committee", parent=regulator,
                            sector="soe", founded_on=founded)
        orgs.create(name="市交投集团党委", code="J", kind="committee", parent=regulator,
                    sector="soe", founded_on=founded)
        a = orgs.create(name="市城投集团第一党支部", code="A", kind="branch", parent=group,
                        sector="soe", founded_on=founded)
        orgs.create(name="第一党小组", code="AG", kind="group", parent=a, founded_on=founded)
        orgs.create(name="市城投集团第二党支部", code="B", kind="branch", parent=group, sector="soe",
                    founded_on=founded)
        orgs.create(name="市财政局机关党支部", code="O", kind="branch", parent=root, founded_on=founded)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


@pytest.fixture
def login(auth_headers, tenant, enterprises):
    def headers(role="tenant_admin", code=None) -> dict:
        return auth_headers(tenant, role=role, org=enterprises[code] if code is not None else None)

    return headers


@pytest.fixture
def org(enterprises):
    def get(code: str) -> Organization:
        return db.session.scalar(select(Organization).where(Organization.id == enterprises[code]))

    return get
