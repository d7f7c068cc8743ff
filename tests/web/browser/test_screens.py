"""The main screens in a real browser: log in, the dashboard, the tree, an organisation,
a phone-width dashboard — each screenshotted."""

from __future__ import annotations

from tests.web.browser.conftest import log_in, screenshot


def test_login_dashboard_tree_and_organisation(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    page.goto(f"{base}/login")
    assert page.title().startswith("登录")
    screenshot(page, "login")

    log_in(page, base, "admin", "wrong-password")
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误。"

    page.get_by_label("密码").fill(passwords["admin"])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    assert page.locator("h1").inner_text() == "示范市委 · 工作台"
    assert page.get_by_role("img", name="党员状态分布").is_visible()
    assert page.get_by_role("table", name="按规则统计的未处理预警").is_visible()
    screenshot(page, "dashboard")

    page.get_by_role("link", name="组织架构").click()
    page.wait_for_url(f"{base}/orgs")
    # the tree shows two levels at a time: the county's townships, with a way further down
    assert page.get_by_role("link", name="桃源镇党委").is_visible()
    assert page.get_by_role("link", name="桃源村党支部").count() == 0
    screenshot(page, "org-tree")
    page.get_by_label("名称或编码").fill("桃源村")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="桃源村党支部").click()
    assert page.locator("h1").inner_text() == "桃源村党支部"
    assert "农村" in page.locator(".record").inner_text()
    screenshot(page, "organisation")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/")
    screenshot(page, "dashboard-phone")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{base}/login")


def test_a_secretary_sees_only_their_branch(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "taoyuan", passwords["taoyuan"])
    page.wait_for_url(f"{base}/")
    assert page.locator("h1").inner_text() == "桃源村党支部 · 工作台"
    page.goto(f"{base}/orgs")
    assert page.get_by_role("link", name="李家村党支部").count() == 0
