"""The yearly work (年度工作) in a real browser on the demo city: the hub from the navigation
bar, then each screen it lists — secretaries' reviews, brands and model sites, pairing,
archives and Party statistics — with the demo's data on it, a figure followed down to its
records, and each page screenshotted."""

from __future__ import annotations

from tests.web.browser.conftest import log_in, screenshot

ENTRIES = (
    ("书记述职评议", "reviews"),
    ("党建品牌与示范点", "brands"),
    ("双联结对共建", "pairings"),
    ("党员档案", "archives"),
    ("党内统计", "statistics"),
)


def test_the_yearly_work_screens_show_the_demo_citys_year(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, "admin", passwords["admin"])
    page.wait_for_url(f"{base}/")
    page.get_by_role("navigation").get_by_role("link", name="年度工作").click()
    page.wait_for_url(f"{base}/yearly*")
    assert page.locator("h1").inner_text() == "示范市委 · 年度工作"
    screenshot(page, "yearly")
    for title, path in ENTRIES:
        page.goto(f"{base}/yearly")
        page.get_by_role("link", name=title).click()
        page.wait_for_url(f"{base}/{path}*")
        assert page.locator("h1").count() == 1, title
        body = page.locator("main").inner_text()
        assert "错误" not in page.title(), (title, page.title())
        screenshot(page, f"yearly-{path}")
        if path == "reviews":
            assert "2025" in body and "2026" in body  # last year's published, this year's
        elif path == "brands":
            assert "财政为民·红色账本" in body
        elif path == "pairings":
            assert "桃源村党支部" in body
        elif path == "statistics":
            assert "党员" in body and page.get_by_role("table").count() >= 8
            jobs = page.locator("#table-job").locator("xpath=..").inner_text()
            assert "农牧渔民" in jobs and "离退休人员" in jobs  # the demo's 人员类别

    # a statistics figure down to its records
    page.goto(f"{base}/statistics")
    page.locator("#table-gender").locator("xpath=..").locator("tbody a").first.click()
    page.wait_for_url(f"{base}/statistics/drill*")
    figure = page.locator("h1").inner_text()
    assert "：" in figure and page.locator("tbody tr").count() >= 1
    screenshot(page, "statistics-drill")
    assert not errors, errors
