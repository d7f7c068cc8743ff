"""Bulk writes: hundreds of thousands of rows in seconds (a seeded city, a cycle's results).

The ORM (one object, one INSERT, events, audit) is right for people's work and far too slow
for a seeded city of 600,000 members or the 100,000 member indices of a city's assessment
(an ``executemany``, even pipelined, is a round of binding and parsing per row).
:func:`write` takes plain rows and sends them:

* on PostgreSQL with ``COPY`` — into a temporary table first, then one
  ``INSERT … SELECT``, because ``COPY FROM`` is refused on tables with row-level security
  and our tenant tables force it; the ``INSERT`` is still checked by the tenant policy, so
  a bulk write cannot land in another tenant;
* on SQLite with one ``executemany`` per batch.

Rows are dicts keyed by column name or, for the largest tables, tuples in the order of a
``columns`` list (nothing is looked up per row). The tenant and the defaulted columns not
given — timestamps, ``version``… — are filled as the ORM would, once per call (one
transaction's rows share their ``created_at``, as they would share ``now()``); only a
missing primary key is made per row, time-ordered like the app's own ids
(:func:`core.db.new_id`). Typed columns are converted the way SQLAlchemy binds them
(encrypted personal fields are encrypted, JSON is JSON), so a row written here is
indistinguishable from one the ORM wrote — except that nothing is audited: callers are bulk
jobs whose work is recorded elsewhere (a seed is no one's work; a cycle run is its job's).
:mod:`core.seed.bulk` adds overlapping the server's INSERT with making the next rows.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from sqlalchemy import JSON, Table, TypeDecorator, insert

from core.db import db, new_id
from core.tenancy import current_tenant_id

BATCH = 5_000
# how the final INSERT … SELECT is run: (SQLAlchemy connection, psycopg connection, SQL)
Sender = Callable[[object, object, str], None]


def table_of(model) -> Table:
    return getattr(model, "__table__", model)


def _constants(table: Table) -> dict:
    """Column name → the value every row of one call gets when it gives none: the tenant,
    and each column's default (computed once; not the primary key's)."""
    found = {}
    for column in table.columns:
        default = column.default
        if column.primary_key or default is None:
            continue
        value = default.arg if default.is_scalar else default.arg(None) if default.is_callable else None
        if value is not None:
            found[column.name] = value
    if "tenant_id" in table.columns:
        found["tenant_id"] = current_tenant_id()  # fails closed: no tenant, no bulk write
    return found


def _complete(table: Table, rows: Iterable[dict], constants: dict) -> Iterator[dict]:
    """Dict rows with the tenant, their missing defaults and a missing ``id`` filled."""
    tenant_id = constants.get("tenant_id")
    defaulted = [(name, value) for name, value in constants.items() if name != "tenant_id"]
    has_id = "id" in table.columns
    for row in rows:
        if tenant_id is not None:
            row["tenant_id"] = tenant_id
        for name, value in defaulted:
            if row.get(name) is None:
                row[name] = value
        if has_id and row.get("id") is None:
            row["id"] = new_id()
        yield row


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def write(model, rows: Iterable, columns: Sequence[str] | None = None, send: Sender | None = None) -> int:
    """Insert ``rows`` into ``model``'s table in the current tenant and transaction; returns
    how many were written. Rows are dicts keyed by column name, or tuples in the order of
    ``columns`` (which must include the primary key's ``id``). ``send(connection, raw,
    statement)`` runs the final ``INSERT … SELECT`` on PostgreSQL (default: run it and wait)."""
    table = table_of(model)
    constants = _constants(table)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if columns is None:
        rows = _complete(table, rows, constants)
        if postgres:
            names = [c.name for c in table.columns]
            return _copy(table, names, ([row.get(name) for name in names] for row in rows), {}, send)
        return _execute(table, rows)
    columns = list(columns)
    fixed = {name: value for name, value in constants.items() if name not in columns}
    if postgres:
        return _copy(table, columns, rows, fixed, send)
    return _execute(table, ({**fixed, **dict(zip(columns, row, strict=True))} for row in rows))


def _execute(table: Table, rows: Iterable[dict]) -> int:
    written = 0
    for batch in _batches(rows, BATCH):
        db.session.execute(insert(table), batch)
        written += len(batch)
    return written


def _converters(table: Table, columns: Sequence[str], dialect) -> list:
    """Per column, how a Python value becomes what ``COPY`` is given (``None``: as it is)."""
    from psycopg.types.json import Json

    converters = []
    for name in columns:
        kind = table.columns[name].type
        if isinstance(kind, TypeDecorator) and not isinstance(kind, JSON):
            converters.append((lambda t: lambda v: t.process_bind_param(v, dialect))(kind))
        elif isinstance(kind, JSON) or getattr(kind, "_type_affinity", None) is JSON:
            converters.append(lambda v: None if v is None else Json(v, dumps=_dumps))
        else:
            converters.append(None)
    return converters


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _copy(table: Table, columns: list[str], rows: Iterable[Sequence], fixed: dict,
          send: Sender | None) -> int:
    """COPY ``rows`` (sequences in ``columns`` order) into a staging table, then one
    ``INSERT … SELECT`` adding the ``fixed`` columns' values, run by ``send``."""
    from psycopg import sql

    connection = db.session.connection()
    raw = connection.connection.driver_connection  # psycopg, inside the session's transaction
    converters = _converters(table, columns, connection.dialect)
    converted = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
    fixed_converters = _converters(table, list(fixed), connection.dialect)
    fixed_values = [value if convert is None else convert(value)
                    for value, convert in zip(fixed.values(), fixed_converters, strict=True)]
    given = sql.SQL(", ").join(map(sql.Identifier, columns))
    staging = sql.Identifier(f"bulk_{table.name}_{zlib.crc32(given.as_string(raw).encode()):08x}")
    written = 0
    with raw.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA")
                       .format(staging, given, sql.Identifier(table.name)))
        cursor.execute(sql.SQL("TRUNCATE {}").format(staging))
        with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(staging, given)) as copy:
            for row in rows:
                if converted:
                    row = list(row)
                    for i, convert in converted:
                        row[i] = convert(row[i])
                copy.write_row(row)
                written += 1
    insert_rows = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, [*columns, *fixed])),
        sql.SQL(", ").join([given, *map(sql.Literal, fixed_values)]), staging)
    (send or _run)(connection, raw, insert_rows.as_string(raw))
    return written


def _run(connection, raw, statement: str) -> None:
    with raw.cursor() as cursor:
        cursor.execute(statement)
