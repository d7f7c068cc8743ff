"""Model-site applications through the API: apply against the tenant's criteria → review →
public notice with objections → awarded; yearly re-review (pass, fail, lapse) and
withdrawal kept in the history; who may take each step; one live application per level."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select, update

from core.brands import service
from core.brands.models import ModelSite, SiteEvent, SiteReview
from core.db import db
from core.warnings.rules import RuleContext
from tests.brands.conftest import answers
from tests.support.auth import error_fields

URL = "/api/v1/brands/model-sites"


def _end_notice(in_tenant, tenant, site_id) -> None:
    """The notice ended yesterday (instead of waiting for it)."""
    with in_tenant(tenant):
        db.session.execute(update(ModelSite).where(ModelSite.id == uuid.UUID(str(site_id))).values(
            notice_starts_on=date.today() - timedelta(days=8), notice_ends_on=date.today() - timedelta(days=1)))
        db.session.commit()


def _step(client, headers, site, action, **body):
    return client.post(f"{URL}/{site['id']}/{action}", headers=headers, json=body)


def test_the_whole_flow_to_an_award(client, tenant, city, login, new_site, new_brand, in_tenant):
    secretary = login(tenant, "branch_secretary", "V1")
    brand = new_brand(secretary, city["V1"])
    site = new_site(secretary, city["V1"], brand_id=brand["id"], year=2026)
    assert site["status"] == "applied" and site["status_label"] == "待审核"
    assert site["level_label"] == "党建示范点" and len(site["answers"]) == 5
    # the organisation's own people never review it, whatever their role there
    assert _step(client, secretary, site, "pass").status_code == 403
    assert _step(client, login(tenant, "org_manager", "V1"), site, "pass").status_code == 403
    town = login(tenant, "org_manager", "T")
    passed = _step(client, town, site, "pass", comment="材料齐全", version=site["version"])
    assert passed.status_code == 200, passed.get_json()
    body = passed.get_json()
    assert body["status"] == "notice" and body["notice_starts_on"] == date.today().isoformat()
    assert body["notice_ends_on"] == (date.today() + timedelta(days=6)).isoformat()  # 7 days by default
    # not before the notice ends
    early = _step(client, town, site, "award")
    assert early.status_code == 409 and "notice_ends_on" in error_fields(early.get_json())
    objection = client.post(f"{URL}/{site['id']}/objections", headers=town, json={"text": "主题党日未按时开展"})
    assert objection.status_code == 201, objection.get_json()
    _end_notice(in_tenant, tenant, site["id"])
    blocked = _step(client, town, site, "award")
    assert blocked.status_code == 409 and "objections" in error_fields(blocked.get_json())
    settle = client.post(f"{URL}/{site['id']}/objections/{objection.get_json()['id']}/settle", headers=town,
                         json={"upheld": False, "resolution": "经核查顺延开展，记录完整", "version": 1})
    assert settle.status_code == 200 and settle.get_json()["status"] == "dismissed"
    awarded = _step(client, town, site, "award", award_year=2026)
    assert awarded.status_code == 200, awarded.get_json()
    body = awarded.get_json()
    assert body["status"] == "awarded" and body["title"] == "2026年度党建示范点" and body["award_year"] == 2026
    kinds = [e["kind"] for e in body["events"]]
    assert kinds == ["applied", "passed", "objection", "objection_settled", "awarded"]
    assert body["objections"][0]["resolution"] == "经核查顺延开展，记录完整"


def test_an_upheld_objection_blocks_the_award(client, tenant, city, login, new_site, in_tenant):
    site = new_site(login(tenant, "branch_secretary", "V2"), city["V2"])
    town = login(tenant, "org_manager", "T")
    _step(client, town, site, "pass")
    objection = client.post(f"{URL}/{site['id']}/objections", headers=town, json={"text": "账目不清"}).get_json()
    client.post(f"{URL}/{site['id']}/objections/{objection['id']}/settle", headers=town,
                json={"upheld": True, "resolution": "属实"})
    _end_notice(in_tenant, tenant, site["id"])
    assert _step(client, town, site, "award").status_code == 409
    refused = _step(client, town, site, "refuse", reason="公示异议属实")
    assert refused.status_code == 200 and refused.get_json()["status"] == "refused"
    assert refused.get_json()["refusal_reason"] == "公示异议属实"
    # refused is history: a new application may follow
    assert client.post(URL, headers=login(tenant, "branch_secretary", "V2"),
                       json={"org_id": str(city["V2"]), "level": "model_site", "answers": answers()}).status_code == 201


def test_application_input(client, tenant, city, login, new_site, new_brand, in_tenant):
    secretary = login(tenant, "branch_secretary", "V1")
    missing = client.post(URL, headers=secretary, json={"org_id": str(city["V1"]), "level": "model_site",
                                                        "answers": answers(**{"党员先锋模范作用发挥明显": None})})
    assert missing.status_code == 422 and "answers" in error_fields(missing.get_json())
    blank = client.post(URL, headers=secretary, json={"org_id": str(city["V1"]), "level": "model_site",
                                                      "answers": answers(**{"党员先锋模范作用发挥明显": "  "})})
    assert blank.status_code == 422 and "answers" in error_fields(blank.get_json())
    unknown = client.post(URL, headers=secretary, json={"org_id": str(city["V1"]), "level": "model_site",
                                                        "answers": answers(别的="x")})
    assert unknown.status_code == 422 and "answers" in error_fields(unknown.get_json())
    bad_level = client.post(URL, headers=secretary, json={"org_id": str(city["V1"]), "level": "gold", "answers": answers()})
    assert bad_level.status_code == 422 and "level" in error_fields(bad_level.get_json())
    other_brand = new_brand(login(tenant), city["V2"])
    foreign = client.post(URL, headers=secretary, json={"org_id": str(city["V1"]), "level": "model_site",
                                                        "answers": answers(), "brand_id": other_brand["id"]})
    assert foreign.status_code == 422 and "brand_id" in error_fields(foreign.get_json())
    site = new_site(secretary, city["V1"])
    twice = client.post(URL, headers=secretary, json={"org_id": str(city["V1"]), "level": "model_site", "answers": answers()})
    assert twice.status_code == 409 and "level" in error_fields(twice.get_json())
    # another level is another selection
    new_site(secretary, city["V1"], level="hundred_best")
    patched = client.patch(f"{URL}/{site['id']}", headers=secretary, json={"version": 1, "statement": "补充材料"})
    assert patched.status_code == 200 and patched.get_json()["statement"] == "补充材料"
    stale = client.patch(f"{URL}/{site['id']}", headers=secretary, json={"version": 1, "statement": "旧"})
    assert stale.status_code == 409 and "version" in error_fields(stale.get_json())
    assert client.post(URL, headers=login(tenant, "member", "V1"),
                       json={"org_id": str(city["V1"]), "level": "model_site", "answers": answers()}).status_code == 403
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(ModelSite)) == 2
    # the tenant's own criteria
    admin = login(tenant)
    put = client.put("/api/v1/brands/settings", headers=admin, json={"criteria": ["有特色"], "notice_days": 5})
    assert put.status_code == 200 and put.get_json()["overridden"] == ["criteria", "notice_days"]
    now = client.post(URL, headers=secretary, json={"org_id": str(city["V1"]), "level": "model_site",
                                                    "answers": {"有特色": "田间党课"}})
    assert now.status_code == 409  # still the live one; but the answers were accepted first
    bad = client.put("/api/v1/brands/settings", headers=admin, json={"notice_days": 0})
    assert bad.status_code == 422 and "notice_days" in error_fields(bad.get_json())


def _awarded(client, tenant, city, login, new_site, in_tenant, code="V1", year=2024):
    site = new_site(login(tenant), city[code], year=year)
    town = login(tenant, "org_manager", "T")
    _step(client, town, site, "pass")
    _end_notice(in_tenant, tenant, site["id"])
    done = _step(client, town, site, "award", award_year=year)
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def test_yearly_review_keeps_or_withdraws_and_history_stays(client, tenant, city, login, new_site, in_tenant):
    kept = _awarded(client, tenant, city, login, new_site, in_tenant, "V1")
    lost = _awarded(client, tenant, city, login, new_site, in_tenant, "V2")
    town = login(tenant, "org_manager", "T")
    assert _step(client, town, kept, "review", passed=True).status_code == 409  # none due yet
    # a village secretary may not open the year's reviews; the town's manager may, for its subtree
    assert client.post(f"{URL}/reviews", headers=login(tenant, "branch_secretary", "V1"),
                       json={"year": 2025, "org_id": str(city["V1"])}).status_code == 403
    assert client.post(f"{URL}/reviews", headers=town, json={"year": 2025}).status_code == 403
    opened = client.post(f"{URL}/reviews", headers=town, json={"year": 2025, "org_id": str(city["T"])})
    assert opened.status_code == 200 and opened.get_json() == {"count": 2}
    again = client.post(f"{URL}/reviews", headers=town, json={"year": 2025, "org_id": str(city["T"])})
    assert again.get_json() == {"count": 0}
    due = client.get(URL, headers=town, query_string={"review_due": "true"}).get_json()
    assert len(due) == 2
    ok = _step(client, town, kept, "review", passed=True, comment="持续发挥示范作用")
    assert ok.status_code == 200 and ok.get_json()["status"] == "awarded"
    assert ok.get_json()["reviews"][0]["status"] == "passed"
    no_reason = _step(client, town, lost, "review", passed=False)
    assert no_reason.status_code == 422 and "reason" in error_fields(no_reason.get_json())
    failed = _step(client, town, lost, "review", passed=False, comment="组织生活不规范")
    assert failed.status_code == 200 and failed.get_json()["status"] == "withdrawn"
    assert "2025年度复核未通过" in failed.get_json()["withdrawal_reason"]
    # withdrawn, never deleted: the history shows it, and a new application may follow
    history = client.get(f"{URL}/history/{city['V2']}", headers=town).get_json()
    assert [h["status"] for h in history] == ["withdrawn"]
    fresh = client.post(URL, headers=login(tenant, "branch_secretary", "V2"),
                        json={"org_id": str(city["V2"]), "level": "model_site", "answers": answers()})
    assert fresh.status_code == 201
    history = client.get(f"{URL}/history/{city['V2']}", headers=town).get_json()
    assert sorted(h["status"] for h in history) == ["applied", "withdrawn"]
    detail = client.get(f"{URL}/{fresh.get_json()['id']}", headers=town).get_json()
    assert [h["status"] for h in detail["history"]] == ["withdrawn"]
    assert client.get(f"{URL}/history/{city['V2']}", headers=login(tenant, "member", "V1")).status_code == 404


def test_a_lapsed_review_withdraws_the_title(client, tenant, city, login, new_site, in_tenant):
    site = _awarded(client, tenant, city, login, new_site, in_tenant, "V1", 2024)
    admin = login(tenant)
    client.post(f"{URL}/reviews", headers=admin, json={"year": 2025})
    with in_tenant(tenant):
        review = db.session.scalar(select(SiteReview))
        assert review.due_on == date(2025, 12, 31)
        # the warning rule names it while it is due (past due here) …
        from core.brands.warnings import check_review_due

        found = check_review_due(RuleContext(tenant_id=review.tenant_id, today=date.today(),
                                             params={"days_before": 30}))
        assert [f.org_id for f in found] == [city["V1"]]
        assert found[0].figures["year"] == 2025
        db.session.commit()
    lapsed = client.post(f"{URL}/reviews/lapse", headers=admin, json={})
    assert lapsed.status_code == 200 and lapsed.get_json() == {"count": 1}
    body = client.get(f"{URL}/{site['id']}", headers=admin).get_json()
    assert body["status"] == "withdrawn" and body["reviews"][0]["status"] == "lapsed"
    assert [e["kind"] for e in body["events"]][-2:] == ["review_lapsed", "withdrawn"]
    with in_tenant(tenant):
        # … and no longer once the title is gone
        found = check_review_due(RuleContext(tenant_id=1, today=date.today(), params={"days_before": 30}))
        assert found == []
    assert client.post(f"{URL}/reviews/lapse", headers=login(tenant, "org_manager", "T"), json={}).status_code == 403


def test_withdraw_and_lists(client, tenant, city, login, new_site, in_tenant):
    site = _awarded(client, tenant, city, login, new_site, in_tenant, "V1")
    other = new_site(login(tenant), city["F"], level="hundred_best")
    town = login(tenant, "org_manager", "T")
    assert _step(client, town, site, "withdraw").status_code == 422
    assert _step(client, login(tenant, "branch_secretary", "V1"), site, "withdraw", reason="x").status_code == 403
    done = _step(client, town, site, "withdraw", reason="发生违纪问题", version=site["version"])
    assert done.status_code == 200 and done.get_json()["status"] == "withdrawn"
    assert _step(client, town, site, "withdraw", reason="再撤").status_code == 409
    admin = login(tenant)

    def statuses(headers, **query):
        response = client.get(URL, headers=headers, query_string=query)
        assert response.status_code == 200, response.get_json()
        return sorted(s["status"] for s in response.get_json())

    assert statuses(admin) == ["applied", "withdrawn"]
    assert statuses(town) == ["withdrawn"]
    assert statuses(admin, level="hundred_best") == ["applied"]
    assert statuses(admin, org=str(city["J"])) == ["applied"]
    assert statuses(admin, status="withdrawn") == ["withdrawn"]
    assert client.get(URL, headers=town, query_string={"org": str(city["J"])}).status_code == 404
    assert client.get(f"{URL}/{other['id']}", headers=town).status_code == 404
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(SiteEvent)
                                 .where(SiteEvent.kind == "withdrawn")) == 1
        assert service.history(city["V1"])[0].withdrawal_reason == "发生违纪问题"


def test_the_hundred_best_are_the_citys_selection_within_its_quota(client, tenant, city, login, new_site, in_tenant):
    admin = login(tenant)
    assert client.put("/api/v1/brands/settings", headers=admin, json={"hundred_best_quota": 1}).status_code == 200
    first = new_site(login(tenant, "branch_secretary", "V1"), city["V1"], level="hundred_best", year=2026)
    second = new_site(login(tenant, "branch_secretary", "V2"), city["V2"], level="hundred_best", year=2026)
    town = login(tenant, "org_manager", "T")
    # the town is the level above, but the 百佳 are chosen by the city
    refused = _step(client, town, first, "pass")
    assert refused.status_code == 403 and "租户管理员" in refused.get_json()["message"]
    for site in (first, second):
        assert _step(client, admin, site, "pass").status_code == 200
        _end_notice(in_tenant, tenant, site["id"])
    assert _step(client, admin, first, "award", award_year=2026).status_code == 200
    full = _step(client, admin, second, "award", award_year=2026)
    assert full.status_code == 409 and "award_year" in error_fields(full.get_json())
    # another year has its own quota; a withdrawn title frees its place
    assert _step(client, admin, first, "withdraw", reason="违纪").status_code == 200
    done = _step(client, admin, second, "award", award_year=2026)
    assert done.status_code == 200 and done.get_json()["title"] == "2026年度基层党建百佳示范单位"
