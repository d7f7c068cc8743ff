"""Fixtures for the organs plugin's tests.

``organs_city`` — the ``tenant`` with the organs plugin enabled and a small organs tree
(committed), as ``{name: id}``::

    W   市直机关工委 (committee)
    ├── A  甲局机关党支部 (branch: an organ organisation by default)
    ├── B  乙局机关党支部 (branch)
    ├── C  丙局机关党支部 (branch)
    └── P  丁局机关党委 (committee, organ_name set: the organ organisation)
        └── D  丁局办公室党支部 (branch: shares 丁局's records)

``org(id)`` — the organisation row (inside ``in_tenant``); ``START``/``END`` the year 2024.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.db import db
from core.orgs.models import Organization

PLUGIN = "organs"


@pytest.fixture
def organs_city(sector_tenant, tenant, in_tenant, make_org):
    sector_tenant(PLUGIN)
    with in_tenant(tenant):
        w = make_org("市直机关工委", kind="committee", sector=PLUGIN)
        ids = {"W": w.id}
        for key, name in (("A", "甲局机关党支部"), ("B", "乙局机关党支部"), ("C", "丙局机关党支部")):
            ids[key] = make_org(name, parent=w, sector=PLUGIN).id
        p = make_org("丁局机关党委", kind="committee", parent=w, sector=PLUGIN,
                     attributes={"organ_name": "丁局"})
        ids["P"] = p.id
        ids["D"] = make_org("丁局办公室党支部", parent=p, sector=PLUGIN).id
        db.session.commit()
    return ids


def org(org_id) -> Organization:
    """The organisation ``org_id`` of the current tenant."""
    return db.session.scalar(select(Organization).where(Organization.id == org_id))


YEAR = 2024
START, END = date(2024, 1, 1), date(2024, 12, 31)
