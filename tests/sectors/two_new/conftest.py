"""Fixtures for the two_new plugin's tests.

``area``: the tenant with the plugin enabled and a small tree, returned as code → id::

    R 市委 (no sector)
    ├── LX 两新工委 (two_new committee, keeps the register)
    │   ├── XB 星光科技党支部 (branch)
    │   ├── JB 园区联合党支部 (joint branch)
    │   └── QX 区两新党委 (committee, a district's register)
    │       └── QB 区某企业党支部 (branch)
    └── OT 另一两新党委 (two_new committee, outside LX)

``unit(org, **values)``, ``instructor(org, **values)``, ``group(org, **values)`` create
records through the service (inside the tenant, flushed; ``org`` is a code or an id).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.sdk import credit_code_check_char
from plugins.two_new import service

TODAY = date.today()
SECTOR = "two_new"


def credit_code(serial: int) -> str:
    first17 = f"91320102MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


@pytest.fixture
def area(sector_tenant, in_tenant):
    tenant = sector_tenant(SECTOR)
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        lx = orgs.create(name="两新工委", code="LX", kind="committee", parent=root, sector=SECTOR)
        orgs.create(name="星光科技党支部", code="XB", kind="branch", parent=lx, sector=SECTOR)
        orgs.create(name="园区联合党支部", code="JB", kind="joint_branch", parent=lx, sector=SECTOR)
        qx = orgs.create(name="区两新党委", code="QX", kind="committee", parent=lx, sector=SECTOR)
        orgs.create(name="区某企业党支部", code="QB", kind="branch", parent=qx, sector=SECTOR)
        orgs.create(name="另一两新党委", code="OT", kind="committee", parent=root, sector=SECTOR)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


def org(code_or_id, codes_to_ids=None):
    """The organisation with this code (a key of ``codes_to_ids``) or id."""
    org_id = (codes_to_ids or {}).get(code_or_id, code_or_id)
    return db.session.scalar(select(Organization).where(Organization.id == org_id))


@pytest.fixture
def unit(area):
    def make(code: str = "LX", **values):
        values.setdefault("name", f"单位{len(values)}-{id(values)}")
        values.setdefault("kind", "enterprise")
        return service.create_unit(org(code, area), values)

    return make


@pytest.fixture
def instructor(area):
    def make(code: str = "LX", **values):
        values.setdefault("person_name", "张指导")
        values.setdefault("started_on", date(2020, 1, 1))
        return service.create_instructor(org(code, area), values)

    return make


@pytest.fixture
def group(area):
    def make(code: str = "LX", **values):
        values.setdefault("kind", "courier")
        values.setdefault("name", f"快递员{id(values)}")
        values.setdefault("workers", 100)
        return service.create_group(org(code, area), values)

    return make


def make_comprehensive(area, code: str = "LX", covers=None):
    from core.sdk import set_org_attributes

    attributes = {"comprehensive": True}
    if covers is not None:
        attributes["covers_groups"] = covers
    set_org_attributes(org(code, area), attributes)
    db.session.flush()
