"""The statistics pages: the tables as the API computes them, each figure's link to its
records, the .xlsx download, the yearly-work hub, scope and bad input."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

from openpyxl import load_workbook

from core.orgs import service as orgs
from core.statistics import compute
from tests.statistics.conftest import YEAR
from tests.web.conftest import html, web_as  # noqa: F401 - the web session fixture

DRILL = re.compile(r'href="(/statistics/drill\?[^"]+)"[^>]*>(\d+)</a>')


def _tables_url(org_id, period="annual", year=YEAR) -> str:
    return f"/statistics?org={org_id}&year={year}&period={period}"


def test_the_tables_page_shows_every_figure_and_each_link_lists_its_records(
    tenant, in_tenant, city, web_as  # noqa: F811
):
    web = web_as(tenant, "stats_admin")
    page = web.get(_tables_url(city["e"], "half"))
    assert page.status_code == 200
    text = html(page)
    with in_tenant(tenant):
        direct = compute.figures(orgs.get(city["e"]), YEAR, "half")
    for table in direct["tables"]:
        assert f'id="table-{table["key"]}"' in text and table["title"] in text
    links = DRILL.findall(text)
    expected = {
        (t["key"], row, column): n
        for t in direct["tables"] for row, columns in t["cells"].items()
        for column, n in columns.items() if n
    }
    shown = {}
    for href, figure in links:
        args = {k: v[0] for k, v in parse_qs(urlparse(href.replace("&amp;", "&")).query).items()}
        shown[(args["table"], args["row"], args["column"])] = int(figure)
    assert shown == expected  # every non-zero figure, and only those, links to its records
    # a figure's page lists as many records as the figure (a page at a time)
    for (table, row, column), n in list(expected.items())[:12]:
        records = web.get(f"/statistics/drill?org={city['e']}&year={YEAR}&period=half"
                          f"&table={table}&row={row}&column={column}")
        assert records.status_code == 200
        listed = html(records).count('<tr><td class="num">')
        assert listed == min(n, 50), (table, row, column)


def test_the_download_is_the_xlsx_of_the_page(tenant, in_tenant, city, web_as):  # noqa: F811
    web = web_as(tenant, "stats_export")
    response = web.get(f"/statistics/export.xlsx?org={city['e']}&year={YEAR}&period=annual")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    with in_tenant(tenant):
        direct = compute.figures(orgs.get(city["e"]), YEAR, "annual")
    assert workbook.sheetnames == [t["title"] for t in direct["tables"]]
    gender = next(t for t in direct["tables"] if t["key"] == "gender")
    sheet = workbook[gender["title"]]
    assert sheet.cell(4, 2).value == gender["cells"][gender["rows"][0]["key"]][gender["columns"][0]["key"]]


def test_a_branch_secretary_sees_only_their_branch(
    tenant, in_tenant, city, web_as  # noqa: F811
):
    web = web_as(tenant, "stats_secretary", role="branch_secretary", org=city["e1"])
    assert web.get(_tables_url(city["e"])).status_code == 404
    assert web.get(f"/statistics/export.xlsx?org={city['e']}&year={YEAR}").status_code == 404
    drill = f"/statistics/drill?org={city['e']}&year={YEAR}&table=gender&row=total&column=total"
    assert web.get(drill).status_code == 404
    own = web.get(f"/statistics?year={YEAR}")  # no org: the highest organisation they see
    assert own.status_code == 200
    with in_tenant(tenant):
        name = orgs.get(city["e1"]).name
    assert f"{name} · 党内统计" in html(own)


def test_bad_parameters_are_a_clear_4xx(tenant, city, web_as):  # noqa: F811
    web = web_as(tenant, "stats_bad")
    for query, words in (
        (f"org={city['e']}&year=twenty", "年度应为数字"),
        (f"org={city['e']}&year=1800", "年度应在"),
        (f"org={city['e']}&year={YEAR}&period=quarter", "统计期"),
    ):
        response = web.get(f"/statistics?{query}")
        assert response.status_code == 400 and words in html(response), query
    unknown = web.get(f"/statistics/drill?org={city['e']}&year={YEAR}&table=nope&row=total"
                      "&column=total")
    assert unknown.status_code == 422


def test_the_yearly_work_hub_links_the_statistics(tenant, city, web_as):  # noqa: F811
    web = web_as(tenant, "stats_hub", role="member", org=city["e1"])
    page = web.get("/yearly")
    assert page.status_code == 200
    assert "党内统计" in html(page) and "/statistics?org=" in html(page)
    assert 'href="/yearly"' in html(web.get("/"))  # in the navigation bar


def test_the_hub_shows_every_yearly_work_screen_to_a_secretary(tenant, city, web_as):  # noqa: F811
    web = web_as(tenant, "stats_hub_secretary", role="branch_secretary", org=city["e1"])
    text = html(web.get("/yearly"))
    for title, path in (("书记述职评议", "/reviews"), ("党建品牌与示范点", "/brands"),
                        ("双联结对共建", "/pairings"), ("党员档案", "/archives"),
                        ("党内统计", "/statistics")):
        assert title in text and f'href="{path}?org=' in text, title
