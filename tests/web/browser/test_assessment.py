"""The assessment journey in a real browser: an administrator opens a cycle, runs it and
follows the progress bar to the end, reads the results and one explained result, enters a
manual score, publishes, and opens the 红黑榜 — each screen screenshotted."""

from __future__ import annotations

import re

from tests.web.browser.conftest import log_in, screenshot

NAME = "2026 年下半年党支部评星定级"


def test_open_run_review_publish_and_the_ranking(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())  # the publish button asks first
    log_in(page, base, "admin", passwords["admin"])
    page.wait_for_url(f"{base}/")

    page.get_by_role("link", name="星级评定").click()
    page.wait_for_url(f"{base}/cycles")
    assert page.locator("h1").inner_text() == "考核周期"
    assert page.get_by_role("link", name="2026 年度党支部评星定级").is_visible()
    screenshot(page, "cycles")

    page.get_by_label("周期名称").fill(NAME)
    page.get_by_label("考核期间").select_option(label="半年")
    page.get_by_label("年份").fill("2026")
    page.get_by_label("第几个半年或季度").fill("2")
    page.get_by_label("参评范围").select_option(label="示范市委")
    page.get_by_role("button", name="开启考核周期").click()
    page.wait_for_url(re.compile(r".*/cycles/[0-9a-f-]{36}$"))
    assert page.locator("h1").inner_text() == NAME
    assert "未评估" in page.locator(".record").inner_text()
    cycle_url = page.url

    page.get_by_role("button", name="运行评估").click()
    page.wait_for_url(re.compile(r".*/jobs/[^/?]+\?next="))
    progress = page.locator(".job")
    progress.and_(page.locator('[data-done="finished"]')).wait_for(timeout=30_000)
    assert page.locator("progress").get_attribute("value") == "100"
    assert page.locator(".job-percent").inner_text() == "100%"
    assert page.get_by_role("status").inner_text() == "已完成"
    screenshot(page, "cycle-progress")

    page.get_by_role("link", name="查看结果").click()
    page.wait_for_url(cycle_url)
    assert "已评估" in page.locator(".record").inner_text()
    results = page.locator("table.results tbody tr")
    assert results.count() >= 5
    assert "桃源村党支部" in page.locator("table.results").inner_text()
    screenshot(page, "cycle-results")

    page.get_by_role("link", name=re.compile(r"待录入人工评分（[1-9]\d*）")).click()
    assert page.locator("h1").inner_text() == "待录入人工评分"
    page.get_by_label("星光科技有限公司党支部 党组织作用发挥 评定分数").fill("7")
    page.get_by_label("星光科技有限公司党支部 党组织作用发挥 评分理由").fill("党组织在企业生产经营中作用发挥明显")
    page.get_by_role("button", name="保存评分").first.click()
    assert "评分已保存：党组织作用发挥。" in page.locator(".flash").inner_text()

    page.goto(cycle_url)
    page.get_by_role("link", name="星光科技有限公司党支部").click()
    assert page.locator("h1").inner_text() == "星光科技有限公司党支部 · 评定结果"
    breakdown = page.locator("table.breakdown").inner_text()
    assert "评分人评定 7/8 分，理由：党组织在企业生产经营中作用发挥明显" in breakdown
    assert "党建阵地“九有”" in breakdown
    screenshot(page, "cycle-result-explained")

    page.goto(cycle_url)
    page.get_by_role("button", name="发布结果").click()
    page.wait_for_url(cycle_url)
    assert "已发布" in page.locator(".record").inner_text()
    assert page.get_by_label("重新打开的原因").is_visible()

    page.get_by_role("link", name="红黑榜").first.click()
    page.wait_for_url(f"{base}/ranking")
    assert page.locator("h1").inner_text() == "示范市委 · 红黑榜"
    assert NAME in page.locator(".notice-sub").inner_text()
    assert page.locator("#red-title").inner_text().startswith("红榜")
    assert page.locator("#black-title").inner_text().startswith("黑榜")
    assert page.get_by_role("heading", name=re.compile("^预警情况")).is_visible()
    assert page.get_by_role("button", name="打印通报").is_visible()

    page.get_by_label("评定批次").select_option(label="2026 年度党支部评星定级")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(r".*/ranking\?cycle="))
    assert "2026 年度党支部评星定级" in page.locator(".notice-sub").inner_text()
    red = page.locator(".list-red").first.inner_text()
    assert red.index("桃源村党支部") < red.index("市城投集团党委")  # five stars, then four
    assert "李家村党支部" in page.locator(".list-black").first.inner_text()
    screenshot(page, "ranking")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "ranking-phone")
