"""Foreign keys checked once instead of row by row while the synthetic city is written.

PostgreSQL checks a foreign key with a trigger per inserted row; for the city's millions
of attendance and dues rows those checks are over half of what the server does. Dropped
for the writes and added back at the end, each key is validated in one join instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from core.db import db
from core.seed.bulk import settle, table_of
from core.tenancy import current_tenant_id


@contextmanager
def deferred(*models) -> Iterator[None]:
    """The foreign keys of ``models``' tables dropped for the block and added back at its
    end, each validated then in one pass instead of row by row — the row-by-row checks are
    over half of what PostgreSQL does for the city's millions of attendance rows.

    Only on PostgreSQL, when the current tenant is the database's only one (the block holds
    exclusive locks on these tables and the ones they reference until the transaction ends:
    nobody else may be waiting on them) and the role owns the tables. Otherwise the keys stay
    and are checked row by row. If the block fails, the caller's rollback restores the keys."""
    keys = _droppable_keys([table_of(m).name for m in models])
    for table, name, _definition, _referenced in keys:
        db.session.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
    yield
    settle()
    for table in sorted({table for table, *_ in keys} | {referenced for *_, referenced in keys}):
        db.session.execute(text(f'ANALYZE "{table}"'))  # the check's join needs a sane plan
    for table, name, definition, _referenced in keys:
        db.session.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))


def _droppable_keys(tables: list[str]) -> list[tuple[str, str, str, str]]:
    """``(table, constraint, definition, referenced table)`` of the tables' foreign keys, or
    none when they must stay (see :func:`deferred`)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return []
    others = db.session.scalar(text("SELECT count(*) FROM tenants WHERE id <> :tenant"),
                               {"tenant": current_tenant_id()})
    if others:
        return []
    rows = db.session.execute(text(
        "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), r.relname, "
        "pg_has_role(t.relowner, 'USAGE') AND pg_has_role(r.relowner, 'USAGE') "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid "
        "WHERE c.contype = 'f' AND c.conrelid = ANY(CAST(:tables AS regclass[])) ORDER BY 1, 2"),
        {"tables": tables}).all()
    if not all(owned for *_key, owned in rows):
        return []
    return [(table, name, definition, referenced) for table, name, definition, referenced, _owned in rows]
