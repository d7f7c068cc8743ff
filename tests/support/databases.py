"""Scratch databases for tests that build a schema from nothing (migrations, backups): the
session's own database stays untouched.

``scratch_postgres(name)`` is a context manager: a new, empty PostgreSQL database owned by the
plain test role (so row-level security binds), yielding its URL for that role, dropped after.
The ``fresh_url`` fixture is an empty database of the leg's kind: a SQLite file, or a scratch
PostgreSQL database named after the test process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text


@contextmanager
def scratch_postgres(name: str) -> Iterator[str]:
    from tests.conftest import PG_ADMIN_URL, PG_PASSWORD, PG_ROLE

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{PG_ROLE}"'))
    url = make_url(PG_ADMIN_URL).set(username=PG_ROLE, password=PG_PASSWORD, database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_url(app, backend, tmp_path) -> Iterator[str]:
    """An empty database of the leg's kind."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/fresh.sqlite3"
        return
    with scratch_postgres(f"dangjian_fresh_{os.getpid()}") as url:
        yield url
