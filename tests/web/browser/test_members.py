"""The member screens in a real browser: a member opens their QR card (党员码) on a phone,
and an administrator filters the member list and opens a member's page — screenshotted."""

from __future__ import annotations

from urllib.parse import urlsplit

from core.points.cards import qr_png
from tests.web.browser.conftest import log_in, screenshot

PHONE = {"width": 390, "height": 844}


def test_a_member_opens_their_qr_card_on_a_phone(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, base, "dangyuan", passwords["dangyuan"])
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="我的党员码").click()
    page.wait_for_url(f"{base}/me/card")
    assert page.locator("h1").inner_text() == "我的党员码"
    assert page.locator(".card-branch").inner_text() == "桃源村党支部"
    name = page.locator(".card-name").inner_text()
    if page.get_by_role("button", name="生成党员码").count():  # the demo issues no card
        page.get_by_role("button", name="生成党员码").click()
        page.wait_for_url(f"{base}/me/card")
        assert page.get_by_role("status").inner_text() == "党员码已生成。"

    qr = page.get_by_role("img", name=f"{name}的党员码")
    assert qr.is_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the image loaded
    box = qr.bounding_box()
    assert box["width"] >= 280 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
    screenshot(page, "my-card-phone")

    source = qr.get_attribute("src")
    assert source.startswith("/")  # from this site, never another host
    image = page.request.get(f"{base}{source}")
    assert image.ok and image.headers["content-type"] == "image/png"
    link = page.get_by_role("link", name="打开党员码链接").get_attribute("href")
    assert image.body() == qr_png(link)  # the QR code says the card's link
    card = page.request.get(f"{base}{urlsplit(link).path}").json()
    assert card["name"] == name[0] + "*" * (len(name) - 1) and card["branch"] == "桃源村党支部"


def test_an_administrator_filters_the_list_and_opens_a_member(browser_page, demo_site):
    base, passwords = demo_site
    page = browser_page
    log_in(page, base, "admin", passwords["admin"])
    page.wait_for_url(f"{base}/")
    page.locator('header nav a[href="/members"]').click()
    page.wait_for_url(f"{base}/members")
    assert page.locator("h1").inner_text() == "党员名册 · 示范市委"
    rows = page.locator("table.members tbody tr")
    everyone = rows.count()
    assert everyone > 10 and "一支部" not in page.content()  # the demo city's own members

    page.get_by_label("性别").select_option(label="女")
    page.get_by_label("党组织（含下级）").select_option(label="　青山县委")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(f"{base}/members?**")
    assert page.locator("h1").inner_text() == "党员名册 · 青山县委"
    genders = rows.locator("td:nth-child(2)").all_inner_texts()
    assert genders and set(genders) == {"女"} and len(genders) < everyone
    screenshot(page, "member-list")

    name = rows.first.locator("td:first-child a").inner_text()
    page.get_by_label("姓名或拼音首字母").fill(name)
    page.get_by_role("button", name="筛选").click()
    assert name in rows.locator("td:first-child").all_inner_texts()
    rows.first.get_by_role("link", name=name).click()
    page.wait_for_url(f"{base}/members/*")
    assert page.locator("h1").inner_text().startswith(name)
    for heading in ("基本信息", "积分", "党费", "发展历程", "最近参加的组织生活", "历史记录"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    assert "*" not in page.locator(".record dd.personal").first.inner_text()  # admin sees in full
    screenshot(page, "member-page")
    page.get_by_role("link", name="党员码", exact=True).click()
    page.wait_for_url(f"{base}/members/*/card")
    assert page.get_by_role("button", name="生成党员码").is_visible()
