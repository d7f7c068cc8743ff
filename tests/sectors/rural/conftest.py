"""Fixtures for the rural plugin's tests (on both databases, as every test here).

``villages``: in ``tenant`` with the rural plugin enabled — 县委 R → 桃源镇党委 T (rural
committee) → 村 A, B (rural branches; A has a 党小组 AG), and 李家镇党委 L → 村 Z; plus a
non-rural branch O under R. Returns code → id (committed).

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
def villages(sector_tenant, tenant, in_tenant):
    sector_tenant("rural")
    with in_tenant(tenant):
        founded = date(2000, 1, 1)
        root = orgs.create(name="青山县委", code="R", kind="committee", founded_on=founded)
        town = orgs.create(name="桃源镇党委", code="T", kind="committee", parent=root, sector="rural",
                           founded_on=founded)
        a = orgs.create(name="桃源村党支部", code="A", kind="branch", parent=town, sector="rural",
                        founded_on=founded)
        orgs.create(name="桃源村第一党小组", code="AG", kind="group", parent=a, founded_on=founded)
        orgs.create(name="李家村党支部", code="B", kind="branch", parent=town, sector="rural",
                    founded_on=founded)
        other_town = orgs.create(name="李家镇党委", code="L", kind="committee", parent=root,
                                 sector="rural", founded_on=founded)
        orgs.create(name="张庄村党支部", code="Z", kind="branch", parent=other_town, sector="rural",
                    founded_on=founded)
        orgs.create(name="县财政局机关党支部", code="O", kind="branch", parent=root, founded_on=founded)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


@pytest.fixture
def login(auth_headers, tenant, villages):
    def headers(role="tenant_admin", code=None) -> dict:
        return auth_headers(tenant, role=role, org=villages[code] if code is not None else None)

    return headers


@pytest.fixture
def org(villages):
    def get(code: str) -> Organization:
        return db.session.scalar(select(Organization).where(Organization.id == villages[code]))

    return get
