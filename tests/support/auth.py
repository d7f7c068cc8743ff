"""Auth fixtures shared by every slice's tests: users and real bearer tokens.

``tenant`` may be a ``Tenant`` or its id everywhere here.

``make_user(tenant, username=None, password="Passw0rd!x", role="tenant_admin", org=None)``
creates and commits a user (with ``role`` granted on ``org``, or tenant-wide; ``role=None``
grants nothing; ``org`` is an ``Organization`` or its id). The returned ``User`` is detached with its columns loaded: read it
anywhere, but re-fetch it inside ``in_tenant`` to change it.

``auth_headers(tenant, role="tenant_admin", org=None, username=None)`` makes such a user and
logs in through ``POST /api/v1/auth/token``, returning ``{"Authorization", "X-Tenant"}``
headers for the test client.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import inspect

from core.db import db
from core.tenancy import tenant_context
from core.tenancy.models import Tenant

DEFAULT_PASSWORD = "Passw0rd!x"

_usernames = itertools.count(1)


def _tenant_id(tenant) -> int:
    """The id of ``tenant`` (a ``Tenant`` or an id) without loading it: after a test-client
    request the test's objects are detached and expired, but their identity stays known."""
    if isinstance(tenant, int):
        return tenant
    return inspect(tenant).identity[0]


def _reload(org):
    """The organisation ``org`` (an object, possibly detached or expired, or an id) as a row
    of the current session."""
    if org is None:
        return None
    from core.orgs import service as orgs

    org_id = org if isinstance(org, uuid.UUID) else inspect(org).identity[1]
    found = orgs.get(org_id)
    assert found is not None, f"organization {org_id} not found in this tenant"
    return found


@pytest.fixture
def make_user(app_ctx):
    def make(tenant, username=None, password=DEFAULT_PASSWORD, role="tenant_admin", org=None):
        from core.auth import service

        username = username or f"user{next(_usernames)}"
        tenant_id = _tenant_id(tenant)
        if db.session().in_transaction():
            db.session.commit()
        with tenant_context(tenant_id):
            user = service.create_user(username, password)
            if role is not None:
                service.grant(user, role, _reload(org))
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


@pytest.fixture
def auth_headers(client, make_user):
    def headers(tenant, role="tenant_admin", org=None, username=None) -> dict:
        user = make_user(tenant, username=username, role=role, org=org)
        slug = db.session.get(Tenant, _tenant_id(tenant)).slug
        response = client.post(
            "/api/v1/auth/token",
            json={"username": user.username, "password": DEFAULT_PASSWORD},
            headers={"X-Tenant": slug},
        )
        assert response.status_code == 200, response.get_json()
        token = response.get_json()["access_token"]
        return {"Authorization": f"Bearer {token}", "X-Tenant": slug}

    return headers


def error_fields(body: dict) -> set[str]:
    """The field names an error answer complains about, whether a schema put them under the
    request location (``{"json": {"name": [...]}}``) or a service named them directly."""
    errors = (body or {}).get("errors") or {}
    names = set()
    for key, value in errors.items():
        if key in ("json", "query", "form", "headers", "path") and isinstance(value, dict):
            names.update(value)
        else:
            names.add(key)
    return names
