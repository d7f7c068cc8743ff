"""The import journey in a real browser, on the demo city: the admin downloads the template,
uploads a sheet with one bad row, follows the progress bar to its end and reads the row's
error (nothing written); then a good sheet imports and the new member is in the list."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from tests.excel.conftest import person
from tests.members.helpers import make_id_number
from tests.web.browser.conftest import log_in, screenshot

BRANCH = "SZ-QS-TY-01"  # 桃源村党支部
NEW_NAME = "陈导入"


def _new_member(**cells) -> dict:
    """A 桃源村 member whose ID number (a Beijing one) cannot already be in the demo."""
    birth = date(1979, 5, 17)
    row = person(BRANCH, birth=birth, sex="female", 姓名=NEW_NAME)
    row["公民身份号码"] = make_id_number(birth, "female", region="110101", sequence=7)
    row.update(cells)
    return row


def _fill(template: bytes, rows: list[dict]) -> bytes:
    """The downloaded template with ``rows`` written under its header."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["党员信息"]
    headers = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, start=2):
        for position, header in enumerate(headers, start=1):
            if row.get(header) is not None:
                sheet.cell(number, position, row[header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(page, base: str, data: bytes, name: str) -> None:
    page.goto(f"{base}/imports")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(
        {"name": name, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "buffer": data})
    page.get_by_role("button", name="开始导入").click()
    # The job page: its progress bar runs to the end, then the result link shows.
    page.wait_for_selector("[data-job-url][data-done='finished']", timeout=30_000)
    assert page.locator("progress").get_attribute("value") == "100"
    page.get_by_role("link", name="查看结果").click()
    page.wait_for_url("**/imports/*")


def test_import_with_a_bad_row_then_a_good_file(demo_site, browser_page):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "admin", passwords["admin"])
    page.get_by_role("link", name="导入导出").click()
    page.wait_for_url("**/imports")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板").click()
    template = open(download.value.path(), "rb").read()
    assert BRANCH in [row[0] for row in load_workbook(io.BytesIO(template))["党组织"].iter_rows(values_only=True)]
    screenshot(page, "import-form")

    bad = _new_member()
    wrong = person(BRANCH, 姓名="日期错", 入党日期="2001-13-45")
    wrong["公民身份号码"] = make_id_number(date(1970, 2, 3), "male", region="110101", sequence=9)
    wrong["出生日期"] = date(1970, 2, 3)
    _upload(page, base, _fill(template, [bad, wrong]), "一行有误.xlsx")
    outcome = page.locator("#import-outcome")
    assert "没有写入任何数据" in outcome.inner_text()
    rows = page.locator("table.import-errors tbody tr")
    assert rows.count() == 1
    cells = [rows.first.locator("td").nth(i).inner_text().strip() for i in range(4)]
    assert cells == ["3", "入党日期", "2001-13-45", "不是真实存在的日期。"]
    screenshot(page, "import-errors")

    page.goto(f"{base}/members?q={NEW_NAME}&status=any")
    assert page.get_by_text(NEW_NAME).count() == 0  # nothing was written

    _upload(page, base, _fill(template, [_new_member()]), "正确.xlsx")
    assert "已导入：新增党员 1 名" in page.locator("#import-outcome").inner_text()
    assert page.locator("table.import-errors").count() == 0
    screenshot(page, "import-done")

    page.goto(f"{base}/members?q={NEW_NAME}")
    assert page.get_by_role("link", name=NEW_NAME).count() == 1

    # The export holds the new member (the admin sees the whole city, personal data in full).
    page.goto(f"{base}/exports")
    screenshot(page, "exports")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出党员信息（.xlsx）").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)["党员信息"]
    rows = list(sheet.iter_rows(values_only=True))
    name, number = rows[0].index("姓名"), rows[0].index("公民身份号码")
    assert [(r[name], r[number]) for r in rows[1:] if r[name] == NEW_NAME] == [
        (NEW_NAME, _new_member()["公民身份号码"])]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/imports")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
