"""Fixtures for the brands tests.

``city``: 市委 R → 镇党委 T (村支部 V1, V2; 村党委 V3 marked ``village: true``), 机关工委 J
(财政局支部 F), 镇党委 T2 (支部 W marked ``village: false``); T, T2, V* and W are of
党组织类别 ③ (农村), J and F of ④; returns code → id.

``login(tenant, role, code)`` gives headers of a new user holding ``role`` on ``code``
(``None``: tenant-wide). ``answers()`` answers every default criterion.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.brands.settings import CRITERIA
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization
from tests.web.conftest import web_as  # noqa: F401 - a fixture


@pytest.fixture
def city(tenant, in_tenant):
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        town = orgs.create(name="镇党委", code="T", kind="committee", parent=root, category_code=3)
        orgs.create(name="一村支部", code="V1", kind="branch", parent=town, category_code=3)
        orgs.create(name="二村支部", code="V2", kind="branch", parent=town, category_code=3)
        big = orgs.create(name="三村党委", code="V3", kind="committee", parent=town, category_code=3)
        big.attributes = {"village": True}
        organs = orgs.create(name="机关工委", code="J", kind="committee", parent=root, category_code=4)
        orgs.create(name="财政局支部", code="F", kind="branch", parent=organs, category_code=4)
        town2 = orgs.create(name="二镇党委", code="T2", kind="committee", parent=root, category_code=3)
        school = orgs.create(name="镇中学支部", code="W", kind="branch", parent=town2, category_code=3)
        school.attributes = {"village": False}
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


@pytest.fixture
def login(auth_headers, city):
    def headers(tenant, role="tenant_admin", code=None) -> dict:
        return auth_headers(tenant, role=role, org=city[code] if code is not None else None)

    return headers


def answers(**changes) -> dict:
    values = {c: f"做法：{c}" for c in CRITERIA}
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def brand_body(org, **changes) -> dict:
    body = {"org_id": str(org), "name": "红色引擎", "theme": "党建引领发展", "concept": "理念",
            "theory": "理论支撑", "methods": "方法路径", "carriers": "活动载体", "goals": "成效愿景"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def new_brand(client):
    def create(headers, org, **changes) -> dict:
        response = client.post("/api/v1/brands", headers=headers, json=brand_body(org, **changes))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


@pytest.fixture
def new_site(client):
    def create(headers, org, level="model_site", **changes) -> dict:
        body = {"org_id": str(org), "level": level, "answers": answers(), "statement": "事迹材料"}
        body.update(changes)
        response = client.post("/api/v1/brands/model-sites", headers=headers, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create
