"""The import and export pages: an upload goes through the real job (rq + Redis on
PostgreSQL), a bad row is shown with its row number and nothing is written, wrong files are
answered beside the field, and exports hold exactly the user's scope."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.db import db
from core.members.models import Member
from tests.excel.conftest import person, sheet_bytes
from tests.web.cities import two_branches


@pytest.fixture
def city(tenant, tenant_b, in_tenant):
    """alpha: 甲市委 R → 一支部 B1, 二支部 B2; beta has its own root."""
    return two_branches(tenant, tenant_b, in_tenant)


def _count(tenant, in_tenant, **where) -> int:
    with in_tenant(tenant):
        stmt = select(func.count()).select_from(Member)
        for name, value in where.items():
            stmt = stmt.where(getattr(Member, name) == value)
        return db.session.scalar(stmt)


def _upload(web, data: bytes, mode: str | None = None, filename: str = "党员.xlsx"):
    form = {"file": (io.BytesIO(data), filename)}
    if mode:
        form["mode"] = mode
    return web.post("/imports", form, content_type="multipart/form-data")


def _job_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.match(r"/jobs/([0-9a-f-]+)\?next=(.+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    assert "%2Fimports%2F" + found.group(1) in found.group(2) or f"/imports/{found.group(1)}" in found.group(2)
    return found.group(1)


def test_the_form_offers_the_template_the_size_limit_and_the_modes(city, tenant, web_as):
    web = web_as(tenant, "admin")
    page = web.get("/imports")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'type="file"' in text and 'accept=".xlsx' in text and "Excel 文件（.xlsx）" in text
    assert "20.0 MB" in text  # MAX_CONTENT_LENGTH, shown
    assert "全部或全不" in text and "只导入正确的行" in text
    template = web.get("/imports/template")
    assert template.status_code == 200
    workbook = load_workbook(io.BytesIO(template.data))
    assert "党员信息" in workbook.sheetnames
    codes = [row[0] for row in workbook["党组织"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["R", "B1", "B2"]


def test_a_good_file_imports_and_the_result_says_so(city, tenant, in_tenant, web_as, run_jobs, app):
    web = web_as(tenant, "admin")
    rows = [person("B1", 姓名="张三"), person("二支部", 姓名="李四", sex="female")]
    job_id = _job_id(_upload(web, sheet_bytes(rows)))
    if app.config.get("REDIS_URL"):  # queued for the worker: the result page shows the progress
        waiting = web.get(f"/imports/{job_id}")
        assert waiting.status_code == 302 and waiting.headers["Location"].startswith(f"/jobs/{job_id}?next=")
        assert _count(tenant, in_tenant) == 0
    run_jobs()
    progress = web.get(f"/jobs/{job_id}")
    assert progress.status_code == 200 and "data-job-url" in progress.get_data(as_text=True)
    result = web.get(f"/imports/{job_id}")
    assert result.status_code == 200
    text = result.get_data(as_text=True)
    assert "已导入：新增党员 2 名" in text, text
    assert "没有写入任何数据" not in text
    assert _count(tenant, in_tenant) == 2
    assert _count(tenant, in_tenant, name="李四", org_id=city["two"]) == 1
    assert "党员.xlsx" in web.get("/imports").get_data(as_text=True)  # in the recent imports


def test_one_bad_row_is_listed_and_nothing_is_written(city, tenant, in_tenant, web_as, run_jobs):
    web = web_as(tenant, "admin")
    rows = [person("B1", 姓名="好人"), person("NOPE", 姓名="无组织"), person("B2", 姓名="也好")]
    job_id = _job_id(_upload(web, sheet_bytes(rows)))
    run_jobs()
    text = web.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "没有写入任何数据" in text
    table = text[text.index('class="import-errors"'):]
    row = re.search(r"<tr>\s*<td class=\"num\">(\d+)</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*"
                    r"<td[^>]*>([^<]+)</td>", table)
    assert row is not None, table
    assert row.groups() == ("3", "所在党支部", "NOPE", "未知党组织（既不是编码，也不是您可以导入的党组织全称）。")
    assert table.count("<tr>") == 2  # the header and the one bad row
    assert _count(tenant, in_tenant) == 0


def test_valid_rows_only_writes_the_good_rows_and_lists_the_bad(city, tenant, in_tenant, web_as, run_jobs):
    web = web_as(tenant, "admin")
    bad = person("B1", 姓名="日期错", 入党日期="2001-13-45")
    job_id = _job_id(_upload(web, sheet_bytes([person("B1", 姓名="好人"), bad]), mode="valid_rows_only"))
    run_jobs()
    text = web.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "新增党员 1 名" in text and "1 行有错误，已跳过" in text
    assert "2001-13-45" in text and "不是真实存在的日期" in text
    assert _count(tenant, in_tenant) == 1


@pytest.mark.parametrize(("payload", "filename", "message"), [
    (b"name,id\n", "members.xlsx", "不是 Excel 工作簿"),
    (b"\xd0\xcf\x11\xe0" + b"\0" * 60, "old.xls", "Excel 97-2003"),
    (b"", "empty.xlsx", "文件是空的"),
])
def test_a_wrong_file_is_refused_beside_the_field(city, tenant, in_tenant, web_as, run_jobs, app,
                                                  payload, filename, message):
    web = web_as(tenant, "admin")
    response = _upload(web, payload, filename=filename)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="file-error">([^<]+)</p>', text)
    assert error is not None and message in error.group(1), text
    assert 'aria-invalid="true"' in text
    with in_tenant(tenant):
        from core.jobs.models import Job

        assert db.session.scalar(select(func.count()).select_from(Job)) == 0  # nothing started
    assert run_jobs() == 0


def test_no_file_is_422(city, tenant, web_as):
    web = web_as(tenant, "admin")
    response = web.post("/imports", {"mode": "all_or_nothing"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请选择要导入的 .xlsx 文件" in response.get_data(as_text=True)


def test_csrf_is_required(city, tenant, web_as):
    web = web_as(tenant, "admin")
    response = web.client.post("/imports", data={"file": (io.BytesIO(sheet_bytes([person()])), "a.xlsx")},
                               headers={"Host": web.host}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_roles_and_tenants(city, tenant, tenant_b, in_tenant, web_as, run_jobs):
    alpha, beta = tenant.id, tenant_b.id  # ids: a request detaches the fixtures' rows
    admin, admin2 = web_as(alpha, "admin"), web_as(alpha, "admin2")
    member = web_as(alpha, "plain", role="member", org=city["one"])
    secretary = web_as(alpha, "sec1", role="branch_secretary", org=city["one"])
    other = web_as(beta, "beta_admin")
    job_id = _job_id(_upload(admin, sheet_bytes([person("B1")])))
    run_jobs()
    assert member.get("/imports").status_code == 403
    assert member.post("/imports", {}, form_page="/exports").status_code == 403
    assert member.get("/exports").status_code == 200  # as the API: exports need a login only
    # Another user's import is not theirs to see; a tenant administrator sees all.
    assert secretary.get("/imports").status_code == 200
    assert secretary.get(f"/imports/{job_id}").status_code == 404
    assert secretary.get(f"/jobs/{job_id}").status_code == 404
    assert admin2.get(f"/imports/{job_id}").status_code == 200
    assert other.get(f"/imports/{job_id}").status_code == 404
    assert other.get(f"/jobs/{job_id}").status_code == 404
    assert admin.get("/imports/not-a-job").status_code == 404


def test_a_secretary_imports_only_into_their_branch(city, tenant, in_tenant, web_as, run_jobs):
    web = web_as(tenant, "sec1", role="branch_secretary", org=city["one"])
    template = load_workbook(io.BytesIO(web.get("/imports/template").data))
    assert [r[0] for r in template["党组织"].iter_rows(min_row=2, values_only=True)] == ["B1"]
    job_id = _job_id(_upload(web, sheet_bytes([person("B1", 姓名="甲"), person("B2", 姓名="乙")])))
    run_jobs()
    text = web.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "没有写入任何数据" in text and "B2" in text
    assert _count(tenant, in_tenant) == 0


def _sheet(data: bytes, title: str):
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(workbook[title].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_exports_hold_exactly_the_users_scope(city, tenant, in_tenant, web_as, run_jobs):
    alpha = tenant.id  # an id: a request detaches the fixture's row
    admin = web_as(alpha, "admin")
    secretary = web_as(alpha, "sec1", role="branch_secretary", org=city["one"])
    rows = [person("B1", 姓名="张一"), person("B1", 姓名="张二"), person("B2", 姓名="李三")]
    _job_id(_upload(admin, sheet_bytes(rows)))
    run_jobs()
    page = admin.get("/exports").get_data(as_text=True)
    assert "一支部（B1）" in page and 'id="orgs-org"' in page

    everything = admin.get("/exports/members.xlsx")
    assert everything.status_code == 200
    assert everything.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    header, data = _sheet(everything.data, "党员信息")
    names = header.index("姓名")
    assert sorted(r[names] for r in data) == ["张一", "张二", "李三"]
    ids = header.index("公民身份号码")
    assert {r[ids] for r in data} == {r["公民身份号码"] for r in rows}  # in full for an admin

    branch = admin.get("/exports/members.xlsx", query_string={"org": str(city["two"])})
    assert [r[names] for r in _sheet(branch.data, "党员信息")[1]] == ["李三"]

    mine = secretary.get("/exports/members.xlsx")
    assert sorted(r[names] for r in _sheet(mine.data, "党员信息")[1]) == ["张一", "张二"]
    assert secretary.get("/exports/members.xlsx", query_string={"org": str(city["two"])}).status_code == 404
    assert secretary.get("/exports", query_string={"org": str(city["beta"])}).status_code == 404
    orgs_sheet = secretary.get("/exports/orgs.xlsx")
    assert [r[0] for r in _sheet(orgs_sheet.data, "党组织")[1]] == ["B1"]
    everything_orgs = admin.get("/exports/orgs.xlsx")
    assert [r[0] for r in _sheet(everything_orgs.data, "党组织")[1]] == ["R", "B1", "B2"]


def test_the_importers_reasons_read_in_chinese_with_their_value(app_ctx):
    from flask_babel import force_locale

    from core.web.screens.imports import reasons

    with app_ctx.test_request_context(), force_locale("zh"):
        assert reasons.translate("Unknown organisation code 'X9'.") == (
            "党组织编码不存在（或不在您可以导入的范围内）。", "X9")
        assert reasons.translate("The same ID number is also in row 12.") == (
            "第 12 行的公民身份号码与此相同。", None)
        assert reasons.translate("ID number check character is wrong: expected 5, found 0.")[0] == (
            "公民身份号码校验码错误：应为 5，实际为 0。")
        # A reason this table does not know is shown as the importer wrote it.
        assert reasons.translate("Something new.") == ("Something new.", None)
