"""Fixtures for the archives tests, on the development tests' tree (市委 R → 党委 C1 (支部 X,
支部 Y), 党委 C2 (支部 Z)) and helpers.

``upload(headers, path, doc_type, data=PDF, name=…, **fields)`` files a document through the
API under ``path`` (``/members/<id>`` or ``/development/<id>``) and returns the response.
``own_headers(tenant, member_id)`` logs in a ``member`` of X whose account is the member's.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import inspect, select

from core.auth import service as auth_service
from core.auth.models import User
from core.db import db
from core.warnings import engine
from core.warnings.models import Warning
from tests.development.conftest import (  # noqa: F401  (fixtures)
    add_member,
    applicant_body,  # noqa: F401
    introducers,
    manager,
    secretary,
    tree,
    walk,
)
from tests.support.auth import DEFAULT_PASSWORD
from tests.web.conftest import web_as  # noqa: F401  (fixture)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def tid(tenant) -> int:
    return inspect(tenant).identity[0]


@pytest.fixture
def upload(client):
    def post(headers, path, doc_type="application", data=PDF, name="入党申请书.pdf", **fields):
        form = {"doc_type": doc_type, "title": fields.pop("title", "入党申请书"),
                "dated_on": fields.pop("dated_on", "2024-03-01"), **fields}
        if data is not None:
            form["file"] = (io.BytesIO(data), name)
        return client.post(f"/api/v1{path}/archive", headers=headers, data=form,
                           content_type="multipart/form-data")

    return post


@pytest.fixture
def own_headers(client, make_user, in_tenant):
    def headers(tenant, member_id, org_id) -> dict:
        user = make_user(tenant, role="member", org=org_id)
        with in_tenant(tenant):
            auth_service.link_member(db.session.get(User, (tid(tenant), user.id)), member_id)
            db.session.commit()
            from core.tenancy.models import Tenant

            slug = db.session.get(Tenant, tid(tenant)).slug
        response = client.post("/api/v1/auth/token", headers={"X-Tenant": slug},
                               json={"username": user.username, "password": DEFAULT_PASSWORD})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['access_token']}", "X-Tenant": slug}

    return headers


@pytest.fixture
def sweep(tenant, in_tenant):
    """Sweep the archive rules now; returns the open archive warnings as
    ``{subject_id: (rule key, message)}``."""

    def run(today: date | None = None) -> dict:
        with in_tenant(tenant):
            engine.sweep(today, rule_keys=["archives.member_documents_missing",
                                           "archives.person_documents_missing"])
            db.session.commit()
            rows = db.session.scalars(select(Warning).where(
                Warning.rule_key.like("archives.%"), Warning.state == "open")).all()
            return {w.subject_id: (w.rule_key, w.message) for w in rows}

    return run
