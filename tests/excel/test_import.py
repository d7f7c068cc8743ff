"""Importing members from .xlsx: good, bad and duplicate rows, modes, re-import, scope."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.db import db
from core.members.models import Member, MemberEvent
from tests.excel.conftest import person, sheet_bytes


def _members(tenant, in_tenant) -> dict:
    """The tenant's members by ID number, detached with their columns loaded."""
    with in_tenant(tenant):
        members = db.session.scalars(select(Member)).all()
        for m in members:
            db.session.expunge(m)
        return {m.id_number: m for m in members}


def _events(tenant, in_tenant) -> list:
    with in_tenant(tenant):
        events = db.session.scalars(select(MemberEvent).order_by(MemberEvent.created_at)).all()
        for e in events:
            db.session.expunge(e)
        return events


def test_good_file_creates_members_with_events(tree, tenant, in_tenant, auth_headers, upload):
    headers = auth_headers(tenant)
    rows = [person("B1", 姓名="张三"), person("第二支部", 姓名="李四", sex="female"),
            person("B3", 姓名="王五", 党籍状态="预备党员", 转正日期=None)]
    response, job = upload(headers, sheet_bytes(rows))
    assert response.status_code == 202, response.get_json()
    assert job["state"] == "finished", job
    result = job["result"]
    assert result["status"] == "imported", result
    assert (result["created"], result["updated"], result["error_count"]) == (3, 0, 0)
    members = _members(tenant, in_tenant)
    assert len(members) == 3
    zhang = members[rows[0]["公民身份号码"]]
    assert (zhang.name, zhang.gender, zhang.status, zhang.org_id) == ("张三", "male", "full", tree["B1"])
    assert zhang.name_initials == "zs"
    assert zhang.education == "bachelor"
    li = members[rows[1]["公民身份号码"]]
    assert (li.gender, li.org_id) == ("female", tree["B2"])
    wang = members[rows[2]["公民身份号码"]]
    assert (wang.status, wang.full_on) == ("probationary", None)
    events = _events(tenant, in_tenant)
    assert sorted(e.kind for e in events) == ["admitted"] * 3
    assert {e.member_id for e in events} == {m.id for m in members.values()}
    event = next(e for e in events if e.member_id == zhang.id)
    assert (event.occurred_on, event.to_org_id, event.to_status) == (zhang.joined_on, tree["B1"], "full")
    assert event.details["row"] == 2


def _error_cells(result) -> set[tuple]:
    return {(e["row"], e["column"]) for e in result["errors"]}


def _reasons(result, row, column) -> str:
    return " ".join(e["reason"] for e in result["errors"] if (e["row"], e["column"]) == (row, column))


def _bad_rows():
    good = person("B1", 姓名="好人")
    wrong_check = person("B1", 姓名="校验错")
    number = wrong_check["公民身份号码"]
    wrong_check["公民身份号码"] = number[:17] + ("0" if number[17] != "0" else "1")
    birth_mismatch = person("B1", 姓名="生日错")
    birth_mismatch["出生日期"] = date(1950, 1, 1)
    unknown_org = person("NOPE", 姓名="无组织")
    missing = person("B1", 姓名="缺民族", 民族=None)
    bad_date = person("B1", 姓名="日期错", 入党日期="2001-13-45")
    twin_a = person("B1", 姓名="重复甲")
    twin_b = person("B2", 姓名="重复乙", 公民身份号码=twin_a["公民身份号码"],
                    出生日期=twin_a["出生日期"])
    lost_precision = person("B1", 姓名="数字号")
    lost_precision["公民身份号码"] = int(lost_precision["公民身份号码"][:15] + "000")
    return [good, wrong_check, birth_mismatch, unknown_org, missing, bad_date, twin_a, twin_b,
            lost_precision]


def test_every_bad_row_is_reported_and_nothing_is_written(tree, tenant, in_tenant, auth_headers, upload):
    headers = auth_headers(tenant)
    response, job = upload(headers, sheet_bytes(_bad_rows()))
    assert response.status_code == 202
    result = job["result"]
    assert job["state"] == "finished"
    assert result["status"] == "rejected"
    assert result["created"] == 0 and result["rows"] == 9
    # Rows as Excel numbers them: the header is row 1, the good row is row 2.
    assert _error_cells(result) == {
        (3, "公民身份号码"), (4, "出生日期"), (5, "所在党支部"), (6, "民族"), (7, "入党日期"),
        (8, "公民身份号码"), (9, "公民身份号码"), (10, "公民身份号码"),
    }
    assert "check character" in _reasons(result, 3, "公民身份号码")
    assert "agree with the ID number" in _reasons(result, 4, "出生日期")
    assert "NOPE" in _reasons(result, 5, "所在党支部")
    assert "empty" in _reasons(result, 6, "民族")
    assert "2001-13-45" in _reasons(result, 7, "入党日期")
    assert "row 9" in _reasons(result, 8, "公民身份号码")
    assert "row 8" in _reasons(result, 9, "公民身份号码")
    assert "15 digits" in _reasons(result, 10, "公民身份号码")
    assert result["skipped_rows"] == 8
    assert result["error_count"] == 8 and not result["errors_truncated"]
    assert _members(tenant, in_tenant) == {}
    assert _events(tenant, in_tenant) == []


def test_valid_rows_only_writes_the_good_rows(tree, tenant, in_tenant, auth_headers, upload):
    headers = auth_headers(tenant)
    rows = _bad_rows()
    response, job = upload(headers, sheet_bytes(rows), mode="valid_rows_only")
    result = job["result"]
    assert result["status"] == "imported", result
    assert result["created"] == 1 and result["skipped_rows"] == 8
    assert len(result["errors"]) == 8
    members = _members(tenant, in_tenant)
    assert [m.name for m in members.values()] == ["好人"]
    assert len(_events(tenant, in_tenant)) == 1


def test_mode_is_validated_and_may_come_from_the_query(tree, tenant, auth_headers, client):
    import io

    headers = auth_headers(tenant)
    data = sheet_bytes([person("B1")])
    response = client.post("/api/v1/imports/members", data={"file": (io.BytesIO(data), "a.xlsx"), "mode": "some"},
                           headers=headers, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "mode" in response.get_json()["errors"]
    response = client.post("/api/v1/imports/members?mode=valid_rows_only",
                           data={"file": (io.BytesIO(data), "a.xlsx")},
                           headers=headers, content_type="multipart/form-data")
    assert response.status_code == 202
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{response.get_json()['id']}")


def test_reimport_updates_and_creates_no_duplicates(tree, tenant, in_tenant, auth_headers, upload):
    headers = auth_headers(tenant)
    rows = [person("B1", 姓名="张三"), person("B1", 姓名="李四"), person("B2", 姓名="王五")]
    _, job = upload(headers, sheet_bytes(rows))
    assert job["result"]["created"] == 3
    before = _members(tenant, in_tenant)

    _, job = upload(headers, sheet_bytes(rows))  # the same file again
    result = job["result"]
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 3), result
    assert len(_events(tenant, in_tenant)) == 3

    rows[0]["联系电话"] = "13900001111"
    rows[0]["姓名"] = "张叁"
    rows[1]["所在党支部"] = "B3"  # moved
    rows[2]["是否失联"] = "是"
    rows[2]["失联日期"] = date(2024, 3, 1)
    rows[2]["失联原因"] = "外出务工经商"
    rows.append(person("B2", 姓名="赵六"))
    _, job = upload(headers, sheet_bytes(rows))
    result = job["result"]
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 3, 0), result
    after = _members(tenant, in_tenant)
    assert len(after) == 4
    zhang = after[rows[0]["公民身份号码"]]
    assert zhang.id == before[rows[0]["公民身份号码"]].id
    assert (zhang.phone, zhang.name, zhang.name_initials) == ("13900001111", "张叁", "zs")
    assert zhang.version == 2
    li = after[rows[1]["公民身份号码"]]
    assert li.org_id == tree["B3"]
    wang = after[rows[2]["公民身份号码"]]
    assert (wang.status, wang.lost_contact_since, wang.lost_contact_reason) == (
        "lost_contact", date(2024, 3, 1), "migrant_work")
    kinds = [(e.member_id, e.kind) for e in _events(tenant, in_tenant)]
    assert (li.id, "moved") in kinds
    assert (wang.id, "status_changed") in kinds
    assert sum(1 for _, kind in kinds if kind == "admitted") == 4
    moved = next(e for e in _events(tenant, in_tenant) if e.kind == "moved")
    assert (moved.from_org_id, moved.to_org_id) == (tree["B1"], tree["B3"])
    changed = next(e for e in _events(tenant, in_tenant) if e.kind == "status_changed")
    assert (changed.from_status, changed.to_status, changed.occurred_on) == (
        "full", "lost_contact", date(2024, 3, 1))


def test_not_an_xlsx_is_refused_naming_file(tree, tenant, auth_headers, upload, app):
    import io
    import os
    import zipfile

    def stored():
        folder = os.path.join(app.instance_path, "uploads")
        return {f for _, _, files in os.walk(folder) for f in files}

    before = stored()
    headers = auth_headers(tenant)
    for data in ("name,id\n张三,1\n".encode(), b"\xd0\xcf\x11\xe0" + b"\0" * 600, b""):
        response, _ = upload(headers, data, filename="a.xlsx")
        assert response.status_code == 422, data[:10]
        body = response.get_json()
        assert "file" in body["errors"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    response, _ = upload(headers, archive.getvalue())
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
    assert stored() == before  # nothing refused is kept


def test_missing_file_is_422_naming_file(tenant, auth_headers, client):
    response = client.post("/api/v1/imports/members", data={}, headers=auth_headers(tenant),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]


def test_wrong_headers_are_one_clear_error(tree, tenant, in_tenant, auth_headers, upload):
    headers = [h for h in HEADERS_WITHOUT("民族", "入党日期")] + ["籍贯"]
    data = sheet_bytes([person("B1")], headers=headers)
    _, job = upload(auth_headers(tenant), data)
    result = job["result"]
    assert result["status"] == "rejected"
    assert "missing 民族, 入党日期" in result["message"] and "unknown 籍贯" in result["message"]
    assert {(e["row"], e["column"]) for e in result["errors"]} == {(1, "民族"), (1, "入党日期"), (1, "籍贯")}
    assert _members(tenant, in_tenant) == {}


def HEADERS_WITHOUT(*names):
    from tests.excel.conftest import HEADERS

    return [h for h in HEADERS if h not in names]


def test_headers_in_any_order_below_a_title_with_aliases(tree, tenant, in_tenant, auth_headers, upload):
    row = person("第一支部", birth=date(1970, 5, 4), 入党日期="2001.07.01", 转正日期="2002/7/1")
    row["身份证号码"] = row.pop("公民身份号码")
    row["序号"] = 1
    headers = ["序号", "身份证号码", "姓名", "所在党支部", "民族", "入党日期", "转正日期", "联系电话"]
    row["联系电话"] = 13812345678  # a number cell: fine for a phone
    data = sheet_bytes([row], headers=headers, above=[["某党委党员信息采集表"]])
    _, job = upload(auth_headers(tenant), data)
    assert job["result"]["status"] == "imported", job["result"]
    member = _members(tenant, in_tenant)[row["身份证号码"]]
    assert (member.joined_on, member.full_on, member.status) == (date(2001, 7, 1), date(2002, 7, 1), "full")
    assert member.phone == "13812345678"
    assert member.org_id == tree["B1"]


def test_another_tenants_org_codes_are_unknown(tree, tenant, tenant_b, in_tenant, auth_headers, upload):
    from core.orgs import service as orgs

    with in_tenant(tenant_b):
        orgs.create(name="乙支部", code="BX", kind="branch")
        db.session.commit()
    _, job = upload(auth_headers(tenant), sheet_bytes([person("BX")]))
    result = job["result"]
    assert result["status"] == "rejected"
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(2, "所在党支部")]
    assert _members(tenant, in_tenant) == {}
    assert _members(tenant_b, in_tenant) == {}


def test_rows_only_go_where_the_user_keeps_the_register(tree, tenant, in_tenant, auth_headers, upload):
    admin = auth_headers(tenant)
    outsider = person("B3", 姓名="外人")
    upload(admin, sheet_bytes([outsider]))
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["B1"])
    rows = [person("B1", 姓名="本支部"), person("B2", 姓名="邻支部"), dict(outsider, 所在党支部="B1")]
    _, job = upload(secretary, sheet_bytes(rows))
    result = job["result"]
    assert result["status"] == "rejected"
    assert "Unknown organisation" in _reasons(result, 3, "所在党支部")
    assert "outside your scope" in _reasons(result, 4, "公民身份号码")
    assert len(_members(tenant, in_tenant)) == 1
    member_role = auth_headers(tenant, role="member", org=tree["B1"])
    response, _ = upload(member_role, sheet_bytes([person("B1")]))
    assert response.status_code == 403


def test_lost_contact_and_mobile_flags_set_the_status(tree, tenant, in_tenant, auth_headers, upload):
    lost = person("B1", 是否失联="是", 失联日期="2023-05-01", 失联原因="出国(境)")
    mobile = person("B1", 是否流动党员="是", 外出日期=date(2022, 1, 1), 外出流向="广东省深圳市",
                    党籍状态="预备党员", 转正日期=None)
    both = person("B1", 是否失联="是", 是否流动党员="是", 失联日期="2023-05-01", 失联原因="其他")
    _, job = upload(auth_headers(tenant), sheet_bytes([lost, mobile, both]), mode="valid_rows_only")
    result = job["result"]
    assert _error_cells(result) == {(4, "是否流动党员")}
    members = _members(tenant, in_tenant)
    assert members[lost["公民身份号码"]].status == "lost_contact"
    assert members[lost["公民身份号码"]].lost_contact_reason == "abroad"
    assert members[mobile["公民身份号码"]].status == "mobile"
    assert members[mobile["公民身份号码"]].mobile_destination == "广东省深圳市"


def test_ambiguous_org_name_needs_the_code(tree, tenant, in_tenant, auth_headers, upload):
    from core.orgs import service as orgs

    with in_tenant(tenant):
        parent = orgs.by_code("D")
        orgs.create(name="第一支部", code="B9", kind="branch", parent=parent)
        db.session.commit()
    rows = [person("第一支部"), person("第一支部", 所在党支部编码="B9"), person("第二支部", 所在党支部编码="B1")]
    _, job = upload(auth_headers(tenant), sheet_bytes(rows), mode="valid_rows_only")
    result = job["result"]
    assert "2 organisations are named" in _reasons(result, 2, "所在党支部")
    assert "Does not match" in _reasons(result, 4, "所在党支部")
    assert result["created"] == 1
    assert [m.org_id for m in _members(tenant, in_tenant).values()] == [_org_id(tenant, in_tenant, "B9")]


def _org_id(tenant, in_tenant, code):
    from core.orgs import service as orgs

    with in_tenant(tenant):
        return orgs.by_code(code).id


def test_cli_import(tree, tenant, in_tenant, app, run_jobs, tmp_path):
    path = tmp_path / "members.xlsx"
    path.write_bytes(sheet_bytes([person("B1", 姓名="命令行")]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "members", str(path), "--tenant", "alpha"])
    assert result.exit_code == 0, result.output
    assert "job " in result.output
    run_jobs()
    assert [m.name for m in _members(tenant, in_tenant).values()] == ["命令行"]
    with in_tenant(tenant):
        event = db.session.scalar(select(MemberEvent))
        assert event.actor_label.startswith("job:imports.members")

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    result = runner.invoke(args=["import", "members", str(bad), "--tenant", "alpha"])
    assert result.exit_code == 2 and "FILE" in result.output
    result = runner.invoke(args=["import", "members", str(path), "--tenant", "nope"])
    assert result.exit_code == 2 and "--tenant" in result.output


def test_cli_import_prints_row_errors(tree, tenant, in_tenant, app, backend, tmp_path):
    if backend != "sqlite":
        return  # with Redis the job is queued; its result is covered through the API
    path = tmp_path / "members.xlsx"
    path.write_bytes(sheet_bytes([person("NOPE")]))
    result = app.test_cli_runner().invoke(args=["import", "members", str(path), "--tenant", "alpha"])
    assert result.exit_code == 1
    assert "row 2 [所在党支部]" in result.output
    assert _members(tenant, in_tenant) == {}


def test_member_count_query_is_tenant_scoped(tree, tenant, in_tenant, auth_headers, upload):
    _, job = upload(auth_headers(tenant), sheet_bytes([person("B1") for _ in range(5)]))
    assert job["result"]["created"] == 5
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(Member)) == 5


def test_large_sheets_stream_through_a_child_process_in_batches(
    tree, tenant, in_tenant, auth_headers, upload, app, monkeypatch
):
    """Read by a child process in batches of two rows: a row written in an early batch whose
    ID number comes again later is not kept (valid_rows_only rewrites the good rows), and
    all_or_nothing rolls back what it had written."""
    monkeypatch.setitem(app.config, "IMPORT_CHILD_MIN_BYTES", 0)
    monkeypatch.setitem(app.config, "IMPORT_BATCH_ROWS", 2)
    headers = auth_headers(tenant)
    first = person("B1", 姓名="甲")
    rows = [first, person("B1", 姓名="乙"), person("B2", 姓名="丙"), person("B2", 姓名="丁"),
            dict(first, 姓名="甲二"), person("B3", 姓名="戊")]
    _, job = upload(headers, sheet_bytes(rows))
    result = job["result"]
    assert result["status"] == "rejected"
    assert _error_cells(result) == {(2, "公民身份号码"), (6, "公民身份号码")}
    assert _members(tenant, in_tenant) == {} and _events(tenant, in_tenant) == []

    _, job = upload(headers, sheet_bytes(rows), mode="valid_rows_only")
    result = job["result"]
    assert (result["status"], result["created"], result["skipped_rows"]) == ("imported", 4, 2)
    assert sorted(m.name for m in _members(tenant, in_tenant).values()) == ["丁", "丙", "乙", "戊"]
    assert len(_events(tenant, in_tenant)) == 4

    _, job = upload(headers, sheet_bytes(rows[1:4]))  # again, through the child: unchanged
    assert (job["result"]["created"], job["result"]["unchanged"]) == (0, 3)


def test_the_upload_is_removed_once_imported(tree, tenant, auth_headers, upload, app):
    import os

    def stored():
        folder = os.path.join(app.instance_path, "uploads")
        return {f for _, _, files in os.walk(folder) for f in files}

    before = stored()
    _, job = upload(auth_headers(tenant), sheet_bytes([person("B1")]))
    assert job["result"]["status"] == "imported"
    assert stored() == before


def test_a_member_changed_meanwhile_is_not_overwritten(tree, tenant, in_tenant, auth_headers, upload,
                                                       app, monkeypatch):
    """The update carries the version the import read; a member changed since makes the job
    retry and, when it keeps happening, fail — writing nothing."""
    from core.excel import importer

    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", [0])
    headers = auth_headers(tenant)
    rows = [person("B1", 姓名="张三")]
    upload(headers, sheet_bytes(rows))
    original = importer._Importer._change

    def stale(self, p, row):  # as if someone saved the member between reading and writing
        change = original(self, p, row)
        if change:
            change.version -= 1
        return change

    monkeypatch.setattr(importer._Importer, "_change", stale)
    rows[0]["联系电话"] = "13900001111"
    _, job = upload(headers, sheet_bytes(rows + [person("B2", 姓名="新人")]))
    assert job["state"] == "failed", job
    assert "changed by someone else" in job["error"]
    assert job["attempts"] == app.config["JOB_MAX_RETRIES"] + 1
    members = _members(tenant, in_tenant)
    assert [m.phone for m in members.values()] == ["13812345678"]


def test_an_upload_over_the_size_limit_is_413(tree, tenant, auth_headers, upload, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response, _ = upload(auth_headers(tenant), sheet_bytes([person("B1")]))
    assert response.status_code == 413
    assert set(response.get_json()) == {"code", "message", "errors"}


def test_an_unknown_code_in_the_code_column(tree, tenant, in_tenant, auth_headers, upload):
    _, job = upload(auth_headers(tenant), sheet_bytes([person(None, 所在党支部编码="NOPE")]))
    assert [(e["row"], e["column"]) for e in job["result"]["errors"]] == [(2, "所在党支部编码")]
    assert "NOPE" in job["result"]["errors"][0]["reason"]
