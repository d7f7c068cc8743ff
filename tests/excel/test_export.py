"""Exports: masked per role, limited to the user's scope, and importable again."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.excel.conftest import HEADERS, person, read_sheet, sheet_bytes


def _import(upload, headers, rows):
    _, job = upload(headers, sheet_bytes(rows))
    assert job["result"]["status"] == "imported", job["result"]


def _export(client, headers, what="members", **query):
    response = client.get(f"/api/v1/exports/{what}", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return response.data


def test_members_export_is_masked_below_the_register_keepers(tree, tenant, client, auth_headers, upload):
    admin = auth_headers(tenant)
    rows = [person("B1", 姓名="张三"), person("B2", 姓名="李四"), person("B3", 姓名="王五")]
    _import(upload, admin, rows)

    header, data = read_sheet(_export(client, admin))
    assert header == HEADERS
    by_name = {r[header.index("姓名")]: dict(zip(header, r, strict=True)) for r in data}
    assert set(by_name) == {"张三", "李四", "王五"}
    zhang = by_name["张三"]
    assert zhang["公民身份号码"] == rows[0]["公民身份号码"]
    assert zhang["联系电话"] == "13812345678"
    assert (zhang["所在党支部"], zhang["所在党支部编码"], zhang["党籍状态"]) == ("第一支部", "B1", "正式党员")
    assert (zhang["性别"], zhang["学历"], zhang["是否失联"]) == ("男", "大学本科", "否")

    member = auth_headers(tenant, role="member", org=tree["C"])
    header, data = read_sheet(_export(client, member))
    by_name = {r[header.index("姓名")]: dict(zip(header, r, strict=True)) for r in data}
    assert set(by_name) == {"张三", "李四"}  # 王五 is outside the user's scope
    zhang = by_name["张三"]
    assert zhang["公民身份号码"] != rows[0]["公民身份号码"] and "*" in zhang["公民身份号码"]
    assert zhang["公民身份号码"][-4:] == rows[0]["公民身份号码"][-4:]
    assert zhang["联系电话"] == "138****5678"

    secretary = auth_headers(tenant, role="branch_secretary", org=tree["B1"])
    header, data = read_sheet(_export(client, secretary, subtree_of=str(tree["B1"])))
    assert [r[header.index("公民身份号码")] for r in data] == [rows[0]["公民身份号码"]]


def test_export_round_trip_reimports_cleanly(tree, tenant, in_tenant, client, auth_headers, upload):
    admin = auth_headers(tenant)
    rows = [person("B1", 姓名="张三"),
            person("B2", 姓名="李四", 是否失联="是", 失联日期="2023-05-01", 失联原因="其他"),
            person("B3", 姓名="王五", 党籍状态="预备党员", 转正日期=None, 是否学生="是")]
    _import(upload, admin, rows)
    exported = _export(client, admin)
    _, job = upload(admin, exported)
    result = job["result"]
    assert result["status"] == "imported", result
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 3)

    # An edited export updates the register.
    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("姓名")].value == "王五":
            row[header.index("工作单位")].value = "南京大学"
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, job = upload(admin, buffer.getvalue())
    assert (job["result"]["updated"], job["result"]["unchanged"]) == (1, 2), job["result"]


def test_masked_export_is_not_importable(tree, tenant, client, auth_headers, upload):
    admin = auth_headers(tenant)
    _import(upload, admin, [person("B1")])
    exported = _export(client, auth_headers(tenant, role="member", org=tree["B1"]))
    _, job = upload(admin, exported)
    assert job["result"]["status"] == "rejected"
    assert job["result"]["errors"][0]["column"] == "公民身份号码"


def test_orgs_export(tree, tenant, client, auth_headers, upload):
    admin = auth_headers(tenant)
    _import(upload, admin, [person("B1"), person("B1"), person("B2")])
    header, data = read_sheet(_export(client, admin, "orgs", subtree_of=str(tree["C"])))
    assert header[:3] == ["党组织编码", "党组织全称", "组织类别"]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in data}
    assert set(rows) == {"C", "B1", "B2"}
    assert (rows["B1"]["组织类别"], rows["B1"]["上级党组织编码"], rows["B1"]["直属党员数"]) == ("党支部", "C", 2)
    assert rows["C"]["上级党组织全称"] == "甲市委"


def test_export_scope_and_unknown_subtrees(tree, tenant, tenant_b, in_tenant, client, auth_headers):
    from core.db import db
    from core.orgs import service as orgs

    with in_tenant(tenant_b):
        foreign = orgs.create(name="乙市委", code="Z", kind="committee")
        db.session.commit()
        foreign_id = str(foreign.id)
    admin = auth_headers(tenant)
    for what in ("members", "orgs"):
        for subtree in (foreign_id, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
            response = client.get(f"/api/v1/exports/{what}", headers=admin, query_string={"subtree_of": subtree})
            assert response.status_code in (404, 422), (what, subtree)
    member = auth_headers(tenant, role="member", org=tree["B1"])
    response = client.get("/api/v1/exports/members", headers=member, query_string={"subtree_of": str(tree["B3"])})
    assert response.status_code == 404
    assert client.get("/api/v1/exports/members", headers={"X-Tenant": "alpha"}).status_code == 401


def test_cli_export(tree, tenant, auth_headers, upload, app, tmp_path):
    rows = [person("B1", 姓名="张三"), person("B3", 姓名="王五")]
    _import(upload, auth_headers(tenant), rows)
    runner = app.test_cli_runner()
    path = tmp_path / "members.xlsx"
    result = runner.invoke(args=["export", "members", str(path), "--tenant", "alpha", "--subtree", "C"])
    assert result.exit_code == 0, result.output
    header, data = read_sheet(path.read_bytes())
    assert [r[header.index("公民身份号码")] for r in data] == [rows[0]["公民身份号码"]]
    result = runner.invoke(args=["export", "members", str(path), "--tenant", "alpha", "--masked"])
    header, data = read_sheet(path.read_bytes())
    assert len(data) == 2 and all("*" in r[header.index("公民身份号码")] for r in data)
    result = runner.invoke(args=["export", "orgs", str(path), "--tenant", "alpha"])
    assert result.exit_code == 0 and "6 organisations" in result.output
    result = runner.invoke(args=["export", "members", str(path), "--tenant", "alpha", "--subtree", "NOPE"])
    assert result.exit_code == 2 and "--subtree" in result.output
