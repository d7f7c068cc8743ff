"""The brand pages in the browser: the library and its search, the brand form (one per
organisation, shown beside the field), a brand's page with its cases, an application
through its workflow buttons, coverage — in Chinese, each refusal a 4xx."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select, update

from core.brands.models import Brand, ModelSite
from core.brands.settings import CRITERIA
from core.db import db
from tests.web.conftest import html


def _brand_id(in_tenant, tenant, name):
    with in_tenant(tenant):
        return db.session.scalar(select(Brand.id).where(Brand.name == name))


def test_library_form_page_and_cases(tenant, city, web_as, in_tenant):
    secretary = web_as(tenant, "cun1", role="branch_secretary", org=city["V1"])
    empty = secretary.get("/brands")
    assert empty.status_code == 200 and "党建品牌库" in html(empty) and "没有符合条件的品牌" in html(empty)
    form = secretary.get("/brands/new")
    assert form.status_code == 200 and "品牌理念" in html(form) and "理论支撑" in html(form)
    done = secretary.post("/brands/new", {"org_code": "V1", "name": "田间党课", "theme": "把党课开到田间",
                                          "concept": "党员在田间讲政策", "parent": ""})
    assert done.status_code == 302, html(done)
    again = secretary.post("/brands/new", {"org_code": "V1", "name": "第二个", "parent": ""},
                           form_page="/brands/new")
    assert again.status_code == 409 and "已有党建品牌" in html(again)
    unseen = secretary.post("/brands/new", {"org_code": "V2", "name": "别人的", "parent": ""},
                            form_page="/brands/new")
    assert unseen.status_code == 422 and "没有您可见的该编码党组织" in html(unseen) or unseen.status_code == 422
    brand_id = _brand_id(in_tenant, tenant, "田间党课")
    page = secretary.get(f"/brands/{brand_id}")
    assert page.status_code == 200 and "把党课开到田间" in html(page) and "暂无典型个案" in html(page)
    added = secretary.post(f"/brands/{brand_id}/cases", {"title": "助秋收", "happened_on": "2025-10-01",
                                                        "text": "讲解防倒伏技术"}, form_page=f"/brands/{brand_id}")
    assert added.status_code == 302
    future = secretary.post(f"/brands/{brand_id}/cases", {"title": "明天", "text": "x",
                            "happened_on": (date.today() + timedelta(days=2)).isoformat()},
                            form_page=f"/brands/{brand_id}")
    assert future.status_code == 422 and "不能晚于今天" in html(future)
    assert "助秋收" in html(secretary.get(f"/brands/{brand_id}"))
    found = secretary.get("/brands", query_string={"q": "田间"})
    assert "田间党课" in html(found)
    assert "田间党课" not in html(secretary.get("/brands", query_string={"q": "没有的词"}))
    edit = secretary.get(f"/brands/{brand_id}/edit")
    assert edit.status_code == 200
    stale = secretary.post(f"/brands/{brand_id}/edit", {"version": "9", "name": "田间党课", "parent": ""},
                           form_page=f"/brands/{brand_id}/edit")
    assert stale.status_code == 409
    member = web_as(tenant, "dy", role="member", org=city["V1"])
    assert member.get(f"/brands/{brand_id}").status_code == 200
    assert member.get("/brands/new").status_code == 403
    assert member.get(f"/brands/{brand_id}/edit").status_code == 403
    other = web_as(tenant, "cun2", role="branch_secretary", org=city["V2"])
    assert other.get(f"/brands/{brand_id}").status_code == 404
    assert other.get("/brands/nope").status_code == 404


def test_sub_brand_choice_on_the_form(tenant, city, web_as, in_tenant):
    admin = web_as(tenant, "admin1")
    assert admin.post("/brands/new", {"org_code": "J", "name": "机关先锋", "parent": ""}).status_code == 302
    parent_id = _brand_id(in_tenant, tenant, "机关先锋")
    form = admin.get("/brands/new", query_string={"org": str(city["F"])})
    assert "机关先锋（机关工委）" in html(form)
    done = admin.post("/brands/new", {"org_code": "F", "name": "红色账本", "parent": str(parent_id)},
                      form_page="/brands/new")
    assert done.status_code == 302, html(done)
    with in_tenant(tenant):
        assert db.session.scalar(select(Brand.parent_id).where(Brand.name == "红色账本")) == parent_id
    assert "红色账本" in html(admin.get(f"/brands/{parent_id}"))


def _answers():
    return {f"answer_{n}": f"做法{n}" for n in range(len(CRITERIA))}


def test_an_application_through_its_buttons(tenant, city, web_as, in_tenant):
    secretary = web_as(tenant, "cun1", role="branch_secretary", org=city["V1"])
    form = secretary.get("/brands/model-sites/new")
    assert form.status_code == 200 and CRITERIA[0] in html(form)
    short = secretary.post("/brands/model-sites/new", {"org_code": "V1", "level": "model_site", "year": "2026"})
    assert short.status_code == 422
    done = secretary.post("/brands/model-sites/new", {"org_code": "V1", "level": "model_site", "year": "2026",
                                                      **_answers()})
    assert done.status_code == 302, html(done)
    site_url = done.headers["Location"]
    page = secretary.get(site_url)
    assert page.status_code == 200 and "待审核" in html(page) and "审核通过并开始公示" not in html(page)
    assert secretary.post(f"{site_url}/pass", {"pass-comment": "自己审"}, form_page=site_url).status_code == 403
    town = web_as(tenant, "zhen", role="org_manager", org=city["T"])
    assert "审核通过并开始公示" in html(town.get(site_url))
    passed = town.post(f"{site_url}/pass", {"pass-comment": "材料齐全"}, form_page=site_url)
    assert passed.status_code == 302
    page = html(town.get(site_url))
    assert "公示中" in page and "期满后方可授予称号" in page
    objection = town.post(f"{site_url}/objections", {"objection-text": "反映问题"}, form_page=site_url)
    assert objection.status_code == 302
    site_id = uuid.UUID(site_url.rsplit("/", 1)[1])
    with in_tenant(tenant):
        db.session.execute(update(ModelSite).where(ModelSite.id == site_id).values(
            notice_ends_on=date.today() - timedelta(days=1)))
        db.session.commit()
    page = html(town.get(site_url))
    assert "授予称号" in page and "处理异议" in page
    blocked = town.post(f"{site_url}/award", {"award-award_year": "2026"}, form_page=site_url)
    assert blocked.status_code == 409 and "还有公示异议未处理" in html(blocked)
    with in_tenant(tenant):
        from core.brands.models import SiteObjection

        objection_id = db.session.scalar(select(SiteObjection.id))
    settled = town.post(f"{site_url}/objections/{objection_id}/settle",
                        {"settle-resolution": "不属实"}, form_page=site_url)
    assert settled.status_code == 302, html(settled)
    awarded = town.post(f"{site_url}/award", {"award-award_year": "2026"}, form_page=site_url)
    assert awarded.status_code == 302
    page = html(town.get(site_url))
    assert "已授牌" in page and "2026年度党建示范点" in page
    bad = town.post(f"{site_url}/withdraw", {"withdraw-reason": ""}, form_page=site_url)
    assert bad.status_code == 422
    withdrawn = town.post(f"{site_url}/withdraw", {"withdraw-reason": "违纪"}, form_page=site_url)
    assert withdrawn.status_code == 302 and "已撤销" in html(town.get(site_url))
    listed = town.get("/brands/model-sites", query_string={"status": "withdrawn"})
    assert listed.status_code == 200 and "一村支部" in html(listed)
    assert town.get("/brands/model-sites", query_string={"code": "J"}).status_code == 422


def test_open_reviews_and_coverage_pages(tenant, city, web_as, in_tenant):
    admin = web_as(tenant, "admin1")
    admin.post("/brands/new", {"org_code": "V1", "name": "田间党课", "parent": ""})
    page = admin.get("/brands/coverage", query_string={"org": str(city["R"])})
    assert page.status_code == 200 and "一村一亮点" in html(page) and "1 / 3" in html(page)
    by_code = admin.get("/brands/coverage", query_string={"code": "T"})
    assert by_code.status_code == 200 and "镇党委" in html(by_code)
    assert admin.get("/brands/coverage", query_string={"code": "nope"}).status_code == 422
    town = web_as(tenant, "zhen", role="org_manager", org=city["T"])
    assert town.get("/brands/coverage", query_string={"org": str(city["J"])}).status_code == 404
    opened = admin.post("/brands/model-sites/reviews", {"year": "2026"}, form_page="/brands/model-sites")
    assert opened.status_code == 302
    member = web_as(tenant, "dy", role="member", org=city["V1"])
    assert member.post("/brands/model-sites/reviews", {"year": "2026"}, form_page="/brands").status_code == 403
