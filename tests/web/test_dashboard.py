"""The dashboard and the organisation page: every figure equals a direct count, the page
makes the same number of statements whatever the size of the subtree, and the organisation
page shows its record, committee, dues, warnings and search; on both databases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.db.mixins import utcnow
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs import posts
from core.orgs import service as orgs
from core.warnings.models import Warning
from tests.web.conftest import html
from tests.web.ledger_city import add_member, add_problem, build


@pytest.fixture
def city(tenant, tenant_b, in_tenant, make_user):
    ids = build(tenant, tenant_b, in_tenant, make_user)
    with in_tenant(ids["t"]):
        one, two = orgs.get(ids["one"]), orgs.get(ids["two"])
        add_problem(one, "超期的问题", found_on=date.today() - timedelta(days=90),
                    deadline=date.today() - timedelta(days=3))
        add_problem(two, "未超期的问题")
        now = utcnow()
        for org, key in ((one, "orgs.term_overdue"), (two, "orgs.term_overdue"), (two, "orgs.branch_too_small")):
            db.session.add(Warning(rule_key=key, org_id=org.id, severity="warning", message="m", figures={},
                                   subject_key="", opened_at=now, last_seen_at=now))
        db.session.commit()
    return ids




def test_the_dashboard_figures_equal_direct_counts(city, in_tenant, web_as):
    admin = web_as(city["t"], "admin", create=False)
    page = html(admin.get(f"/?org={city['town']}"))
    with in_tenant(city["t"]):
        active = db.session.scalar(select(func.count()).select_from(Member).where(Member.status.in_(ACTIVE_STATUSES)))
        this_year = db.session.scalar(select(func.count()).select_from(Member).where(
            Member.joined_on >= date(date.today().year, 1, 1)))
    assert active == 3 and this_year == 1
    figures = page.split('aria-label="主要数据"')[1].split("</section>")[0]
    assert f'<span class="n">{active}</span><span>党员总数' in figures.replace("\n", "")
    assert '<span class="n">3</span><span>党组织数' in figures.replace("\n", "")  # town and two branches
    assert '<span class="n">3</span><span><a' in figures.replace("\n", "")  # open warnings
    assert '<span class="n">1</span><span><a href="/problems?org=' in figures.replace("\n", "")  # overdue
    for title in ("党员状态分布", "党员领域分布", "党组织领域分布", "党员性别分布", "党员年龄结构",
                  "党员学历结构", "党员党龄结构", "历年发展党员数", "问题整改状态分布"):
        assert f'role="img" aria-label="{title}"' in page, title
    # the trend's table: this year's admissions
    trend = page.split("<caption>历年发展党员数</caption>")[1].split("</table>")[0]
    assert f'<th scope="row">{date.today().year}</th><td class="num">{this_year}</td>' in trend
    # by rule: 2 × 超期未换届, 1 × 支部正式党员不足3人
    rules = page.split("<caption>按规则统计的未处理预警</caption>")[1].split("</table>")[0]
    assert "超期未换届" in rules and '<td class="num">2</td>' in rules
    overdue = page.split("<caption>超期未整改问题")[1].split("</table>")[0]
    assert "超期的问题" in overdue and "未超期的问题" not in overdue
    # a secretary's dashboard is the branch's
    secretary = web_as(city["t"], "sec1", create=False)
    own = html(secretary.get("/"))
    assert "一支部 · 工作台" in own and "二支部" not in own
    assert secretary.get(f"/?org={city['two']}").status_code == 404
    assert secretary.get(f"/?org={city['beta']}").status_code == 404


def test_the_dashboard_costs_the_same_statements_for_a_larger_subtree(city, in_tenant, web_as, count_statements):
    admin = web_as(city["t"], "admin", create=False)
    path = f"/?org={city['town']}"
    assert admin.get(path).status_code == 200  # warm: what a process reads once
    with count_statements() as small:
        assert admin.get(path).status_code == 200
    with in_tenant(city["t"]):
        town = orgs.get(city["town"])
        for b in range(5):
            branch = orgs.create(name=f"新支部{b}", code=f"R-T-N{b}", kind="branch", parent=town)
            db.session.flush()
            for m in range(8):
                add_member(branch, f"党员{b}{m}", gender="female" if m % 2 else "male",
                           born=date(1960 + m * 5, 1, 1), joined=date(2015 + m, 7, 1))
            add_problem(branch, f"问题{b}", found_on=date.today() - timedelta(days=40),
                        deadline=date.today() - timedelta(days=1))
        db.session.commit()
    with count_statements() as large:
        page = html(admin.get(path))
    assert "新支部0" in page or "问题0" in page
    assert len(large) == len(small), (len(small), len(large))
    assert len(small) < 40


def test_the_organisation_page_and_the_tree_search(city, in_tenant, web_as):
    with in_tenant(city["t"]):
        one = orgs.get(city["one"])
        member = db.session.scalar(select(Member).where(Member.name == "张一"))
        posts.start(one, post="secretary", started_on=date(2023, 1, 1), member_id=member.id)
        db.session.commit()
    secretary = web_as(city["t"], "sec1", create=False)
    page = html(secretary.get(f"/orgs/{city['one']}"))
    assert "<h1>一支部</h1>" in page and "R-T-1" in page
    assert "书记" in page and "张一" in page  # the committee
    assert "应交人数" in page and "尚无已发布的考核得分" in page
    assert "未处理预警（1）" in page
    assert secretary.get(f"/orgs/{city['two']}").status_code == 404
    found = html(secretary.get("/orgs?q=一支"))
    assert "一支部" in found and "二支部" not in found
    admin = web_as(city["t"], "admin", create=False)
    by_code = html(admin.get("/orgs?q=R-T-2"))
    assert "二支部" in by_code and "一支部" not in by_code.split("查找结果")[-1]
    assert "没有与“无此组织”匹配的党组织" in html(admin.get("/orgs?q=无此组织"))
    assert "乙市委" not in html(admin.get("/orgs?q=市委"))


def test_the_cached_figures_are_per_user_and_recomputed_on_request(city, in_tenant, web_as, app):
    """With the cache on, a second look reuses the figures (the page says when they were
    computed); ``?fresh=1`` recomputes them; another user never gets someone else's."""
    app.config["DASHBOARD_CACHE_SECONDS"] = 60
    app.extensions.pop("dangjian_web_cache", None)
    try:
        admin = web_as(city["t"], "admin", create=False)
        path = f"/?org={city['town']}"

        def members_shown(page: str) -> str:
            figures = page.split('aria-label="主要数据"')[1].split("</section>")[0].replace("\n", "")
            return figures.split('<span class="n">')[1].split("</span>")[0]

        first = html(admin.get(path))
        assert members_shown(first) == "3" and "数据统计于" in first
        with in_tenant(city["t"]):
            add_member(orgs.get(city["one"]), "新来的")
            db.session.commit()
        assert members_shown(html(admin.get(path))) == "3"  # cached
        assert members_shown(html(admin.get(path + "&fresh=1"))) == "4"  # recomputed
        assert members_shown(html(admin.get(path))) == "4"  # and kept
        secretary = web_as(city["t"], "sec1", create=False)
        assert members_shown(html(secretary.get("/"))) == "3"  # 一支部's own, not the town's
    finally:
        app.config["DASHBOARD_CACHE_SECONDS"] = 0
        app.extensions.pop("dangjian_web_cache", None)
