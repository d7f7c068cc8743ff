"""The review screens in the browser, in Chinese: the list and opening a review, a cycle's
page and its stages, an entry's report, rating and publication with the grade shown."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.auth.models import User
from core.db import db
from core.reviews.models import RATING, ReviewCycle, ReviewEntry
from tests.reviews.conftest import YEAR, publish_assessment
from tests.web.conftest import html, web_as  # noqa: F401  (the fixture)


def _linked(make_user, in_tenant, tenant, username, role, org_id, member_id):
    make_user(tenant, username=username, role=role, org=org_id)
    with in_tenant(tenant):
        user = db.session.scalar(select(User).where(User.username == username))
        user.member_id = member_id
        db.session.commit()


def _entry_id(in_tenant, tenant, org_id) -> str:
    with in_tenant(tenant):
        return str(db.session.scalar(select(ReviewEntry.id).where(ReviewEntry.org_id == org_id)))


def test_a_review_in_the_browser(tenant, in_tenant, city, web_as, make_user):  # noqa: F811
    county = web_as(tenant, "county", role="org_manager", org=city["R"])
    listed = county.get("/reviews")
    assert listed.status_code == 200
    assert "书记述职评议" in html(listed) and "开展述职评议" in html(listed)
    assert county.get("/reviews?year=abc").status_code == 422

    refused = county.post("/reviews", {"org_code": "NOPE", "year": YEAR}, form_page="/reviews")
    assert refused.status_code == 422 and "找不到您可查看的该编码党组织" in html(refused)
    opened = county.post("/reviews", {"org_code": "R", "year": YEAR}, form_page="/reviews")
    assert opened.status_code == 302, html(opened)
    cycle_url = opened.headers["Location"]
    page = html(county.get(cycle_url))
    assert "X支部" in page and "张书记" in page and "准备中" in page
    twice = county.post("/reviews", {"org_code": "R", "year": YEAR}, form_page="/reviews")
    assert twice.status_code == 409 and "已有" in html(twice)

    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    moved = county.post(f"{cycle_url}/advance", {"version": version}, form_page=cycle_url)
    assert moved.status_code == 302
    assert "述职中" in html(county.get(cycle_url))

    # the secretary writes and submits; a member of another branch does not see the entry
    _linked(make_user, in_tenant, tenant, "secx", "branch_secretary", city["X"], city["members"]["X"][0])
    secretary = web_as(tenant, "secx", create=False)
    x = _entry_id(in_tenant, tenant, city["X"])
    entry_url = f"/reviews/entries/{x}"
    page = html(secretary.get(entry_url))
    assert "提交述职报告" in page and "保存草稿" in page
    submitted = secretary.post(f"{entry_url}/report", {"version": "1", "report": "本年度述职……", "action": "submit"},
                               form_page=entry_url)
    assert submitted.status_code == 302, html(submitted)
    assert "已提交述职" in html(secretary.get(entry_url))
    outsider = web_as(tenant, "outsider", role="member", org=city["Y"])
    assert outsider.get(entry_url).status_code == 404
    assert secretary.get("/reviews/entries/not-an-id").status_code == 404

    # rating: a member of X rates their secretary
    with in_tenant(tenant):
        cycle = db.session.scalar(select(ReviewCycle))
        cycle.state = RATING
        db.session.commit()
    _linked(make_user, in_tenant, tenant, "x2", "member", city["X"], city["members"]["X"][1])
    member = web_as(tenant, "x2", create=False)
    page = html(member.get(entry_url))
    assert "您的评议（党员评议）" in page
    rated = member.post(f"{entry_url}/rating", {"version": "0", "rating": "good"}, form_page=entry_url)
    assert rated.status_code == 302, html(rated)
    assert "您的评议" in html(member.get(entry_url))

    # publication: refused while a secretary can be graded from nothing; then graded
    page = html(county.get(cycle_url))
    assert "公布评议结果" in page
    root_option = str(city["R"])
    refused = county.post(f"{cycle_url}/publish", {"org": root_option, "version": ""}, form_page=cycle_url)
    assert refused.status_code == 409 and "无法评定等次" in html(refused)
    with in_tenant(tenant):
        publish_assessment(YEAR, {city[c]: 95 for c in ("C1", "C2", "Y")} | {city["X"]: 50, city["Z"]: 65},
                           city["R"])
        db.session.commit()
    done = county.post(f"{cycle_url}/publish", {"org": root_option, "version": ""}, form_page=cycle_url)
    assert done.status_code == 302, html(done)
    page = html(county.get(cycle_url))
    assert "已公布" in page and ">整改</a>" in page  # Z: 65 一般 → a problem to rectify
    entry_page = html(county.get(entry_url))  # X: 0.7·100 + 0.3·50 = 85 较好
    assert "等次计算明细" in entry_page and "85.00" in entry_page and "较好" in entry_page


def test_the_settings_page_speaks_chinese(tenant, city, web_as):  # noqa: F811
    admin = web_as(tenant, "cityadmin", role="tenant_admin")
    page = admin.get("/admin/plugins/core.reviews.plugin")
    assert page.status_code == 200
    text = html(page)
    assert "书记述职评议" in text and "党员评议权重" in text and "评为“好”的最低分" in text
    saved = admin.post("/admin/plugins/core.reviews.plugin", {"grade_good": "95"},
                       form_page="/admin/plugins/core.reviews.plugin")
    assert saved.status_code == 302, html(saved)
    assert 'value="95' in html(admin.get("/admin/plugins/core.reviews.plugin"))
