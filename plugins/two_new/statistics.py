"""two_new's 党内统计 table: the register's non-public enterprises and social organisations
by coverage, on the period's last day.

Core's coverage table only sees units that an organisation serves; the units *without* a
Party organisation (未覆盖, or covered by an instructor only) exist in this register alone,
so the plugin contributes the table (``dangjian_statistics_tables``). A unit belongs to the
subtree of its supervising organisation (``org_id``), as in :mod:`plugins.two_new.coverage`.
"""

from __future__ import annotations

from sqlalchemy import select, true
from sqlalchemy.orm import aliased

from core.sdk import (
    STATISTICS_TOTAL,
    Organization,
    StatisticsSpec,
    StatisticsTable,
    statistics_period_bounds,
)
from plugins.two_new.coverage import coverage_case, registered_on
from plugins.two_new.models import (
    COVERAGE_LABELS,
    COVERAGES,
    UNIT_KIND_LABELS,
    UNIT_KINDS,
    TwoNewInstructor,
    TwoNewUnit,
)


def spec(root: Organization, year: int, period: str) -> StatisticsSpec:
    """Registered units (not closed by the period's end) supervised in ``root``'s subtree,
    by kind and by the coverage they had on that day."""
    _start, end = statistics_period_bounds(year, period)
    covering, supervising = aliased(Organization), aliased(Organization)
    base = (
        select()
        .select_from(TwoNewUnit)
        .join(supervising, supervising.id == TwoNewUnit.org_id)
        .outerjoin(covering, covering.id == TwoNewUnit.covered_by_org_id)
        .outerjoin(TwoNewInstructor, TwoNewInstructor.id == TwoNewUnit.instructor_id)
        .where(supervising.path.startswith(root.path, autoescape=True), registered_on(end))
    )
    label = coverage_case(covering, end)
    rows = {STATISTICS_TOTAL: true(), **{kind: TwoNewUnit.kind == kind for kind in UNIT_KINDS}}
    columns = {STATISTICS_TOTAL: true(), **{c: label == c for c in COVERAGES}}
    item = (TwoNewUnit.id, TwoNewUnit.name, TwoNewUnit.org_id, supervising.name, None)
    return StatisticsSpec(base, item, rows, columns)


def tables() -> list[StatisticsTable]:
    return [
        StatisticsTable(
            "two_new.coverage",
            "非公有制企业和社会组织党建工作覆盖情况",
            ((STATISTICS_TOTAL, "合计"), *UNIT_KIND_LABELS.items()),
            ((STATISTICS_TOTAL, "合计"), *COVERAGE_LABELS.items()),
            spec=spec,
        )
    ]
