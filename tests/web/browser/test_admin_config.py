"""The tenant administrator's configuration screens in a real browser: the hub, a plugin
setting refused then saved, a warning rule switched off and on, and that change in the audit
log — each screenshotted."""

from __future__ import annotations

import re

from tests.web.browser.conftest import log_in, screenshot


def test_admin_configures_the_city_and_reads_the_audit_log(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "admin", passwords["admin"])
    page.wait_for_url(f"{base}/")
    page.locator("header nav").get_by_role("link", name="系统管理").click()
    page.wait_for_url(f"{base}/admin")
    assert page.locator("h1").inner_text() == "系统管理"
    assert re.search(r"已启用 5 个插件", page.locator("main").inner_text())
    screenshot(page, "admin-hub")

    # A plugin setting: a bad value is refused beside the field, a good one is saved.
    page.get_by_role("link", name="插件与设置").click()
    page.wait_for_url(f"{base}/admin/plugins")
    page.get_by_role("link", name="设置 农村").click()
    setting = page.get_by_label("连续多少年未发展党员的村予以预警")
    setting.fill("99")
    page.get_by_role("button", name="保存").click()
    error = page.locator("#no_recruit_years_warning-error")
    assert "1 到 10" in error.inner_text()
    assert setting.get_attribute("aria-invalid") == "true"
    screenshot(page, "admin-plugin-settings")
    page.get_by_label("连续多少年未发展党员的村予以预警").fill("4")
    page.get_by_role("button", name="保存").click()
    assert "农村 的设置已保存。" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("连续多少年未发展党员的村予以预警").input_value() == "4"
    assert "本市设置" in page.locator("main").inner_text()

    # A warning rule switched off, then on again.
    page.goto(f"{base}/admin")
    page.get_by_role("link", name="预警规则").click()
    page.wait_for_url(f"{base}/admin/warning-rules")
    off = page.get_by_role("button", name=re.compile("^停用 ")).first
    rule = off.inner_text().removeprefix("停用").strip()
    off.click()
    assert f"“{rule}”已停用" in page.get_by_role("status").first.inner_text()
    page.get_by_role("button", name=f"启用 {rule}").click()
    assert f"“{rule}”已启用" in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("button", name=f"停用 {rule}").is_visible()
    screenshot(page, "admin-warning-rules")

    # The audit log shows both changes, newest first, filtered to warning rules.
    page.goto(f"{base}/admin")
    page.get_by_role("link", name="操作日志").click()
    page.wait_for_url(f"{base}/admin/audit")
    page.get_by_label("记录类型").select_option(label="预警规则")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("tbody tr")
    assert rows.count() >= 2
    newest = rows.nth(0).inner_text()
    assert "admin" in newest and "enabled" in newest and "修改" in newest
    screenshot(page, "admin-audit")
