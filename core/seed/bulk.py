"""Bulk writes for the synthetic city: :mod:`core.db.bulk`, with the server's work
overlapped with ours.

:func:`write` is :func:`core.db.bulk.write` (COPY into a staging table, one
``INSERT … SELECT``) except that the ``INSERT`` is sent without waiting for it: the server
inserts (checking keys and policies, most of the time) while Python makes the next rows. The
next write, any other statement on the engine, or :func:`settle` waits for it (a query while
one runs would fail: one command at a time per connection). Only the seed does this: it owns
the transaction from start to end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.db import bulk as db_bulk
from core.db import db

table_of = db_bulk.table_of
PENDING = "seed_bulk_pending"  # in the DBAPI connection's info: the INSERT still running
_guarded: set = set()  # engines whose statements first wait for a pending INSERT


def write(model, rows: Iterable, columns: Sequence[str] | None = None) -> int:
    """:func:`core.db.bulk.write`, the final INSERT left running (see the module)."""
    settle()
    return db_bulk.write(model, rows, columns, send=_send)


def _send(connection, raw, statement: str) -> None:
    _guard(connection)
    raw.pgconn.send_query(statement.encode())
    connection.info[PENDING] = raw


def _guard(connection) -> None:
    """Make any other statement on this engine wait for a pending INSERT first (a query
    while one runs would fail: one command at a time per connection)."""
    from sqlalchemy import event

    engine = connection.engine
    if id(engine) not in _guarded:
        _guarded.add(id(engine))
        event.listen(engine, "before_cursor_execute", _before_statement)


def _before_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    raw = conn.info.pop(PENDING, None)
    if raw is not None:
        _wait(raw)


def settle() -> None:
    """Wait for the ``INSERT … SELECT`` the last write sent, if any (raising its error);
    every write does it first, so does any other statement, and
    :func:`core.seed.service.seed` before it returns."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    raw = db.session.connection().info.pop(PENDING, None)
    if raw is not None:
        _wait(raw)


def _wait(raw) -> None:
    import psycopg

    error = None
    while (result := raw.pgconn.get_result()) is not None:
        if result.status != psycopg.pq.ExecStatus.COMMAND_OK and error is None:
            error = psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
    if error is not None:
        raise error

