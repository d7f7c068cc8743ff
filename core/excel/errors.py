"""The error list of an import: every error counted, the first ones kept, in sheet order.

A sheet of 100,000 rows can hold far more errors than anyone reads or a job result should
carry, so :class:`ErrorLog` keeps the ``cap`` errors that come first by row and column
(whatever order they were found in: a duplicate ID is only known after the last row) in a
bounded heap, and counts the rest. Memory stays bounded whatever the sheet holds.
"""

from __future__ import annotations

import heapq
import itertools

from core.excel.columns import MEMBER_COLUMNS

_ORDER = {c.header: i for i, c in enumerate(MEMBER_COLUMNS)}


class ErrorLog:
    def __init__(self, cap: int = 1000):
        self.cap = cap
        self.count = 0
        self.bad_rows: set[int] = set()
        self._heap: list[tuple] = []  # max-heap by (row, column, seq) through negation
        self._seq = itertools.count()

    def add(self, row: int | None, column: str | None, reason: str) -> None:
        """Record that ``row`` (as Excel numbers it; None for the file as a whole) has a
        problem in ``column`` (a header, or None)."""
        self.count += 1
        if row is not None:
            self.bad_rows.add(row)
        key = (row or 0, _ORDER.get(column, -1) if column else -1, next(self._seq))
        item = (tuple(-k for k in key), row, column, reason)
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
        """The kept errors, by row then column: ``{"row", "column", "reason"}``."""
        return [
            {"row": row, "column": column, "reason": reason}
            for _, row, column, reason in sorted(self._heap, reverse=True)
        ]
