"""Helpers for the web pages through Flask's test client.

``web_as(tenant, username, role=…, org=…)`` makes the user (unless ``create=False``), logs in
through the real form and returns a :class:`WebSession`: ``get``/``post`` on the tenant's host,
``post`` adding the page's CSRF token, and ``html``/``form_errors`` to read the answer.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect as sa_inspect

from core.db import db
from core.tenancy.models import Tenant
from tests.support.auth import DEFAULT_PASSWORD

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


class WebSession:
    def __init__(self, client, host: str):
        self.client = client
        self.host = host

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers={"Host": self.host}, **kwargs)

    def csrf(self, path: str = "/login") -> str:
        return csrf_of(self.get(path).get_data(as_text=True))

    def post(self, path: str, data: dict | None = None, *, form_page: str | None = None, **kwargs):
        """POST ``data`` with a CSRF token read from ``form_page`` (default: ``path``)."""
        token = self.csrf(form_page or path)
        return self.client.post(path, data={"csrf_token": token, **(data or {})},
                                headers={"Host": self.host}, **kwargs)

    def log_in(self, username: str, password: str = DEFAULT_PASSWORD):
        return self.post("/login", {"username": username, "password": password})


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def web_as(client, make_user, app_ctx):
    """Log a user in through the form; returns a :class:`WebSession` (one client per call)."""

    def make(tenant, username: str, *, role: str = "tenant_admin", org=None, create: bool = True,
             password: str = DEFAULT_PASSWORD) -> WebSession:
        if create:
            make_user(tenant, username=username, role=role, org=org, password=password)
        # a Tenant (maybe detached after a request) or its id
        tenant_id = sa_inspect(tenant).identity[0] if isinstance(tenant, Tenant) else tenant
        tenant_row = db.session.get(Tenant, tenant_id)
        host = (tenant_row.hosts or [f"{tenant_row.slug}.test"])[0]
        session = WebSession(app_ctx.test_client(), host)
        done = session.log_in(username, password)
        assert done.status_code == 302, html(done)
        return session

    return make
