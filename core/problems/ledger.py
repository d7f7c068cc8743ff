"""The rectification ledger (整改台账) as an .xlsx workbook: one sheet of problems with their
status and close-out, one of the weak-and-lax organisations, Chinese headers, ready to print
or file."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.problems.models import (
    CLOSED,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    WEAK_STATUS_LABELS,
)
from core.problems.service import days_overdue

PROBLEM_HEADERS = (
    "序号", "党组织", "问题来源", "问题类别", "问题", "问题描述", "严重程度", "发现日期", "责任人",
    "整改时限", "状态", "是否逾期", "整改措施", "提交时间", "销号时间", "销号审核人", "按期销号",
)
WEAK_HEADERS = (
    "序号", "党组织", "认定年度", "认定原因", "具体表现", "整顿方案", "包联领导", "指导员",
    "认定日期", "状态", "摘帽日期",
)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _day(value) -> str:
    return value.isoformat() if value is not None else ""


def problem_row(index: int, problem, org_name: str, today: date) -> list:
    late = days_overdue(problem, today)
    on_time = ""
    if problem.status == CLOSED and problem.closed_on is not None:
        on_time = "是" if problem.closed_on <= problem.deadline else "否"
    return [
        index, org_name, SOURCE_LABELS.get(problem.source, problem.source), problem.category,
        problem.title, problem.description or "", SEVERITY_LABELS.get(problem.severity, problem.severity),
        _day(problem.found_on), problem.responsible_name or "", _day(problem.deadline),
        STATUS_LABELS.get(problem.status, problem.status), f"逾期{late}天" if late else "否",
        problem.rectification or "", _when(problem.submitted_at), _when(problem.closed_at),
        problem.closed_by or "", on_time,
    ]


def weak_row(index: int, designation, org_name: str) -> list:
    return [
        index, org_name, designation.year, designation.reason_category, designation.description or "",
        designation.rectification_plan or "", designation.leader_name or "",
        designation.instructor_name or "", _day(designation.designated_on),
        WEAK_STATUS_LABELS.get(designation.status, designation.status), _day(designation.delisted_on),
    ]


def _sheet(sheet, title: str, headers, rows) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.iter_cols(min_row=3):
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGHIJKLMNOPQ", (6, 24, 14, 12, 30, 40, 10, 12, 10, 12, 10, 12, 40,
                                                    17, 17, 16, 10), strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"


def to_xlsx(title: str, problems, designations, today: date | None = None) -> bytes:
    """The workbook: ``problems`` are ``(Problem, org name)`` pairs, ``designations``
    ``(WeakDesignation, org name)`` pairs, both in the order to print."""
    today = today or date.today()
    book = Workbook()
    first = book.active
    first.title = "问题整改台账"
    _sheet(first, f"{title} 问题整改台账",
           PROBLEM_HEADERS, (problem_row(i, p, name, today) for i, (p, name) in enumerate(problems, 1)))
    _sheet(book.create_sheet("软弱涣散党组织"), f"{title} 软弱涣散党组织整顿台账",
           WEAK_HEADERS, (weak_row(i, d, name) for i, (d, name) in enumerate(designations, 1)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
