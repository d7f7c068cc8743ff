"""A small seeded city on PostgreSQL, shared by the yardstick's tests (seeding it once per
module, not per test: the comparisons only read)."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from core.plugins import service as plugin_service
from core.seed import service as seed_service
from core.warnings import engine

TODAY = date(2026, 11, 22)
SECTOR_PLUGINS = ("rural", "community", "organs", "two_new", "soe")


@pytest.fixture
def small_city(app, backend, tenant, in_tenant):
    """The current tenant seeded with the ``small`` profile and swept as of :data:`TODAY`
    (PostgreSQL only: the yardstick is PostgreSQL SQL)."""
    if backend != "postgresql":
        pytest.skip("the SQL yardstick is PostgreSQL's")
    with in_tenant(tenant):
        for name in SECTOR_PLUGINS:
            plugin_service.set_enabled(name, True)
        db.session.commit()
        seed_service.seed("small", today=TODAY)
        db.session.commit()
        engine.sweep(TODAY)
        db.session.commit()
    return tenant
