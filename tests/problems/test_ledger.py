"""整改台账: the .xlsx opens, has the user's rows (problems and weak organisations) of the
subtree and year asked for, and nothing outside them."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.problems.conftest import add_text_evidence


def _book(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def _rows(sheet) -> list[dict]:
    headers = [c.value for c in sheet[2]]
    return [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_ledger_xlsx_has_the_rows(client, tenant, city, login, new_problem):
    admin = login(tenant, "tenant_admin")
    secretary = login(tenant, "branch_secretary", "X")
    closed = new_problem(admin, city["X"], title="会议记录不全", found_on="2025-02-01", deadline="2025-03-01")
    new_problem(admin, city["Y"], title="党费台账缺失", found_on="2025-03-01", deadline="2025-04-01",
                source="report")
    new_problem(admin, city["Z"], title="Z的问题", found_on="2025-03-01", deadline="2025-04-01")
    new_problem(admin, city["X"], title="去年的问题", found_on="2024-05-01", deadline="2024-06-01")
    client.post(f"/api/v1/problems/{closed['id']}/start", headers=secretary, json={})
    add_text_evidence(client, secretary, closed["id"])
    client.post(f"/api/v1/problems/{closed['id']}/submit", headers=secretary, json={"rectification": "补齐记录"})
    assert client.post(f"/api/v1/problems/{closed['id']}/approve", headers=login(tenant, "org_manager", "C1"),
                       json={}).status_code == 200
    client.post("/api/v1/problems/weak-orgs", headers=admin, json={
        "org_id": str(city["Y"]), "year": 2025, "reason_category": "书记不胜任", "leader_name": "王局长"})

    c1 = login(tenant, "org_manager", "C1")
    book = _book(client.get("/api/v1/problems/ledger.xlsx", headers=c1, query_string={"year": 2025}))
    assert book.sheetnames == ["问题整改台账", "软弱涣散党组织"]
    sheet = book["问题整改台账"]
    assert "2025年" in sheet["A1"].value
    rows = _rows(sheet)
    assert [(r["党组织"], r["问题"]) for r in rows] == [("X支部", "会议记录不全"), ("Y支部", "党费台账缺失")]
    first, second = rows
    assert first["状态"] == "已销号" and first["整改措施"] == "补齐记录" and first["销号时间"]
    assert first["问题来源"] == "检查发现" and first["是否逾期"] == "否" and first["责任人"] == "张三"
    assert second["状态"] == "待整改" and second["是否逾期"].startswith("逾期")
    assert second["问题来源"] == "群众反映/上级通报"
    weak = _rows(book["软弱涣散党组织"])
    assert [(r["党组织"], r["认定原因"], r["包联领导"], r["状态"]) for r in weak] == [
        ("Y支部", "书记不胜任", "王局长", "已认定")]

    # the organisation filter, everything the admin sees without a year
    rows = _rows(_book(client.get("/api/v1/problems/ledger.xlsx", headers=admin,
                                  query_string={"org": str(city["X"])}))["问题整改台账"])
    assert sorted(r["问题"] for r in rows) == ["会议记录不全", "去年的问题"]
    assert len(_rows(_book(client.get("/api/v1/problems/ledger.xlsx", headers=admin))["问题整改台账"])) == 4
    assert client.get("/api/v1/problems/ledger.xlsx", headers=c1,
                      query_string={"org": str(city["Z"])}).status_code == 404
    response = client.get("/api/v1/problems/ledger.xlsx", headers=c1, query_string={"year": "last"})
    assert response.status_code == 422
    assert client.get("/api/v1/problems/ledger.xlsx", headers={"X-Tenant": "alpha"}).status_code == 401
