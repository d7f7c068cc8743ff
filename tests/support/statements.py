"""``count_statements``: which SQL a block of code runs (for tests that prove a figure costs
the same few statements however large the data).

``with count_statements() as seen:`` — ``seen`` lists the statements run inside the block,
not PostgreSQL's per-transaction ``set_config`` of the tenant (bookkeeping, not work).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from core.db import db


@pytest.fixture
def count_statements(app_ctx):
    @contextmanager
    def counting():
        seen: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            if not statement.startswith("SELECT set_config("):
                seen.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    return counting
