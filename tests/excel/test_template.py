"""The import template: headers, drop-downs, the allowed values and the user's organisations."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.excel.conftest import HEADERS

NATIONAL_ITEMS = ("姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别/工作岗位", "入党日期",
                  "转正日期", "所在党支部", "联系电话", "家庭住址", "党籍状态", "是否失联", "失联日期",
                  "是否流动党员", "外出流向")


def _template(client, headers):
    response = client.get("/api/v1/imports/members/template", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data))


def _validation_for(sheet, header):
    letter = next(c.column_letter for c in sheet[1] if c.value == header)
    for validation in sheet.data_validations.dataValidation:
        if any(str(r).startswith(f"{letter}2:") for r in validation.sqref.ranges):
            return validation
    return None


def test_template_headers_and_drop_downs(tree, tenant, client, auth_headers):
    workbook = _template(client, auth_headers(tenant))
    assert workbook.sheetnames == ["党员信息", "可选值", "填写说明", "党组织"]
    sheet = workbook["党员信息"]
    header = [c.value for c in sheet[1]]
    assert header == HEADERS
    assert set(NATIONAL_ITEMS) <= set(header)
    for name in ("性别", "学历", "党籍状态", "失联原因", "是否失联", "民族"):
        validation = _validation_for(sheet, name)
        assert validation is not None and validation.type == "list", name
    values = workbook["可选值"]
    lists = {col[0].value: [c.value for c in col[1:] if c.value] for col in values.iter_cols()}
    assert lists["性别"] == ["男", "女"]
    assert "大学本科" in lists["学历"] and "正式党员" in lists["党籍状态"]
    assert "外出务工经商" in lists["失联原因"] and "汉族" in lists["民族"]
    id_validation = _validation_for(sheet, "公民身份号码")
    assert (id_validation.type, id_validation.formula1) == ("textLength", "18")
    id_letter = next(c.column_letter for c in sheet[1] if c.value == "公民身份号码")
    assert sheet.column_dimensions[id_letter].number_format == "@"
    assert "15" in sheet[f"{id_letter}1"].comment.text  # the warning about number cells
    help_text = " ".join(str(c.value) for c in workbook["填写说明"]["A"] if c.value)
    assert "文本格式" in help_text
    orgs = [[c.value for c in row] for row in workbook["党组织"].iter_rows(min_row=2)]
    assert sorted(o[0] for o in orgs) == ["B1", "B2", "B3", "C", "D", "R"]


def test_template_lists_only_the_users_organisations(tree, tenant, client, auth_headers):
    workbook = _template(client, auth_headers(tenant, role="branch_secretary", org=tree["C"]))
    orgs = [row[0].value for row in workbook["党组织"].iter_rows(min_row=2)]
    assert sorted(orgs) == ["B1", "B2", "C"]
    workbook = _template(client, auth_headers(tenant, role="member", org=tree["C"]))
    assert "党组织" not in workbook.sheetnames


def test_template_needs_a_login(tenant, client):
    response = client.get("/api/v1/imports/members/template", headers={"X-Tenant": "alpha"})
    assert response.status_code == 401


def test_cli_template(tree, app, tmp_path):
    path = tmp_path / "template.xlsx"
    result = app.test_cli_runner().invoke(args=["import", "template", str(path), "--tenant", "alpha"])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    assert [c.value for c in workbook["党员信息"][1]] == HEADERS
    assert workbook["党组织"].max_row == 7
    result = app.test_cli_runner().invoke(args=["import", "template", str(tmp_path / "plain.xlsx")])
    assert result.exit_code == 0
    assert "党组织" not in load_workbook(tmp_path / "plain.xlsx").sheetnames
