"""Reading and validating a member sheet as a stream of messages, here or in a child process.

Parsing the .xlsx (openpyxl) and validating every row (marshmallow) is pure Python work that
touches no database. For a large sheet it runs in a child process while the importer,
in the job's process, resolves organisations and writes the rows already checked — two
cores at work instead of one. For a small sheet the same generator runs in-process.

:func:`messages` yields plain, picklable tuples:

* ``("sheet", title, present_fields, header_row, declared_rows)`` — first, when the sheet
  and its header row are usable;
* ``("invalid", row, [(column, reason), …], message)`` — instead, when they are not;
* ``("rows", [(row, record, org_code, org_name), …], [(row, column, reason, value), …],
  total)`` — batches of valid rows (``record`` in :data:`RECORD_FIELDS` order) and row
  errors (``value``: the cell as :func:`core.excel.errors.shown_value` quotes it);
* ``("end", total, file_error)`` — last; ``file_error`` (a reason, or None) when the sheet
  could not be read to its end or has too many rows.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import zipfile
import zlib
from collections.abc import Iterator

from core.excel import reader
from core.excel.archive import Limits
from core.excel.rows import read_row, record_tuple

log = logging.getLogger(__name__)

BATCH_ROWS = 2000
_READ_ERRORS = (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError,
                ValueError, TypeError)


def messages(path, *, max_rows: int, batch_rows: int = BATCH_ROWS,
             limits: Limits | None = None) -> Iterator[tuple]:
    """Parse and validate the member sheet at ``path`` (see the module docstring);
    ``limits``: what the workbook may unpack to (:mod:`core.excel.archive`)."""
    try:
        sheet = reader.open_member_sheet(path, limits)
    except reader.WorkbookError as exc:
        yield ("invalid", None, [(None, str(exc))], str(exc))
        return
    except reader.HeaderError as exc:
        yield ("invalid", exc.row, [(p.column, p.reason) for p in exc.problems], str(exc))
        return
    try:
        yield ("sheet", sheet.title, sheet.present, sheet.header_row, sheet.declared_rows)
        valid: list[tuple] = []
        bad: list[tuple] = []
        total = 0
        last_row = sheet.header_row
        file_error = None
        rows = sheet.rows()
        while True:
            try:
                item = next(rows, None)
            except _READ_ERRORS as exc:
                # The archive or the sheet's XML is damaged part-way (openpyxl reads lazily).
                file_error = (f"The sheet cannot be read after row {last_row} "
                              f"({type(exc).__name__}); save it again with Excel or WPS.")
                break
            if item is None:
                break
            number, raw = item
            last_row = number
            total += 1
            if total > max_rows:
                file_error = f"The sheet has more than {max_rows} data rows (row {number}); split it."
                break
            result = read_row(raw)
            for column, reason, value in result.errors:
                bad.append((number, column, reason, value))
            if result.values is not None:
                valid.append((number, record_tuple(result.values), result.org_code, result.org_name))
            if len(valid) + len(bad) >= batch_rows:
                yield ("rows", valid, bad, total)
                valid, bad = [], []
        if valid or bad:
            yield ("rows", valid, bad, total)
        if total == 0 and file_error is None:
            file_error = "The sheet has no data rows below the header row."
        yield ("end", total, file_error)
    finally:
        sheet.close()


def _child(path, options: dict, connection) -> None:
    try:
        for message in messages(path, **options):
            connection.send(message)
    except BaseException as exc:  # noqa: BLE001 - report anything to the parent, then exit
        connection.send(("crashed", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def _start_method() -> str:
    """forkserver where there is one: the child starts from a clean single-threaded server,
    not from a copy of a threaded web server holding database sockets and locks."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"



def messages_from_child(path, **options) -> Iterator[tuple]:
    """:func:`messages`, produced by a child process that only reads the file (it inherits
    no database connection: see :func:`_start_method`)."""
    context = multiprocessing.get_context(_start_method())
    receiver, sender = context.Pipe(duplex=False)
    # Not a daemon: a daemonic process may not have children, and the caller may be one.
    process = context.Process(target=_child, args=(os.fspath(path), options, sender))
    process.start()
    sender.close()  # the child holds the only writing end: EOF when it exits
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                raise RuntimeError("the sheet reader process stopped unexpectedly") from None
            if message[0] == "crashed":
                raise RuntimeError(f"reading the sheet failed: {message[1]}")
            yield message
            if message[0] in ("end", "invalid"):
                return
    finally:
        receiver.close()
        process.join(timeout=5)
        if process.is_alive():  # the consumer stopped early: the child is not needed any more
            process.kill()
            process.join()
