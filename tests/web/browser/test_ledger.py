"""The ledger screens in a real browser on the demo city: the full dashboard with all its
charts, the warnings list, a problem opened from a warning and moved through start →
evidence and submit (by the branch secretary) → approve (by the level above: the
submitter may never close their own problem), and an organisation page with its score
link — each screenshotted."""

from __future__ import annotations

import re

from tests.web.browser.conftest import log_in, screenshot


def _log_out(page, base):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{base}/login")


def test_dashboard_warnings_problem_workflow_and_org_page(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "admin", passwords["admin"])
    page.wait_for_url(f"{base}/")
    for chart in ("党员状态分布", "党员领域分布", "党组织领域分布", "党员性别分布", "党员年龄结构",
                  "党员学历结构", "党员党龄结构", "历年发展党员数", "未处理预警规则分布"):
        assert page.get_by_role("img", name=chart).is_visible(), chart
    assert page.get_by_role("img", name=re.compile("^星级评定 · ")).is_visible()  # the demo's published rating
    assert page.get_by_role("table", name="积分排行").locator("tbody tr").count() >= 1
    page.get_by_text("数据表").first.click()  # a chart's figures unfold as a table
    assert page.get_by_role("table", name="党员状态分布").is_visible()
    screenshot(page, "dashboard-full")

    page.get_by_role("link", name="预警", exact=True).click()
    page.wait_for_url(re.compile(r"/warnings"))
    assert page.get_by_role("table", name="预警").locator("tbody tr").count() >= 1
    page.get_by_label("党组织编码（含下级）").fill("SZ-QS-TY-01")
    page.get_by_role("button", name="筛选").click()
    rows = page.get_by_role("table", name="预警").locator("tbody tr")
    assert rows.count() >= 1 and "桃源村党支部" in rows.first.inner_text()
    screenshot(page, "warnings")

    rows.first.get_by_role("link").click()
    assert page.get_by_role("heading", name="预警规则说明").is_visible()
    page.get_by_role("link", name="转为问题整改").click()
    page.get_by_role("button", name="转为问题").click()
    assert page.get_by_role("status").inner_text() == "预警已转为问题台账中的问题。"
    problem_url = page.url
    page.get_by_role("button", name="开始整改").click()
    assert page.locator(".state").inner_text() == "整改中"
    _log_out(page, base)

    log_in(page, base, "taoyuan", passwords["taoyuan"])
    page.wait_for_url(f"{base}/")
    page.goto(problem_url)
    page.get_by_label("文字材料").fill("已于本月开展谈心谈话，记录附后。")
    page.get_by_role("button", name="上传佐证材料").click()
    assert page.get_by_role("status").inner_text() == "佐证材料已添加。"
    page.get_by_label("整改措施").fill("支部书记逐一与党员谈心谈话并登记。")
    page.get_by_role("button", name="提交销号申请").click()
    assert page.locator(".state").inner_text() == "待销号"
    assert page.get_by_role("button", name="审核销号").count() == 0  # not the submitter's to close
    _log_out(page, base)

    log_in(page, base, "admin", passwords["admin"])
    page.wait_for_url(f"{base}/")
    page.goto(problem_url)
    page.get_by_role("button", name="审核销号").click()
    assert page.locator(".state").inner_text() == "已销号"
    assert page.get_by_role("button", name="重新打开").is_visible()
    screenshot(page, "problem")

    page.goto(f"{base}/orgs")
    page.get_by_label("名称或编码").fill("桃源村")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="桃源村党支部").click()
    assert page.locator("h1").inner_text() == "桃源村党支部"
    score = page.get_by_role("link", name="查看得分说明")
    assert score.is_visible()
    screenshot(page, "org-page-full")
    score.click()
    assert "/cycles/" in page.url and page.locator("h1").count() == 1


def test_a_phone_sees_the_ledger(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "taoyuan", passwords["taoyuan"])
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/problems")
    assert page.locator("h1").inner_text().startswith("问题台账")
    page.goto(f"{base}/warnings")
    assert page.get_by_role("table", name="预警").is_visible()
    screenshot(page, "warnings-phone")
