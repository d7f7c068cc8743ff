"""Users and roles in a real browser: the administrator creates an account (a too-weak
password first: the error beside the field), makes it branch secretary of 桃源村党支部 through
the organisation search, and the new user then sees only that branch."""

from __future__ import annotations

from tests.web.browser.conftest import log_in, screenshot

GOOD = "Xiaoli-2024!ok"


def test_admin_creates_a_branch_secretary_who_sees_only_their_branch(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "admin", passwords["admin"])
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/admin/users")
    assert page.locator("h1").inner_text() == "用户与角色"
    assert page.get_by_role("link", name="taoyuan").is_visible()
    screenshot(page, "admin-users")

    page.get_by_label("用户名", exact=True).fill("xiaoli")
    page.get_by_label("姓名", exact=True).fill("李晓")
    page.get_by_label("初始密码").fill("weak")
    page.get_by_role("button", name="创建用户").click()
    error = page.locator("#password-error").first
    assert "密码至少需要 8 个字符" in error.inner_text()
    assert page.get_by_label("初始密码").get_attribute("aria-invalid") == "true"

    page.get_by_label("初始密码").fill(GOOD)
    page.get_by_role("button", name="创建用户").click()
    page.wait_for_url(f"{base}/admin/users/*")
    assert "李晓" in page.locator("h1").inner_text()

    search = page.get_by_label("按名称或编码查找党组织")
    search.fill("桃源村")
    search.press("Enter")
    page.get_by_role("link", name="桃源村党支部").click()
    assert page.get_by_label("党组织编码").input_value() == "SZ-QS-TY-01"
    page.get_by_role("combobox", name="角色").select_option(label="支部书记")
    page.get_by_role("button", name="授予", exact=True).click()
    roles = page.get_by_role("table")
    assert "支部书记" in roles.inner_text() and "桃源村党支部" in roles.inner_text()
    screenshot(page, "admin-user")

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{base}/login")
    log_in(page, base, "xiaoli", GOOD)
    page.wait_for_url(f"{base}/")
    assert page.locator("h1").inner_text() == "桃源村党支部 · 工作台"
    page.goto(f"{base}/orgs")
    assert page.get_by_role("link", name="李家村党支部").count() == 0
    page.goto(f"{base}/admin/users")
    assert page.locator("h1").inner_text() == "无权访问"
