"""The member screens through the test client: the list (paging, filters, scope, cost),
the member page (record masked like the API, points, dues, development path, meetings,
history; 404 outside the user's scope) and the QR card (own, issued by the member, served
from this site, refused without CSRF; a secretary's view of a member's card)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, inspect, select

from core.auth import service as auth_service
from core.auth.models import User
from core.db import db
from core.members import service as members
from core.members.validation import MemberInputSchema
from core.orgs import service as orgs
from core.points import cards
from tests.development.conftest import applicant_body, four_years_ago
from tests.development.helpers import timeline
from tests.members.helpers import make_id_number, member_data
from tests.web.conftest import html

UNKNOWN = "01900000-0000-7000-8000-000000000000"
THIS_YEAR = date.today().year
MONTH = date.today().strftime("%Y-%m")


def _add(org_id, name, **fields) -> str:
    member = members.create_member(MemberInputSchema().load(member_data(org_id, name=name, **fields)))
    db.session.flush()
    return member.id


@pytest.fixture
def city(tenant, tenant_b, in_tenant):
    """alpha: 市委 R → 一支部 B1 (张三, 李梅 ♀, 王五 probationary, 孙退 left), 二支部 B2 (赵六);
    beta: its own root and member. Returns names → ids."""
    with in_tenant(tenant):
        root = orgs.create(name="甲市委", code="R", kind="committee")
        one = orgs.create(name="一支部", code="R-01", kind="branch", parent=root)
        two = orgs.create(name="二支部", code="R-02", kind="branch", parent=root)
        ids = {"root": root.id, "one": one.id, "two": two.id}
        ids["张三"] = _add(one.id, "张三", phone="13812345678")
        ids["李梅"] = _add(one.id, "李梅", sex="female", birth=date(1988, 1, 2))
        ids["王五"] = _add(one.id, "王五", status="probationary", full_on=None, joined_on="2025-01-10")
        ids["孙退"] = _add(one.id, "孙退")
        members.change_status(members.get_member(ids["孙退"]), "left", date(2024, 5, 1), "退党")
        ids["赵六"] = _add(two.id, "赵六")
        db.session.commit()
    with in_tenant(tenant_b):
        beta = orgs.create(name="乙市委", code="R", kind="committee")
        ids["beta"] = _add(beta.id, "乙党员")
        db.session.commit()
    return ids


@pytest.fixture
def tid(tenant) -> int:
    """The tenant's id: ``web_as`` reloads a tenant given by id, never a detached object."""
    return inspect(tenant).identity[0]


@pytest.fixture
def tid_b(tenant_b) -> int:
    return inspect(tenant_b).identity[0]


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/members/[^"/]+">([^<]+)</a>', page)


def _link(user_name: str, tenant, in_tenant, member_id) -> None:
    with in_tenant(tenant):
        user = db.session.scalar(select(User).where(User.username == user_name))
        auth_service.link_member(user, member_id)
        db.session.commit()


# -- the list --------------------------------------------------------------------------------


def test_the_list_shows_current_members_and_filters_them(web_as, tid, tenant, city):
    admin = web_as(tid, "admin")
    page = admin.get("/members")
    assert page.status_code == 200
    text = html(page)
    assert "党员名册" in text and "甲市委" in text
    assert sorted(_names(text)) == sorted(["张三", "李梅", "王五", "赵六"])  # 孙退 left the Party
    assert "正式党员" in text and "预备党员" in text and "一支部" in text and "二支部" in text
    assert "2015-06-01" in text  # joined date
    assert _names(html(admin.get("/members?gender=female"))) == ["李梅"]
    assert _names(html(admin.get("/members?q=zs"))) == ["张三"]  # pinyin initials
    assert _names(html(admin.get("/members?q=李"))) == ["李梅"]
    assert _names(html(admin.get("/members?status=probationary"))) == ["王五"]
    assert _names(html(admin.get("/members?status=left"))) == ["孙退"]
    assert len(_names(html(admin.get("/members?status=any")))) == 5
    assert _names(html(admin.get(f"/members?org={city['two']}"))) == ["赵六"]
    bad = admin.get("/members?status=nonsense&gender=x")
    assert bad.status_code == 422 and 'class="error"' in html(bad) and not _names(html(bad))


def test_the_list_is_paged(web_as, tid, tenant, city):
    admin = web_as(tid, "admin")
    first = html(admin.get("/members?per_page=3&status=any"))
    assert len(_names(first)) == 3 and 'rel="next"' in first and 'rel="prev"' not in first
    second = html(admin.get("/members?per_page=3&status=any&page=2"))
    assert len(_names(second)) == 2
    assert not set(_names(first)) & set(_names(second))
    assert 'rel="prev"' in second and "status=any" in second  # the pager keeps the filters


def test_the_organisation_filter_moves_up_and_down_the_tree(web_as, tid, tenant, city):
    admin = web_as(tid, "admin")
    text = html(admin.get(f"/members?org={city['one']}"))
    options = re.findall(r'<option[^>]*value="([^"]+)"', text)
    assert str(city["root"]) in options and str(city["one"]) in options  # up to the root
    assert str(city["two"]) not in options
    root_options = re.findall(r'<option[^>]*value="([^"]+)"', html(admin.get("/members")))
    assert str(city["one"]) in root_options and str(city["two"]) in root_options  # down


def test_a_branch_secretary_sees_their_branch_only(web_as, tid, tenant, city):
    secretary = web_as(tid, "sec1", role="branch_secretary", org=city["one"])
    text = html(secretary.get("/members"))
    assert sorted(_names(text)) == sorted(["张三", "李梅", "王五"])
    assert "赵六" not in text and "甲市委" not in text
    assert secretary.get(f"/members?org={city['two']}").status_code == 404
    assert secretary.get(f"/members?org={city['beta']}").status_code == 404


def test_a_member_account_may_not_open_the_list(web_as, tid, tenant, city):
    member = web_as(tid, "m1", role="member", org=city["one"])
    assert member.get("/members").status_code == 403


def test_the_list_costs_the_same_for_more_members(web_as, tid, tenant, city, in_tenant, app):
    """One paged query and one count: more rows never mean more statements."""
    admin = web_as(tid, "admin")

    def statements(path):
        seen = []

        def count(*_args):
            seen.append(1)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert admin.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    statements("/members")  # warm: the first request of a client loads what it caches
    few = statements("/members")
    with in_tenant(tenant):
        for n in range(12):
            _add(city["two"], "新党员" + "甲乙丙丁戊己庚辛壬癸子丑"[n])
        db.session.commit()
    assert statements("/members") == few


# -- the member page ------------------------------------------------------------------------


def test_the_member_page_shows_the_record_like_the_api(web_as, tid, tenant, city, auth_headers, client):
    admin = web_as(tid, "admin")
    text = html(admin.get(f"/members/{city['张三']}"))
    with_api = client.get(f"/api/v1/members/{city['张三']}", headers=auth_headers(tenant)).get_json()
    assert with_api["personal_masked"] is False
    assert with_api["id_number"] in text and "13812345678" in text and "部分隐藏" not in text
    assert "张三" in text and "一支部" in text and "大学本科" in text and "汉族" in text

    viewer = web_as(tid, "viewer", role="member", org=city["one"])
    masked_page = html(viewer.get(f"/members/{city['张三']}"))
    masked = client.get(f"/api/v1/members/{city['张三']}",
                        headers=auth_headers(tenant, role="member", org=city["one"])).get_json()
    assert masked["personal_masked"] is True
    assert masked["id_number"] in masked_page and masked["phone"] in masked_page
    assert with_api["id_number"] not in masked_page and "13812345678" not in masked_page
    assert "部分隐藏" in masked_page
    assert "组织关系介绍信" not in masked_page  # letters are for register keepers
    assert "党员码" not in masked_page.split("</nav>")[1]  # no card link for a plain member


def test_the_member_page_is_404_outside_the_users_scope(web_as, tid, tid_b, city):
    secretary = web_as(tid, "sec1", role="branch_secretary", org=city["one"])
    assert secretary.get(f"/members/{city['张三']}").status_code == 200
    assert secretary.get(f"/members/{city['赵六']}").status_code == 404  # another branch
    assert secretary.get(f"/members/{city['beta']}").status_code == 404  # another tenant
    assert secretary.get(f"/members/{UNKNOWN}").status_code == 404
    assert secretary.get("/members/not-an-id").status_code == 404
    other_admin = web_as(tid_b, "admin_b")
    assert other_admin.get(f"/members/{city['张三']}").status_code == 404
    assert other_admin.get(f"/members/{city['beta']}").status_code == 200


def test_the_member_page_shows_points_dues_meetings_and_history(web_as, tid, tenant, city, client,
                                                                 auth_headers, make_user):
    secretary = auth_headers(tenant, role="branch_secretary", org=city["one"], username="sec_api")
    approver = auth_headers(tenant, username="approver")
    member_id = str(city["张三"])
    entry = client.post("/api/v1/points/entries", headers=secretary, json={
        "member_id": member_id, "rule_key": "points.volunteering",
        "occurred_on": date.today().isoformat(), "evidence": "社区志愿服务"})
    assert entry.status_code == 201, entry.get_json()
    approved = client.post(f"/api/v1/points/entries/{entry.get_json()['id']}/approve", headers=approver)
    assert approved.status_code == 200, approved.get_json()
    paid = client.post("/api/v1/dues/payments", headers=secretary, json={
        "member_id": member_id, "month": MONTH, "amount": "12.50", "channel": "wechat",
        "paid_on": date.today().isoformat()})
    assert paid.status_code == 201, paid.get_json()
    meeting = client.post("/api/v1/meetings", headers=secretary, json={
        "org_id": str(city["one"]), "kind": "theme_day", "held_on": date.today().isoformat(),
        "topic": "学习党章", "present_member_ids": [member_id],
        "absences": [{"member_id": str(city["李梅"]), "reason": "外出务工"}]})
    assert meeting.status_code == 201, meeting.get_json()

    text = html(web_as(tid, "sec1", role="branch_secretary", org=city["one"]).get(f"/members/{member_id}"))
    points = re.search(r'<section aria-labelledby="points">(.*?)</section>', text, re.S).group(1)
    assert "志愿服务" in points and "已认定" in points and f"{THIS_YEAR}年积分" in points
    assert re.search(r'class="n">5(\.0+)?<', points)  # the year's total
    dues = re.search(r'<section aria-labelledby="dues">(.*?)</section>', text, re.S).group(1)
    assert MONTH in dues and "12.50" in dues and "微信支付" in dues
    assert "欠缴月数" in dues
    meetings = re.search(r'<section aria-labelledby="meetings">(.*?)</section>', text, re.S).group(1)
    assert "主题党日" in meetings and "学习党章" in meetings and "出席" in meetings
    history = re.search(r'<section aria-labelledby="history">(.*?)</section>', text, re.S).group(1)
    assert "进入党员名册" in history and "2015-06-01" in history
    assert "组织关系介绍信" in history  # a register keeper sees the letters section
    assert "不是通过本系统发展的" in text
    assert f'href="/members/{member_id}/card"' in text

    absent = html(web_as(tid, "admin").get(f"/members/{city['李梅']}"))
    assert "缺席" in absent and "外出务工" in absent
    left = html(web_as(tid, "admin2").get(f"/members/{city['孙退']}"))
    assert "党籍状态变更" in left and "退党" in left


def test_the_member_page_shows_the_development_path(web_as, tid, tenant, city, client, auth_headers):
    """A member admitted through the 25 steps: the stages with the days they began."""
    secretary = auth_headers(tenant, role="branch_secretary", org=city["one"], username="dev_sec")
    start = four_years_ago()
    body = applicant_body(city["one"], start, id_number=make_id_number(date(1996, 4, 5), "male"))
    person = client.post("/api/v1/development", json=body, headers=secretary)
    assert person.status_code == 201, person.get_json()
    person_id = person.get_json()["id"]
    steps = timeline(start, [str(city["张三"]), str(city["李梅"])])
    for step in steps:
        if step["code"] > 17:
            break
        done = client.post(f"/api/v1/development/{person_id}/steps", json=step, headers=secretary)
        assert done.status_code == 201, (step, done.get_json())
    member_id = client.get(f"/api/v1/development/{person_id}", headers=secretary).get_json()["member_id"]
    assert member_id

    text = html(web_as(tid, "admin").get(f"/members/{member_id}"))
    path = re.search(r'<section aria-labelledby="development">(.*?)</section>', text, re.S).group(1)
    stages = re.findall(r'<li class="(done|todo)"><span class="stage">([^<]+)</span> <span class="meta">([^<]+)</span>', path)
    by_step = {s["code"]: s["done_on"] for s in steps}
    assert stages == [
        ("done", "入党申请人", start.isoformat()),
        ("done", "入党积极分子", by_step[3]),
        ("done", "发展对象", by_step[7]),
        ("done", "预备党员", by_step[17]),
        ("todo", "正式党员", "尚未到达"),
    ]
    assert "递交入党申请书" in path and "上级党委审批" in path


# -- the card --------------------------------------------------------------------------------


def test_a_linked_member_issues_and_shows_their_own_card(web_as, tid, tenant, city, in_tenant, client):
    me = web_as(tid, "dangyuan", role="member", org=city["one"])
    _link("dangyuan", tenant, in_tenant, city["张三"])
    first = me.get("/me/card")
    assert first.status_code == 200
    text = html(first)
    assert "张三" in text and "一支部" in text and "尚未生成党员码" in text and "<img" not in text
    assert me.get("/me/card.png").status_code == 404

    refused = me.client.post("/me/card", headers={"Host": me.host})  # no CSRF token
    assert refused.status_code == 400
    with in_tenant(tenant):
        assert cards.card_of(city["张三"]) is None

    issued = me.post("/me/card")
    assert issued.status_code == 302 and issued.headers["Location"] == "/me/card"
    text = html(me.get("/me/card"))
    assert "党员码已生成" in text
    src = re.search(r'<img class="qr" src="([^"]+)"', text).group(1)
    assert src == "/me/card.png"  # served from this site
    link = re.search(r'<p class="card-link"><a href="([^"]+)"', text).group(1).replace("&amp;", "&")
    image = me.get(src)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data == cards.qr_png(link)  # the QR code says the card's link
    public = client.get(urlsplit(link).path)
    assert public.status_code == 200
    assert public.get_json()["name"] == "张*" and public.get_json()["branch"] == "一支部"

    rotated = me.post("/me/card")
    assert rotated.status_code == 302
    assert client.get(urlsplit(link).path).status_code == 404  # the old link


def test_an_unlinked_account_is_told_it_has_no_card(web_as, tid, tenant, city):
    me = web_as(tid, "nolink", role="member", org=city["one"])
    page = me.get("/me/card")
    assert page.status_code == 200 and "未关联" in html(page) and "<img" not in html(page)
    assert me.get("/me/card.png").status_code == 404


def test_a_secretary_handles_a_members_card(web_as, tid, tenant, city, in_tenant):
    secretary = web_as(tid, "sec1", role="branch_secretary", org=city["one"])
    path = f"/members/{city['李梅']}/card"
    assert secretary.get(path).status_code == 200
    assert secretary.post(path).status_code == 302
    text = html(secretary.get(path))
    assert "李梅" in text and f'src="{path}.png"' in text
    assert secretary.get(f"{path}.png").mimetype == "image/png"
    assert secretary.get(f"/members/{city['赵六']}/card").status_code == 404
    assert secretary.get(f"/members/{city['beta']}/card.png").status_code == 404

    viewer = web_as(tid, "viewer", role="member", org=city["one"])
    assert viewer.get(path).status_code == 403
    assert viewer.get(f"{path}.png").status_code == 403
    _link("viewer", tenant, in_tenant, city["张三"])
    assert viewer.get(f"/members/{city['张三']}/card").status_code == 200  # their own
