"""红黑榜: the best and worst organisations of a subtree by the warnings they had in a period.

An organisation's score is the weighted count of its warnings that were open at some time in
the period (opened on or before its last day, not resolved before its first): ``serious``
counts :data:`WEIGHTS` 3, ``warning`` 2, ``info`` 1. The red list (红榜) is the lowest
scores, the black list (黑榜) the highest — only organisations with a score above zero, so a
clean subtree has an empty black list. Ties go by name. One aggregate query for the whole
subtree; organisations of kind ``kind`` only (``branch`` takes joint branches too), active
ones only. Warnings count where they were raised (a member's warning on their branch).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import and_, case, func, or_, select

from core.db import db
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.warnings import registry
from core.warnings.models import Warning

WEIGHTS = {"serious": 3, "warning": 2, "info": 1}
KIND_GROUPS = {"branch": ("branch", "joint_branch")}
HEADERS = ("排名", "党组织名称", "组织编码", "加权分", "预警数", "严重", "一般", "提示")


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)  # timestamps are stored in UTC


def ranking(root_path: str | None, visible, period_start: date, period_end: date,
            kind: str = "branch", limit: int = 10) -> dict:
    """``{"best": [...], "worst": [...]}`` — rows of org_id, name, code, score, warnings,
    serious, warning, info."""
    begins, ends = _start(period_start), _start(period_end + timedelta(days=1))
    in_period = and_(
        Warning.org_id == Organization.id,
        registry.shown_condition(),
        Warning.opened_at < ends,
        or_(Warning.resolved_at.is_(None), Warning.resolved_at >= begins),
    )
    weight = case(*((Warning.severity == s, w) for s, w in WEIGHTS.items()), else_=0)
    counts = {
        s: func.coalesce(func.sum(case((Warning.severity == s, 1), else_=0)), 0) for s in WEIGHTS
    }
    score = func.coalesce(func.sum(weight), 0)
    conditions = [
        visible,
        Organization.status == "active",
        Organization.kind.in_(KIND_GROUPS.get(kind, (kind,))),
    ]
    if root_path is not None:
        conditions.append(subtree_filter(root_path))
    stmt = (
        select(
            Organization.id, Organization.name, Organization.code,
            score.label("score"), func.count(Warning.id).label("warnings"),
            *(c.label(s) for s, c in counts.items()),
        )
        .outerjoin(Warning, in_period)
        .where(*conditions)
        .group_by(Organization.id, Organization.name, Organization.code)
    )
    rows = [
        {
            "org_id": r.id, "name": r.name, "code": r.code, "score": int(r.score),
            "warnings": int(r.warnings), **{s: int(getattr(r, s)) for s in WEIGHTS},
        }
        for r in db.session.execute(stmt)
    ]
    best = sorted(rows, key=lambda r: (r["score"], r["name"]))[:limit]
    worst = sorted((r for r in rows if r["score"] > 0), key=lambda r: (-r["score"], r["name"]))[:limit]
    return {"best": best, "worst": worst}


def to_xlsx(result: dict, title: str) -> bytes:
    """The lists as a workbook: sheets 红榜 and 黑榜, Chinese headers, a title row."""
    book = Workbook()
    book.remove(book.active)
    for sheet_name, rows in (("红榜", result["best"]), ("黑榜", result["worst"])):
        sheet = book.create_sheet(sheet_name)
        sheet.append([f"{title}（{sheet_name}）"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(list(HEADERS))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for rank, r in enumerate(rows, start=1):
            sheet.append([rank, r["name"], r["code"], r["score"], r["warnings"],
                          r["serious"], r["warning"], r["info"]])
        sheet.column_dimensions["B"].width = 40
        sheet.column_dimensions["C"].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
