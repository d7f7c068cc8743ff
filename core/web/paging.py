"""Paged lists for pages: one ``LIMIT/OFFSET`` query and one ``count`` — never a whole table
in memory, so a list over 100,000 members costs the same as over 100."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, select

from core.db import db

PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _positive(name: str, default: int, ceiling: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, 1), ceiling)


def paginate(statement: Select, *, per_page: int = PER_PAGE, scalars: bool = True) -> Page:
    """The ``?page=`` of ``statement`` (which must have an ``ORDER BY``). A page number past
    the end gives the last page; nonsense gives the first. ``scalars=False`` keeps rows."""
    size = _positive("per_page", per_page, MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, -(-total // size))
    number = min(_positive("page", 1, 10**9), pages)
    result = db.session.execute(statement.limit(size).offset((number - 1) * size))
    items = list(result.scalars()) if scalars else list(result)
    return Page(items=items, number=number, per_page=size, total=total)
