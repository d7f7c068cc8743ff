"""The administrator's journey through a standard in a real browser: open it, change an
indicator's points, press 预览 and read how last cycle's scores would move, then save it as
a new version; and the star settings page — each screenshotted."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.web.browser.conftest import log_in, screenshot

STANDARD = "村党组织星级评定标准"  # the demo villages are rated with it


def test_change_a_weight_preview_it_and_save(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "admin", passwords["admin"])
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/admin/standards")
    assert page.locator("h1").inner_text() == "标准与指标"
    screenshot(page, "admin-standards")
    page.get_by_role("link", name=STANDARD).click()
    assert page.locator("h1").inner_text() == STANDARD
    assert "第 1 版" in page.locator(".std-facts").inner_text()

    meetings = page.get_by_label("支部党员大会 分值", exact=True)
    income = page.get_by_label("村级集体经济经营性收入 分值", exact=True)
    assert (meetings.input_value(), income.input_value()) == ("6", "10")
    meetings.fill("15")
    income.fill("1")
    page.get_by_role("button", name="预览").click()

    preview = page.locator("section.preview")
    preview.wait_for()
    assert "预览：" in preview.locator("h2").inner_text()
    figures = preview.get_by_role("group", name="汇总").inner_text()
    rated = int(re.search(r"(\d+)\s*参评党组织", figures).group(1))
    assert rated > 0
    rows = preview.locator("tbody tr")
    assert rows.count() == rated
    first = rows.first.locator("td")  # the biggest move comes first
    old, new = Decimal(first.nth(0).inner_text()), Decimal(first.nth(2).inner_text())
    assert new != old and Decimal(first.nth(4).inner_text()) == new - old
    assert meetings.input_value() == "15"  # the change is still in the form, not saved
    assert "第 1 版" in page.locator(".std-facts").inner_text()
    screenshot(page, "admin-standard-preview")

    page.get_by_label("修改说明（随新版本保存）").fill("提高党员大会分值")
    page.get_by_role("button", name="保存为新版本").click()
    assert page.get_by_role("status").first.inner_text() == "已保存为第 2 版。"
    assert "第 2 版" in page.locator(".std-facts").inner_text()
    assert page.get_by_label("支部党员大会 分值", exact=True).input_value() == "15"
    page.get_by_role("link", name="版本记录").first.click()
    assert "提高党员大会分值" in page.locator("table").inner_text()


def test_star_thresholds_refuse_a_wrong_order_and_save(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "admin", passwords["admin"])
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/admin/stars")
    assert page.locator("h1").inner_text() == "星级标准与比例上限"
    screenshot(page, "admin-stars")
    page.get_by_label("四星最低分").fill("95")
    page.get_by_role("button", name="保存").last.click()
    assert "须从高到低" in page.locator("#thresholds-error").inner_text()
    page.get_by_label("四星最低分").fill("85")
    page.get_by_label("五星比例上限（占参评组织的比例）").fill("0.3")
    page.get_by_role("button", name="保存").last.click()
    assert "评星定级设置已保存" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("四星最低分").input_value() == "85"
    assert page.get_by_label("五星比例上限（占参评组织的比例）").input_value() == "0.3"
