"""The error list of an import: every error counted, the first ones kept, in sheet order.

A sheet of 100,000 rows can hold far more errors than anyone reads or a job result should
carry, so :class:`ErrorLog` keeps the ``cap`` errors that come first by row and column
(whatever order they were found in: a duplicate ID is only known after the last row) in a
bounded heap, and counts the rest, per column too (:attr:`ErrorLog.by_column`, at most one
count per template column). Memory stays bounded whatever the sheet holds.

Each error may carry the cell's ``value`` as the sheet had it (:func:`shown_value`): quoted
at most :data:`VALUE_CHARS` characters long, invisible and control characters made visible
(``\\u200b``), and the ID number, phone and address masked like the register masks them —
a job's result is kept and shown to administrators, and what is logged must never hold a
whole ID number.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from datetime import date, datetime, time

from core.excel.columns import BY_FIELD, MEMBER_COLUMNS
from core.members.masking import mask_address, mask_id_number, mask_phone

_ORDER = {c.header: i for i, c in enumerate(MEMBER_COLUMNS)}
VALUE_CHARS = 60
COLUMN_CHARS = 60
_MASKED = {
    BY_FIELD["id_number"].header: mask_id_number,
    BY_FIELD["phone"].header: mask_phone,
    BY_FIELD["address"].header: mask_address,
}


def shown_value(column: str | None, raw) -> str | None:
    """A cell's value as an error may quote it (see the module docstring)."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        text = raw.date().isoformat() if raw.time() == time(0) else raw.isoformat(sep=" ")
    elif isinstance(raw, date):
        text = raw.isoformat()
    elif isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    else:
        text = str(raw)
    text = "".join(
        ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}"
        for ch in text[: VALUE_CHARS * 2]
    )
    masker = _MASKED.get(column)
    if masker is not None:
        text = masker(text.strip())
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS] + "…"


class ErrorLog:
    def __init__(self, cap: int = 1000):
        self.cap = cap
        self.count = 0
        self.bad_rows: set[int] = set()
        self.by_column: Counter[str] = Counter()  # template columns only: bounded
        self._heap: list[tuple] = []  # max-heap by (row, column, seq) through negation
        self._seq = itertools.count()

    def add(
        self, row: int | None, column: str | None, reason: str, value: str | None = None
    ) -> None:
        """Record that ``row`` (as Excel numbers it; None for the file as a whole) has a
        problem in ``column`` (a header, or None); ``value``: the cell as
        :func:`shown_value` quotes it."""
        self.count += 1
        if row is not None:
            self.bad_rows.add(row)
        if column in _ORDER:
            self.by_column[column] += 1
        elif column is not None and len(column) > COLUMN_CHARS:
            column = column[:COLUMN_CHARS] + "…"
        key = (row or 0, _ORDER.get(column, -1) if column else -1, next(self._seq))
        item = (tuple(-k for k in key), row, column, reason, value)
        if len(self._heap) < self.cap:
            heapq.heappush(self._heap, item)
        elif item > self._heap[0]:  # comes earlier in the sheet than the last one kept
            heapq.heapreplace(self._heap, item)

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def truncated(self) -> bool:
        return self.count > len(self._heap)

    def entries(self) -> list[dict]:
        """The kept errors, by row then column: ``{"row", "column", "reason", "value"}``."""
        return [
            {"row": row, "column": column, "reason": reason, "value": value}
            for _, row, column, reason, value in sorted(self._heap, reverse=True)
        ]

    def columns(self) -> dict[str, int]:
        """How many errors each template column has, in the template's order."""
        return {c: self.by_column[c] for c in sorted(self.by_column, key=_ORDER.__getitem__)}
