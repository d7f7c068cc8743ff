"""The statistics API: the tables, the drill-down, the .xlsx export, scope and bad input."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from core.db import db
from core.orgs import service as orgs
from core.statistics import compute
from tests.statistics.conftest import YEAR
from tests.support.auth import error_fields

URL = "/api/v1/statistics"


def _query(org_id, period="annual", **extra):
    return {"org_id": str(org_id), "year": YEAR, "period": period, **extra}


def test_the_tables_and_each_drill_down_through_the_api(
    client, tenant, in_tenant, city, auth_headers
):
    headers = auth_headers(tenant)
    response = client.get(URL, query_string=_query(city["e"], "half"), headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["end"] == f"{YEAR}-06-30" and body["org_id"] == str(city["e"])
    with in_tenant(tenant):
        direct = compute.figures(orgs.get(city["e"]), YEAR, "half")
    assert [t["cells"] for t in body["tables"]] == [t["cells"] for t in direct["tables"]]
    for table in body["tables"]:
        for row, columns in table["cells"].items():
            for column, n in columns.items():
                if not n:
                    continue
                args = _query(city["e"], "half", table=table["key"], row=row, column=column)
                drill = client.get(f"{URL}/drill", query_string=args, headers=headers)
                assert drill.status_code == 200, drill.get_json()
                items = drill.get_json()["items"]
                assert drill.get_json()["count"] == len(items) == n
                assert all(
                    set(i) == {"id", "name", "org_id", "org_name", "occurred_on"} for i in items
                )


def test_the_export_holds_the_api_figures_in_the_standard_layout(
    client, tenant, in_tenant, city, auth_headers
):
    with in_tenant(tenant):
        orgs.get(city["e"]).name = '=HYPERLINK("http://x")边界党委'
        db.session.commit()
    headers = auth_headers(tenant)
    body = client.get(URL, query_string=_query(city["e"]), headers=headers).get_json()
    response = client.get(f"{URL}/export.xlsx", query_string=_query(city["e"]), headers=headers)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [t["title"] for t in body["tables"]]
    for table in body["tables"]:
        sheet = workbook[table["title"]]
        title = sheet.cell(1, 1).value
        assert (
            title.startswith("'=HYPERLINK") and f"{YEAR}年度" in title and table["title"] in title
        )
        assert sheet.cell(3, 1).value == "项目"
        assert [sheet.cell(3, 2 + i).value for i in range(len(table["columns"]))] == [
            c["label"] for c in table["columns"]
        ]
        for offset, row in enumerate(table["rows"]):
            assert sheet.cell(4 + offset, 1).value == row["label"]
            for position, column in enumerate(table["columns"]):
                value = sheet.cell(4 + offset, 2 + position).value
                assert value == table["cells"][row["key"]][column["key"]], (
                    table["key"],
                    row,
                    column,
                )


def test_a_branch_secretary_sees_only_their_branch(client, tenant, in_tenant, city, auth_headers):
    headers = auth_headers(tenant, role="branch_secretary", org=city["e1"])
    assert client.get(URL, query_string=_query(city["e"]), headers=headers).status_code == 404
    drill = _query(city["e"], table="gender", row="total", column="total")
    assert client.get(f"{URL}/drill", query_string=drill, headers=headers).status_code == 404
    export = client.get(f"{URL}/export.xlsx", query_string=_query(city["e"]), headers=headers)
    assert export.status_code == 404
    own = client.get(URL, query_string=_query(city["e1"]), headers=headers)
    assert own.status_code == 200
    with in_tenant(tenant):
        direct = compute.figures(orgs.get(city["e1"]), YEAR, "annual")
    assert [t["cells"] for t in own.get_json()["tables"]] == [t["cells"] for t in direct["tables"]]
    drill = _query(city["e1"], table="gender", row="total", column="total")
    items = client.get(f"{URL}/drill", query_string=drill, headers=headers).get_json()["items"]
    assert items and {i["org_id"] for i in items} == {str(city["e1"])}


def test_another_tenants_organisation_is_404(client, tenant, tenant_b, city, auth_headers):
    headers = auth_headers(tenant_b)
    assert client.get(URL, query_string=_query(city["root"]), headers=headers).status_code == 404
    drill = _query(city["root"], table="gender", row="total", column="total")
    assert client.get(f"{URL}/drill", query_string=drill, headers=headers).status_code == 404
    export = client.get(f"{URL}/export.xlsx", query_string=_query(city["root"]), headers=headers)
    assert export.status_code == 404


def test_bad_parameters_are_422_naming_the_field(client, tenant, city, auth_headers):
    headers = auth_headers(tenant)
    e = city["e"]
    cases = [
        ({"org_id": str(e), "period": "annual"}, "year"),
        ({"org_id": str(e), "year": "twenty"}, "year"),
        ({"org_id": str(e), "year": 1800}, "year"),
        ({"org_id": "not-an-id", "year": YEAR}, "org_id"),
        ({"year": YEAR}, "org_id"),
        (_query(e, period="quarter"), "period"),
    ]
    for args, field in cases:
        for path in ("", "/export.xlsx"):
            response = client.get(URL + path, query_string=args, headers=headers)
            assert response.status_code == 422 and field in error_fields(response.get_json()), args
    drills = [
        (_query(e, table="nope", row="total", column="total"), "table"),
        (_query(e, table="gender", row="nope", column="total"), "row"),
        (_query(e, table="gender", row="total", column="nope"), "column"),
        (_query(e, table="gender", row="total"), "column"),
    ]
    for args, field in drills:
        response = client.get(f"{URL}/drill", query_string=args, headers=headers)
        assert response.status_code == 422 and field in error_fields(response.get_json()), args


def test_anonymous_is_refused(client, city):
    assert client.get(URL, query_string=_query(city["e"])).status_code == 401
