"""Fixtures for the problems tests.

``city``: 市委 R → 党委 C1 (支部 X, 支部 Y), 党委 C2 (支部 Z); returns code → id.

``login(tenant, role, code)`` gives headers of a new user holding ``role`` on the
organisation ``code`` (``None``: tenant-wide).

``problem_body(org_id, **changes)`` is a valid create body; ``new_problem(headers, org_id,
**changes)`` posts it and returns the JSON (asserting 201).
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def city(tenant, in_tenant):
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
def login(auth_headers, city):
    def headers(tenant, role="tenant_admin", code=None) -> dict:
        return auth_headers(tenant, role=role, org=city[code] if code is not None else None)

    return headers


def problem_body(org, **changes) -> dict:
    """A valid create body for organisation ``org``; a change to ``None`` drops the key."""
    body = {
        "org_id": str(org) if org is not None else None, "source": "inspection", "category": "组织生活",
        "title": "主题党日活动记录不全", "description": "2025年3月至5月主题党日无会议记录",
        "severity": "general", "deadline": (date.today() + timedelta(days=30)).isoformat(),
        "responsible_name": "张三",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def new_problem(client):
    def create(headers, org, **changes) -> dict:
        response = client.post("/api/v1/problems", headers=headers, json=problem_body(org, **changes))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


def add_text_evidence(client, headers, problem_id, text="整改后的会议记录照片说明"):
    return client.post(f"/api/v1/problems/{problem_id}/evidence", headers=headers,
                       data={"text": text}, content_type="multipart/form-data")


def upload(client, headers, problem_id, data: bytes, name: str, text=None):
    form = {"file": (io.BytesIO(data), name)}
    if text is not None:
        form["text"] = text
    return client.post(f"/api/v1/problems/{problem_id}/evidence", headers=headers,
                       data=form, content_type="multipart/form-data")


def add_problem(org_id, *, found_on=date(2025, 1, 10), deadline=date(2025, 3, 31), status="open",
                closed_on=None, title="问题", **fields):
    """Add (and flush) a problem row directly, with any dates (for rules and indicators)."""
    from core.problems.models import Problem

    problem = Problem(org_id=org_id, source="inspection", category="组织生活", title=title,
                      found_on=found_on, deadline=deadline, status=status, closed_on=closed_on,
                      **fields)
    db.session.add(problem)
    db.session.flush()
    return problem


def add_designation(org_id, *, year=2024, designated_on=date(2024, 3, 1), status="designated",
                    delisted_on=None, reason="书记不胜任"):
    from core.problems.models import WeakDesignation

    designation = WeakDesignation(org_id=org_id, year=year, reason_category=reason,
                                  designated_on=designated_on, status=status, delisted_on=delisted_on)
    db.session.add(designation)
    db.session.flush()
    return designation
