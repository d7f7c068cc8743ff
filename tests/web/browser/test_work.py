"""Daily work in a real browser, in the demo city: 桃源村党支部's secretary records the
主题党日 its open warning asks for, with attendance, and watches the warning clear; records a
dues payment; the administrator edits 李家村's sector data (the 村民委员会 term) and its
换届 warning clears too."""

from __future__ import annotations

import re

from tests.web.browser.conftest import log_in, screenshot


def test_record_a_meeting_and_watch_its_warning_clear(demo_site, browser_page):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "taoyuan", passwords["taoyuan"])
    page.get_by_role("link", name="日常工作").click()
    page.get_by_role("link", name="桃源村党支部").click()
    warnings = page.locator("#warnings")
    assert warnings.get_by_text("主题党日未按期开展").count() == 1
    screenshot(page, "work-hub")

    page.get_by_role("link", name="待召开：去登记").last.click()  # 主题党日 (支委会 comes first)
    assert page.get_by_role("heading", name=re.compile("主题党日")).count() == 1
    page.get_by_label("主题").fill("主题党日：学习贯彻全会精神")
    page.get_by_label("地点").fill("桃源村党群服务中心")
    first = page.locator(".attendance fieldset").first
    first.get_by_label("请假", exact=True).check()
    first.get_by_label("请假或缺席事由").fill("外出务工")
    screenshot(page, "work-meeting")
    page.get_by_role("button", name="登记会议").click()

    assert page.get_by_text(re.compile("预警已消除：主题党日未按期开展")).count() == 1
    assert page.get_by_role("cell", name="外出务工").count() == 1
    page.get_by_role("link", name="桃源村党支部").first.click()
    assert page.locator("#warnings").get_by_text("主题党日未按期开展").count() == 0

    page.get_by_role("link", name="党费").first.click()
    page.locator("input[name=pay]").first.check()
    page.get_by_label("缴纳方式").select_option("wechat")
    page.get_by_role("button", name="登记缴纳").click()
    assert page.get_by_text(re.compile("已登记 1 名党员")).count() == 1
    assert page.get_by_text(re.compile("已缴 .* 元")).count() == 1
    screenshot(page, "work-dues")


def test_edit_sector_data_and_its_warning_clears(demo_site, browser_page):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "admin", passwords["admin"])
    page.goto(f"{base}/work?q=李家村")
    page.get_by_role("link", name="李家村党支部").click()
    assert page.locator("#warnings").get_by_text("村民委员会换届").count() == 1
    page.get_by_role("link", name="领域数据").click()
    page.get_by_label("村民委员会本届任期开始日期").fill("2026-03-18")
    page.get_by_label("户数").fill("-3")
    page.get_by_role("button", name="保存").click()
    assert page.locator("#households-error").count() == 1  # beside the field, nothing saved
    page.get_by_label("户数").fill("385")
    page.get_by_label("村民委员会本届任期开始日期").fill("2026-03-18")
    screenshot(page, "work-sector")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("领域数据已保存。").count() == 1
    assert page.get_by_text(re.compile("预警已消除：村民委员会换届")).count() == 1
    assert page.get_by_label("户数").input_value() == "385"
