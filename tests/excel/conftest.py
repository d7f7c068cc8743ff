"""Fixtures for the Excel import/export tests: a small tree, sheets built in memory, and a
way to run an import through the API and read its job."""

from __future__ import annotations

import io
import itertools
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from core.db import db
from core.excel.columns import MEMBER_COLUMNS
from core.orgs import service as orgs
from core.orgs.models import Organization
from tests.members.helpers import make_id_number

HEADERS = [c.header for c in MEMBER_COLUMNS]
_births = itertools.count()


def next_birth() -> date:
    """A different birth date each call (so generated ID numbers never collide)."""
    n = next(_births)
    return date(1960 + n % 40, 1 + n // 40 % 12, 1 + n // 480 % 28)


def person(org: str = "B1", **cells) -> dict:
    """One valid row by Chinese header (a full member of organisation code ``org``)."""
    birth = cells.pop("birth", None) or next_birth()
    gender = cells.pop("sex", "male")
    row = {
        "姓名": "张三",
        "性别": "男" if gender == "male" else "女",
        "公民身份号码": make_id_number(birth, gender),
        "民族": "汉族",
        "出生日期": birth,
        "学历": "大学本科",
        "人员类别/工作岗位": "工人",
        "入党日期": date(birth.year + 22, 7, 1),
        "转正日期": date(birth.year + 23, 7, 1),
        "所在党支部": org,
        "联系电话": "13812345678",
        "家庭住址": "江苏省南京市玄武区北京东路41号",
        "党籍状态": "正式党员",
        "是否失联": "否",
        "是否流动党员": "否",
        "工作单位": "南京某公司",
        "是否离退休": "否",
        "是否农民": "否",
        "是否学生": "否",
    }
    row.update(cells)
    return row


def sheet_bytes(rows: list[dict], headers: list[str] | None = None, *, title: str = "党员信息",
                above: list[list] | None = None) -> bytes:
    """An .xlsx with ``headers`` (default: the template's) and ``rows`` (dicts by header;
    a value may be a ``(value, number_format)`` pair)."""
    headers = headers or HEADERS
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for line in above or []:
        sheet.append(line)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_sheet(data: bytes, title: str | None = None) -> tuple[list, list[list]]:
    """(header row, data rows) of an .xlsx."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[title] if title else workbook.worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    return values[0], values[1:]


@pytest.fixture
def tree(tenant, in_tenant):
    """市委 R → 党委 C (支部 B1, 支部 B2), 党委 D (支部 B3). Returns codes → ids."""
    with in_tenant(tenant):
        root = orgs.create(name="甲市委", code="R", kind="committee")
        c = orgs.create(name="第一党委", code="C", kind="committee", parent=root)
        d = orgs.create(name="第二党委", code="D", kind="committee", parent=root)
        orgs.create(name="第一支部", code="B1", kind="branch", parent=c)
        orgs.create(name="第二支部", code="B2", kind="branch", parent=c)
        orgs.create(name="第三支部", code="B3", kind="branch", parent=d)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


@pytest.fixture
def upload(client, run_jobs):
    """``upload(headers, data, mode=None)`` posts a workbook, runs the job, and returns
    ``(response, job)`` — the job as ``GET /api/v1/jobs/<id>`` shows it (None if refused)."""

    def post(headers, data: bytes, mode: str | None = None, filename: str = "党员.xlsx"):
        form = {"file": (io.BytesIO(data), filename)}
        if mode is not None:
            form["mode"] = mode
        response = client.post("/api/v1/imports/members", data=form, headers=headers,
                               content_type="multipart/form-data")
        if response.status_code != 202:
            return response, None
        run_jobs()
        job = client.get(f"/api/v1/jobs/{response.get_json()['id']}", headers=headers).get_json()
        return response, job

    return post
