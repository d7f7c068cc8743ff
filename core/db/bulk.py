"""Bulk writes: hundreds of thousands of rows in seconds (the synthetic city, a cycle's results).

The ORM (one object, one INSERT, events, audit) is right for people's work and far too slow
for a seeded city of 600,000 members or the 100,000 member indices of a city's assessment
(an ``executemany``, even pipelined, is a round of binding and parsing per row: ~7 s for
those 100,000 rows against ~1.5 s this way). :func:`write` takes plain dicts and sends them:

* on PostgreSQL with ``COPY`` — into a temporary table first, then one
  ``INSERT … SELECT``, because ``COPY FROM`` is refused on tables with row-level security
  and our tenant tables force it; the ``INSERT`` is still checked by the tenant policy, so
  a bulk write cannot land in another tenant;
* on SQLite with one ``executemany`` per batch.

Column defaults (ids, timestamps, ``version``…) are filled as the ORM would, and typed
columns are converted the way SQLAlchemy binds them (encrypted personal fields are
encrypted, JSON is JSON), so a row written here is indistinguishable from one the ORM wrote — except that nothing
is audited: callers are bulk jobs whose work is recorded elsewhere (a seed is no one's
work; a cycle run is its job's).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice

from sqlalchemy import JSON, Table, TypeDecorator, insert

from core.db import db
from core.tenancy import current_tenant_id

BATCH = 5_000


def _table(model) -> Table:
    return getattr(model, "__table__", model)


def _defaults(table: Table) -> dict:
    """Column name → a function giving its default (``None`` when it has none)."""
    found = {}
    for column in table.columns:
        default = column.default
        if default is None:
            continue
        if default.is_scalar:
            found[column.name] = (lambda value: lambda: value)(default.arg)
        elif default.is_callable:
            found[column.name] = (lambda fn: lambda: fn(None))(default.arg)
    return found


def _complete(table: Table, rows: Iterable[dict]) -> Iterator[dict]:
    """Rows with the tenant and every defaulted column filled."""
    tenant_id = current_tenant_id()  # fails closed: no tenant, no bulk write
    defaults = _defaults(table)
    has_tenant = "tenant_id" in table.columns
    for row in rows:
        if has_tenant:
            row["tenant_id"] = tenant_id
        for name, make in defaults.items():
            if row.get(name) is None:
                row[name] = make()
        yield row


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def write(model, rows: Iterable[dict]) -> int:
    """Insert ``rows`` (dicts keyed by column name) into ``model``'s table in the current
    tenant and transaction; returns how many were written."""
    table = _table(model)
    completed = _complete(table, rows)
    if db.session.get_bind().dialect.name == "postgresql":
        return _copy(table, completed)
    written = 0
    for batch in _batches(completed, BATCH):
        db.session.execute(insert(table), batch)
        written += len(batch)
    return written


def _converters(table: Table, dialect) -> list:
    """Per column, how a Python value becomes what ``COPY`` is given."""
    from psycopg.types.json import Json

    converters = []
    for column in table.columns:
        kind = column.type
        if isinstance(kind, TypeDecorator) and not isinstance(kind, JSON):
            converters.append((lambda t: lambda v: t.process_bind_param(v, dialect))(kind))
        elif isinstance(kind, JSON) or getattr(kind, "_type_affinity", None) is JSON:
            converters.append(lambda v: None if v is None else Json(v, dumps=_dumps))
        else:
            converters.append(None)
    return converters


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _copy(table: Table, rows: Iterable[dict]) -> int:
    connection = db.session.connection()
    raw = connection.connection.driver_connection  # psycopg, inside the session's transaction
    columns = [c.name for c in table.columns]
    converters = _converters(table, connection.dialect)
    names = ", ".join(f'"{c}"' for c in columns)
    staging = f"bulk_{table.name}"
    written = 0
    with raw.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" '
                       f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP')
        cursor.execute(f'TRUNCATE "{staging}"')
        with cursor.copy(f'COPY "{staging}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([
                    (convert(row.get(name)) if convert is not None else row.get(name))
                    for name, convert in zip(columns, converters, strict=True)
                ])
                written += 1
        cursor.execute(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}"')
        cursor.execute(f'TRUNCATE "{staging}"')
    return written
