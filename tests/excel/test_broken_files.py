"""Broken and hostile workbooks (tests/excel/broken_files.py) through the API upload and the
``dangjian import members`` command: each gets a clear refusal naming the file's problem,
or a row and a column, and nothing is written — no member, no organisation, no event, no
kept upload. Where the check is the upload's, no job starts; where it is the job's, the job
finishes with the file rejected."""

from __future__ import annotations

import json
import os
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core.db import db
from core.members.models import Member, MemberEvent
from core.orgs.models import Organization
from tests.excel import broken_files as bf
from tests.excel.conftest import person

FULL_ID = re.compile(r"(?<!\d)\d{15,18}(?!\d)")  # an ID number in full (or its 15 digits)


@pytest.fixture
def written(tenant, in_tenant, app):
    """``written()``: (members, organisations, member events, kept uploads) right now."""

    def count():
        with in_tenant(tenant):
            numbers = tuple(
                db.session.scalar(select(func.count()).select_from(model))
                for model in (Member, Organization, MemberEvent)
            )
        folder = os.path.join(app.instance_path, "uploads")
        kept = sum(len(files) for _, _, files in os.walk(folder))
        return (*numbers, kept)

    return count


def _rows(n: int = 3) -> list[dict]:
    return [person("B1", 姓名=name) for name in ("张三", "李四", "王五", "赵六", "钱七")[:n]]


REFUSED_ON_UPLOAD = {
    "pdf": (bf.pdf, "it is a PDF document"),
    "png": (bf.png, "it is an image"),
    "csv": (bf.csv_text, "it is a text or CSV file"),
    "gbk text": (bf.plain_text, "it is a text or CSV file"),
    "xls": (bf.old_xls, "Excel 97-2003 (.xls)"),
    "encrypted": (bf.encrypted_xlsx, "password-protected"),
    "zip": (bf.zip_not_workbook, "a zip archive, not an Excel workbook"),
    "docx": (bf.docx, "it is a Word document"),
    "ods": (bf.ods, "OpenDocument spreadsheet"),
    "truncated": (lambda: bf.truncated(bf.xlsx(_rows())), "damaged or incomplete"),
    "damaged": (lambda: bf.damaged_sheet(_rows() * 20), "damaged or incomplete"),
    "sheet bomb": (bf.sheet_bomb, "zip bomb"),
    "shared strings bomb": (bf.shared_strings_bomb, "zip bomb"),
    "wide row": (bf.wide_row, "more than 100,000 XML tags in row 2"),
    "nested rows": (bf.nested_rows, "a row inside a row"),
    "many parts": (bf.many_entries, "more than the 10,000 an Excel workbook may have"),
}


@pytest.mark.parametrize("case", REFUSED_ON_UPLOAD)
def test_api_refuses_the_file_on_upload(case, tree, tenant, auth_headers, upload, written):
    make, says = REFUSED_ON_UPLOAD[case]
    before = written()
    response, job = upload(auth_headers(tenant), make(), filename="党员.xlsx")
    assert response.status_code == 422, (case, response.get_json())
    body = response.get_json()
    assert job is None
    assert says in body["message"] and says in " ".join(body["errors"]["file"]), body
    assert written() == before


@pytest.mark.parametrize("case", ["pdf", "encrypted", "truncated", "sheet bomb", "nested rows"])
def test_cli_refuses_the_file(case, tree, tenant, app, tmp_path, written):
    make, says = REFUSED_ON_UPLOAD[case]
    path = tmp_path / "members.xlsx"
    path.write_bytes(make())
    before = written()
    result = app.test_cli_runner().invoke(
        args=["import", "members", str(path), "--tenant", "alpha"]
    )
    assert result.exit_code == 2, result.output
    assert "FILE" in result.output and says in " ".join(result.output.split()), result.output
    assert written() == before


def test_the_unpacked_size_and_shared_strings_are_settings(
    tree, tenant, auth_headers, upload, app, monkeypatch, written
):
    headers = auth_headers(tenant)
    data = bf.xlsx(_rows())
    before = written()
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_BYTES", 2000)
    response, _ = upload(headers, data)
    assert (
        response.status_code == 422 and "more than the limit of" in response.get_json()["message"]
    )
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_BYTES", None)
    monkeypatch.setitem(app.config, "IMPORT_MAX_SHARED_STRINGS", 10)
    response, _ = upload(headers, data)
    assert response.status_code == 422
    assert "more than 10 different texts" in response.get_json()["message"]
    assert written() == before


# -- found by the job: it finishes, the file rejected, nothing written ----------------------


def _rejected(job) -> dict:
    assert job is not None and job["state"] == "finished", job
    result = job["result"]
    assert result["status"] == "rejected", result
    assert result["created"] == result["updated"] == 0
    return result


@pytest.mark.parametrize("mode", ["all_or_nothing", "valid_rows_only"])
def test_a_sheet_whose_xml_breaks_part_way_writes_nothing(
    mode, tree, tenant, auth_headers, upload, written
):
    before = written()
    response, job = upload(
        auth_headers(tenant), bf.malformed_sheet(_rows(5), bad_after=3), mode=mode
    )
    assert response.status_code == 202
    result = _rejected(job)
    assert "cannot be read after row 4" in result["message"], result
    assert result["mode"] == mode
    assert written() == before


def test_a_nul_character_in_the_xml_writes_nothing(tree, tenant, auth_headers, upload, written):
    before = written()
    _, job = upload(auth_headers(tenant), bf.nul_in_sheet(_rows(), row=3))
    result = _rejected(job)
    assert "cannot be read after row 2" in result["message"], result
    _, job = upload(auth_headers(tenant), bf.nul_in_sheet(_rows(), row=1))  # in the headers
    result = _rejected(job)
    assert "The sheet cannot be read (ParseError)" in result["message"], result
    assert written() == before


@pytest.mark.parametrize("mode", ["all_or_nothing", "valid_rows_only"])
def test_a_million_rows_are_refused_at_the_row_limit(
    mode, tree, tenant, auth_headers, upload, app, monkeypatch, written
):
    """Excel's maximum, 1,048,575 data rows under a declared A1:Z1048576: read as a stream
    (in a child process: the file is over a megabyte) until IMPORT_MAX_ROWS is passed."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 1000)
    before = written()
    response, job = upload(auth_headers(tenant), bf.million_rows(), mode=mode)
    assert response.status_code == 202, response.get_json()
    result = _rejected(job)
    assert "more than 1000 data rows (row 1002)" in result["message"], result
    assert written() == before


def test_a_declared_huge_dimension_is_not_believed(tree, tenant, auth_headers, upload, written):
    _, job = upload(auth_headers(tenant), bf.huge_dimension(_rows(2)))
    assert job["result"]["status"] == "imported" and job["result"]["rows"] == 2, job["result"]
    assert written()[0] == 2


def test_ten_thousand_bad_rows_are_summarised_and_nothing_is_written(
    tree, tenant, auth_headers, upload, written
):
    before = written()
    _, job = upload(auth_headers(tenant), bf.bad_rows(10_000))
    result = _rejected(job)
    assert result["rows"] == 10_000 and result["skipped_rows"] == 10_000
    assert result["error_count"] >= 30_000, result["error_count"]
    assert len(result["errors"]) == 1000 and result["errors_truncated"]
    assert {"公民身份号码", "民族", "入党日期"} <= set(result["errors_by_column"])
    assert all(
        result["errors_by_column"][c] == 10_000 for c in ("公民身份号码", "民族", "入党日期")
    )
    first = {e["column"]: e for e in result["errors"] if e["row"] == 2}
    assert first["民族"]["value"] == "火星族" and "56 ethnic groups" in first["民族"]["reason"]
    assert first["入党日期"]["value"] == "2001-13-45"
    assert first["公民身份号码"]["value"] == "110101********0000"  # masked, never in full
    assert result["errors"][-1]["row"] < 1000  # the first errors by row are the ones kept
    assert not FULL_ID.search(json.dumps(result)), "an ID number in full in the job's result"
    assert written() == before


def test_cli_summarises_ten_thousand_bad_rows(tree, tenant, app, backend, tmp_path, written):
    if backend != "sqlite":
        pytest.skip("with Redis the job is queued; its result is covered through the API")
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bf.bad_rows(10_000))
    before = written()
    result = app.test_cli_runner().invoke(
        args=["import", "members", str(path), "--tenant", "alpha"]
    )
    assert result.exit_code == 1, result.output
    assert "Nothing was imported: 10000 rows have errors" in result.output
    assert "row 2 [民族]" in result.output and "(cell: '火星族')" in result.output
    assert "… and" in result.output and "errors by column: " in result.output
    assert len(result.output.splitlines()) < 60
    assert not FULL_ID.search(result.output)
    assert written() == before


HEADER_CASES = {
    "wrong": ([h for h in bf.HEADERS if h != "民族"] + ["籍贯"], "missing 民族; unknown 籍贯"),
    "missing": (["姓名", "公民身份号码", "所在党支部"], "missing 民族, 入党日期"),
    "duplicated": (bf.HEADERS + ["身份证号"], "repeated 公民身份号码"),
    "translated": (
        ["Name", "ID number", "Ethnicity", "Joined", "Branch"],
        "unknown Name, ID number",
    ),
    "traditional": (
        ["姓名", "公民身份號碼", "民族", "入黨日期", "所在黨支部"],
        "unknown 公民身份號碼",
    ),
    "none": ([], "missing 姓名"),
}


@pytest.mark.parametrize("case", HEADER_CASES)
def test_wrong_headers_are_one_clear_rejection(case, tree, tenant, auth_headers, upload, written):
    headers, says = HEADER_CASES[case]
    rows = [dict(zip(headers, ["x"] * len(headers), strict=True))] if headers else []
    before = written()
    _, job = upload(auth_headers(tenant), bf.xlsx(rows, headers or ["备注"]))
    result = _rejected(job)
    assert says in result["message"], result["message"]
    assert all(e["row"] in (1, None) for e in result["errors"])
    assert written() == before


def test_a_header_row_of_junk_is_quoted_briefly(tree, tenant, auth_headers, upload):
    headers = ["姓名", "公民身份号码", "民族", "入党日期", "所在党支部"] + [
        f"垃圾{i}" * 100 for i in range(300)
    ]
    _, job = upload(auth_headers(tenant), bf.xlsx([], headers))
    result = _rejected(job)
    assert "and 290 more" in result["message"] and len(result["message"]) < 1000
    assert max(len(e["column"]) for e in result["errors"]) <= 61


# -- formulas ------------------------------------------------------------------------------


def test_formulas_are_never_stored(tree, tenant, in_tenant, auth_headers, upload, written):
    """A formula cell gives the value Excel computed; text that is a formula, a DDE call or a
    formula's error is refused by row and column, and nothing is written."""
    rows = [
        person("B1", 姓名=("f", "1+1", 2)),
        person("B1", 姓名="甲", 工作单位="=cmd|' /C calc'!A0"),
        person("B1", 姓名="乙", 家庭住址='=HYPERLINK("http://evil.example/","点这里")'),
        person("B1", 姓名="丙", 民族=("e", "#N/A")),
        person(
            "B1",
            姓名="丁",
            家庭住址=("f", 'HYPERLINK("http://evil.example/","南京")', "南京市中山路1号"),
        ),
    ]
    before = written()
    _, job = upload(auth_headers(tenant), bf.xlsx(rows))
    result = _rejected(job)
    errors = {(e["row"], e["column"]): e for e in result["errors"]}
    assert set(errors) == {(2, "姓名"), (3, "工作单位"), (4, "家庭住址"), (5, "民族")}, errors
    assert errors[(2, "姓名")]["value"] == "2"  # the computed value, not the formula
    assert "like a formula" in errors[(3, "工作单位")]["reason"]
    assert errors[(3, "工作单位")]["value"] == "=cmd|' /C calc'!A0"
    assert "like a formula" in errors[(4, "家庭住址")]["reason"]
    assert "#N/A" in errors[(5, "民族")]["reason"]
    assert written() == before

    _, job = upload(auth_headers(tenant), bf.xlsx(rows[4:]))
    assert job["result"]["status"] == "imported", job["result"]
    with in_tenant(tenant):
        member = db.session.scalar(select(Member))
        assert member.address == "南京市中山路1号"
        stored = [member.name, member.address, member.work_unit, member.job, member.ethnicity]
    assert not any(isinstance(v, str) and v.startswith("=") for v in stored)


def test_exports_neutralise_formulas_and_import_back(
    tree, tenant, in_tenant, auth_headers, upload, client
):
    import io

    from openpyxl import load_workbook

    headers = auth_headers(tenant)
    _, job = upload(headers, bf.xlsx(_rows(3)))
    assert job["result"]["created"] == 3
    risky = ['=HYPERLINK("http://evil.example/","x")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "-"]
    with in_tenant(tenant):
        members = db.session.scalars(select(Member).order_by(Member.name)).all()
        members[0].address, members[0].work_unit = risky[0], risky[2]
        members[1].address, members[1].work_unit = risky[1], risky[3]
        members[2].work_unit = risky[4]
        db.session.commit()
    export = client.get("/api/v1/exports/members", headers=headers)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).worksheets[0]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula in the export"
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {"'" + v for v in risky} <= texts

    # The export imports back: the apostrophes come off (the third member is unchanged, not
    # given "'-"), a formula's text is refused.
    _, job = upload(headers, export.data, mode="valid_rows_only")
    result = job["result"]
    assert {e["column"] for e in result["errors"]} == {"家庭住址"}, result
    assert (result["unchanged"], result["updated"], result["skipped_rows"]) == (1, 0, 2), result
    with in_tenant(tenant):
        assert {m.work_unit for m in db.session.scalars(select(Member))} == {"@SUM(1+1)", "+1", "-"}


# -- encodings -----------------------------------------------------------------------------


def test_mixed_encodings_are_cleaned_or_refused_by_row(
    tree, tenant, in_tenant, auth_headers, upload, written
):
    wide = person("B1", 姓名="全角")
    wide["公民身份号码"] = wide["公民身份号码"].translate(
        str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    )
    hidden = person(None, 姓名="张\u200b三", 民族="\ufeff汉族", 所在党支部编码="Ｂ１")
    hidden["公民身份号码"] = "\u200b" + hidden["公民身份号码"]
    rows = [
        wide,
        hidden,
        person("B1", 姓名="ÕÅÈý"),  # 张三 in GBK, read as Latin-1
        person("B1", 姓名="李四", 家庭住址="南京市_x0000_中山路"),  # Excel's escape of NUL
        person("B1", 姓名="王五", 工作单位="锟斤拷公司"),
        person("B1", 姓名="赵六", 民族="火\u200b星族"),
        person("B1", 姓名="孙八", 外出流向="广东_x0007_深圳"),
    ]
    before = written()
    _, job = upload(auth_headers(tenant), bf.xlsx(rows))
    result = _rejected(job)
    errors = {(e["row"], e["column"]): e for e in result["errors"]}
    assert set(errors) == {
        (4, "姓名"),
        (5, "家庭住址"),
        (6, "工作单位"),
        (7, "民族"),
        (8, "外出流向"),
    }, errors
    assert "it probably reads '张三'" in errors[(4, "姓名")]["reason"]
    assert errors[(4, "姓名")]["value"] == "ÕÅÈý"
    assert "U+0000" in errors[(5, "家庭住址")]["reason"]
    assert "锟斤拷" in errors[(6, "工作单位")]["reason"]
    assert errors[(7, "民族")]["value"] == "火\\u200b星族"  # the invisible made visible
    assert "U+0007" in errors[(8, "外出流向")]["reason"]
    assert written() == before

    _, job = upload(auth_headers(tenant), bf.xlsx(rows[:2]))
    assert job["result"]["created"] == 2, job["result"]
    with in_tenant(tenant):
        stored = {m.name: (m.id_number, m.ethnicity) for m in db.session.scalars(select(Member))}
    assert stored["全角"][0] == wide["公民身份号码"].translate(
        str.maketrans("０１２３４５６７８９Ｘ", "0123456789X")
    )
    assert stored["张三"] == (hidden["公民身份号码"].lstrip("\u200b"), "汉族")


def test_inline_and_shared_strings_read_alike(tree, tenant, in_tenant, auth_headers, upload):
    rows = _rows(3)
    for inline in (True, False):
        _, job = upload(auth_headers(tenant), bf.xlsx(rows, inline=inline))
        assert job["result"]["status"] == "imported", job["result"]
    with in_tenant(tenant):
        names = sorted(m.name for m in db.session.scalars(select(Member)))
    assert names == sorted(r["姓名"] for r in rows)  # the second import found the same three


def test_headers_with_invisible_and_full_width_characters(tree, tenant, auth_headers, upload):
    headers = [
        "\ufeff姓名",
        "公民身份号码\u200b",
        "民族",
        "入党日期",
        "所在党支部",
        "人员类别／工作岗位",
    ]
    row = person("B1", birth=date(1975, 3, 4))
    row = {
        h: row[h.replace("\ufeff", "").replace("\u200b", "").replace("／", "/")] for h in headers
    }
    _, job = upload(auth_headers(tenant), bf.xlsx([row], headers))
    assert job["result"]["status"] == "imported", job["result"]
