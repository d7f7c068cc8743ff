"""Streaming a member sheet out of an .xlsx: find the sheet and its header row, then yield
the data rows with the row numbers Excel shows.

Before openpyxl sees the file, :mod:`core.excel.archive` checks that it is an .xlsx that
can be read in bounded memory. The workbook is then opened with openpyxl ``read_only=True`` (rows are parsed as they are read,
so memory does not grow with the sheet) and ``data_only=True`` (a formula cell gives the
value Excel last computed). The declared sheet size is ignored (``reset_dimensions``): some
tools write a wrong one, and trusting it would silently drop rows.

Which sheet: the one named 党员信息 (the template's), else the first. Which row holds the
headers: the first of the top ten rows in which at least two cells are known headers, so a
title row above the table (``XX党委党员信息采集表``) is fine. Headers are matched by name, in any
order; unknown, duplicate and missing required headers are all reported at once.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from core.excel.archive import Limits, WorkbookError, check_file
from core.excel.columns import (
    BY_FIELD,
    IGNORED_HEADERS,
    ORG,
    ORG_CODE,
    Column,
    column_for,
    normalize_header,
    required_headers,
)

MEMBER_SHEET = "党员信息"
HEADER_SEARCH_ROWS = 10
SHOWN_HEADERS = 10  # unknown or repeated headers named in the message; the rest are counted
HEADER_CHARS = 40  # a header cell is quoted up to this many characters


@dataclass
class HeaderProblem:
    """One problem with the header row: ``column`` is the header concerned."""

    column: str
    reason: str


class HeaderError(Exception):
    """The header row does not match the template; ``problems`` lists every mismatch."""

    def __init__(self, row: int | None, problems: list[HeaderProblem]):
        self.row = row
        self.problems = problems
        missing = [p.column for p in problems if p.reason.startswith("Required")]
        unknown = [p.column for p in problems if p.reason.startswith("Unknown")]
        duplicate = [p.column for p in problems if p.reason.startswith("Duplicate")]
        parts = []
        for label, names in (("missing", missing), ("unknown", unknown), ("repeated", duplicate)):
            if names:
                more = len(names) - SHOWN_HEADERS
                parts.append(f"{label} " + ", ".join(names[:SHOWN_HEADERS])
                             + (f" and {more} more" if more > 0 else ""))
        where = f"row {row}" if row else "the sheet"
        super().__init__(
            f"The header row ({where}) does not match the member template: " + "; ".join(parts) + "."
        )


@dataclass
class MemberSheet:
    """An open member sheet: which column position holds which template column."""

    workbook: object
    sheet: object
    title: str
    header_row: int
    columns: dict[int, Column]  # 0-based position → column
    declared_rows: int | None = None  # what the file claims, for progress estimates only
    present: set[str] = field(default_factory=set)  # fields whose column is in the sheet

    def rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        """``(excel row number, {field: raw cell value})`` for every non-blank data row."""
        positions = sorted(self.columns.items())
        number = self.header_row
        for values in self.sheet.iter_rows(min_row=self.header_row + 1, values_only=True):
            number += 1
            raw = {}
            blank = True
            width = len(values)
            for position, column in positions:
                value = values[position] if position < width else None
                if value is not None and not (isinstance(value, str) and not value.strip()):
                    blank = False
                raw[column.field] = value
            if not blank:
                yield number, raw

    def close(self) -> None:
        self.workbook.close()


def open_workbook(path, limits: Limits | None = None):
    """The workbook, read-only; :class:`WorkbookError` when it is not a readable .xlsx or
    would not fit ``limits`` (:func:`core.excel.archive.check_file`). External links are
    not followed: nothing here needs them, and they would be parts read whole."""
    check_file(path, limits)
    try:
        return load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError,
            AttributeError, SyntaxError, InvalidFileException) as exc:
        # openpyxl surfaces a damaged or foreign file through many exception types
        # (SyntaxError covers the XML parser's ParseError).
        raise WorkbookError(f"The file is not a readable .xlsx workbook ({type(exc).__name__}).") from None


def open_member_sheet(path, limits: Limits | None = None) -> MemberSheet:
    """Open ``path`` and locate the member table; raises :class:`WorkbookError` or
    :class:`HeaderError`."""
    workbook = open_workbook(path, limits)
    try:
        sheet = _member_sheet(workbook)
        declared = sheet.max_row if isinstance(sheet.max_row, int) else None
        sheet.reset_dimensions()
        header_row, cells = _header_row(sheet)
        columns = _match_headers(header_row, cells)
    except (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError,
            TypeError) as exc:
        # openpyxl reads lazily: the sheet's XML may break before the header row is found.
        workbook.close()
        raise WorkbookError(f"The sheet cannot be read ({type(exc).__name__}); save it again "
                            "with Excel or WPS.") from None
    except Exception:
        workbook.close()
        raise
    return MemberSheet(
        workbook=workbook,
        sheet=sheet,
        title=sheet.title,
        header_row=header_row,
        columns=columns,
        declared_rows=declared,
        present={c.field for c in columns.values()},
    )


def _member_sheet(workbook):
    sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        raise WorkbookError("The workbook has no worksheet.")
    for ws in sheets:
        if ws.title.strip() == MEMBER_SHEET:
            return ws
    return sheets[0]


def _header_row(sheet) -> tuple[int, tuple]:
    first_filled = None
    for number, values in enumerate(
        sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        texts = [v for v in values if v is not None and str(v).strip()]
        if not texts:
            continue
        if first_filled is None:
            first_filled = (number, values)
        if sum(1 for v in texts if column_for(v) is not None) >= 2:
            return number, values
    if first_filled is None:
        raise HeaderError(None, [HeaderProblem(h, "Required column is missing.") for h in required_headers()])
    return first_filled  # not a header row: _match_headers reports what is wrong with it


def _match_headers(row: int, cells: tuple) -> dict[int, Column]:
    columns: dict[int, Column] = {}
    seen: dict[str, int] = {}
    problems: list[HeaderProblem] = []
    for position, value in enumerate(cells):
        if value is None or not str(value).strip():
            continue
        name = normalize_header(value)
        if name in IGNORED_HEADERS:
            continue
        column = column_for(value)
        if column is None:
            shown = str(value).strip()
            problems.append(HeaderProblem(
                shown if len(shown) <= HEADER_CHARS else shown[:HEADER_CHARS] + "…",
                f"Unknown column (cell {get_column_letter(position + 1)}{row}); use the template's headers.",
            ))
            continue
        if column.header in seen:
            problems.append(HeaderProblem(
                column.header, f"Duplicate column: it appears more than once in row {row}.",
            ))
            continue
        seen[column.header] = position
        columns[position] = column
    for header in required_headers():
        if header not in seen:
            problems.append(HeaderProblem(header, "Required column is missing."))
    if BY_FIELD[ORG].header not in seen and BY_FIELD[ORG_CODE].header not in seen:
        problems.append(HeaderProblem(
            BY_FIELD[ORG].header, "Required column is missing (or give 所在党支部编码).",
        ))
    if problems:
        raise HeaderError(row, problems)
    return columns
