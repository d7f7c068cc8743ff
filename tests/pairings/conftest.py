"""Fixtures for the pairing tests.

``city``: 市委 R →
  机关工委 JG (④) → 机关支部 JG1 (④);  国资委党委 GZ (①) → 国企支部 GZ1 (①), with 党小组 GZ1G;
  镇党委 T (③) → 村支部 V1, V2, V3 (③);  街道党工委 S (⑦) → 社区党委 SQ (⑦) → 网格支部 SQ1 (⑦).
Returns code → id. Every organisation founded long ago (the life rules check them).

``login(tenant, role, code)`` gives headers of a new user holding ``role`` on ``code``
(``None``: tenant-wide). ``new_pairing(headers, org, partner, **more)`` posts one (201).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization

LONG_AGO = date(2000, 1, 1)
TREE = [
    # code, name, kind, category, parent
    ("R", "市委", "committee", 9, None),
    ("JG", "市直机关工委", "committee", 4, "R"),
    ("JG1", "市财政局机关党支部", "branch", 4, "JG"),
    ("GZ", "市国资委党委", "committee", 1, "R"),
    ("GZ1", "城投集团党支部", "branch", 1, "GZ"),
    ("GZ1G", "城投集团第一党小组", "group", 1, "GZ1"),
    ("T", "桃源镇党委", "committee", 3, "R"),
    ("V1", "桃源村党支部", "branch", 3, "T"),
    ("V2", "李家村党支部", "branch", 3, "T"),
    ("V3", "王庄村党支部", "branch", 3, "T"),
    ("S", "幸福街道党工委", "committee", 7, "R"),
    ("SQ", "幸福社区党委", "committee", 7, "S"),
    ("SQ1", "幸福社区第一网格党支部", "branch", 7, "SQ"),
]


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def build_tree():
    made = {}
    for code, name, kind, category, parent in TREE:
        made[code] = orgs.create(name=name, code=code, kind=kind, parent=made.get(parent),
                                 category_code=category, founded_on=LONG_AGO)
    db.session.flush()
    return made


@pytest.fixture
def city(tenant, in_tenant):
    with in_tenant(tenant):
        build_tree()
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


@pytest.fixture
def login(auth_headers, city):
    def headers(tenant, role="tenant_admin", code=None) -> dict:
        return auth_headers(tenant, role=role, org=city[code] if code is not None else None)

    return headers


@pytest.fixture
def new_pairing(client, city):
    def create(headers, org="JG1", partner="V1", **more) -> dict:
        body = {"org_id": str(city[org]), "partner_org_id": str(city[partner]),
                "started_on": days_ago(200).isoformat(), "goals": "联建共促乡村振兴", **more}
        response = client.post("/api/v1/pairings", headers=headers, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create
