"""The assessment screens through the test client: open a cycle, run it as the API's job
(real Redis + rq on the PostgreSQL leg), the results equal the API's, manual scores,
adjustments and the veto saved through the service, publish and reopen, the 红黑榜; bad
input beside the field with nothing written, lower roles 403/404, other tenants 404, CSRF.
Also the shared job page (another user's job 404, the status JSON)."""

from __future__ import annotations

import re
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import func, inspect, select, true

from core.assessment import cycles, lists
from core.assessment.models.cycles import Adjustment, Cycle, ManualScore, OrgResult, Veto
from core.db import db
from core.orgs import service as orgs
from core.plugins.hookspecs import hookimpl
from core.tenancy import tenant_context
from tests.assessment import cycle_helpers as h
from tests.support.plugins import registrar
from tests.web.conftest import html

D = Decimal
ROW = re.compile(r'<a href="/cycles/[^/]+/results/([^"]+)">([^<]+)</a>.*?<td class="num score">([^<]+)</td>', re.S)


class _Indicators:
    @hookimpl
    def dangjian_indicators(self):
        return h.CT_INDICATORS

    @hookimpl
    def dangjian_standards(self):
        return []


@pytest.fixture
def city(tenant, tenant_b, in_tenant, make_user, app_ctx):
    """alpha: R → C1 → A (5 members), B (2, one lost), C (10, no contact); R → C2 → D.
    Scores after a run: C 70, A 65, B 54, D 30 (ct.review, manual, 0 of 20 until scored).
    beta: its own root, standard and an evaluated cycle."""
    with registrar() as register:
        register(_Indicators(), "web_test_indicators", [tenant, tenant_b])
        ids = {}
        with in_tenant(tenant):
            ids.update(h.build_city())
            db.session.commit()
        with in_tenant(tenant_b):
            beta_root = h.make_org(kind="committee", code="R")
            h.make_standard()
            beta_cycle = h.open_cycle(beta_root)
            h.run(beta_cycle)
            db.session.commit()
            ids.update(beta_root=beta_root.id, beta_cycle=beta_cycle.id)
        make_user(tenant, username="admin")
        make_user(tenant, username="manager", role="org_manager", org=ids["C1"])
        make_user(tenant, username="secretary", role="branch_secretary", org=ids["A"])
        yield {k: str(v) for k, v in ids.items()}


def _open(web, city, **changes):
    data = {"name": "2024年度评星定级", "period": "year", "year": "2024", "part": "1",
            "root_org_id": city["R"], "standard_ids": [city["standard"]], **changes}
    return web.post("/cycles", data)


def _cycle_id(response) -> str:
    assert response.status_code == 302, html(response)
    return response.headers["Location"].rsplit("/", 1)[1]


def _run(web, cycle_id, run_jobs):
    started = web.post(f"/cycles/{cycle_id}/run", form_page=f"/cycles/{cycle_id}")
    assert started.status_code == 302, html(started)
    location = started.headers["Location"]
    assert location.startswith("/jobs/") and f"next=/cycles/{cycle_id}" in location.replace("%2F", "/")
    run_jobs()
    return location.split("?")[0].rsplit("/", 1)[1]


def _rows(page: str) -> list[tuple[str, str, str]]:
    return ROW.findall(page)


def _tenant_id(tenant) -> int:
    return inspect(tenant).identity[0]  # the fixture's Tenant may be detached by a login


def _in_tenant(tenant, fn):
    with tenant_context(_tenant_id(tenant)):
        try:
            return fn()
        finally:
            db.session.rollback()


def test_open_run_review_publish_and_the_ranking(city, tenant, web_as, auth_headers, client, run_jobs):
    admin = web_as(_tenant_id(tenant), "admin", create=False)
    listing = admin.get("/cycles")
    assert listing.status_code == 200
    assert "开启新的考核周期" in html(listing) and "测试标准" in html(listing)

    cycle_id = _cycle_id(_open(admin, city))
    page = html(admin.get(f"/cycles/{cycle_id}"))
    assert "未评估" in page and "运行评估" in page and "测试标准" in page and "R组织" in page

    job_id = _run(admin, cycle_id, run_jobs)
    status = admin.get(f"/jobs/{job_id}/status").get_json()
    assert status["state"] == "finished" and status["progress"] == 100 and status["done"] is True
    assert status["state_label"] == "已完成"
    job_page = html(admin.get(f"/jobs/{job_id}?next=/cycles/{cycle_id}"))
    assert f'href="/cycles/{cycle_id}"' in job_page and 'value="100"' in job_page

    # The results equal the API's, in the same order.
    api = auth_headers(tenant, username="api-admin")
    from_api = client.get(f"/api/v1/cycles/{cycle_id}/results", headers=api).get_json()
    page = html(admin.get(f"/cycles/{cycle_id}"))
    assert "已评估" in page
    assert [(r[1], r[2]) for r in _rows(page)] == [(r["org_name"], r["score"]) for r in from_api]
    assert [r[1] for r in _rows(page)] == ["C组织", "A组织", "B组织", "D组织"]
    assert [r[1] for r in _rows(html(admin.get(f"/cycles/{cycle_id}?stars=1")))] == ["B组织", "D组织"]
    assert [r[1] for r in _rows(html(admin.get(f"/cycles/{cycle_id}?org={city['C1']}")))] == [
        "C组织", "A组织", "B组织"]
    assert admin.get(f"/cycles/{cycle_id}?org={city['beta_root']}").status_code == 404

    # One organisation's result, explained line by line as the API explains it.
    detail = client.get(f"/api/v1/cycles/{cycle_id}/results/{city['A']}", headers=api).get_json()
    explained = html(admin.get(f"/cycles/{cycle_id}/results/{city['A']}"))
    for line in detail["breakdown"]:
        assert line["name"] in explained and line["explanation"] in explained
    assert "65.00" in explained and "得 20/20 分" in explained and "待评分" in explained

    # What still needs a manual score: ct.review for each of the four.
    review = html(admin.get(f"/cycles/{cycle_id}/review"))
    assert review.count('name="points"') == 4 and "群众评议" in review
    saved = admin.post(f"/cycles/{cycle_id}/results/{city['A']}/manual/ct.review",
                       {"points": "19.5", "reason": "群众评价好"},
                       form_page=f"/cycles/{cycle_id}/review")
    assert saved.status_code == 302
    admin.post(f"/cycles/{cycle_id}/results/{city['C']}/manual/ct.review",
               {"points": "20", "reason": "群众满意"}, form_page=f"/cycles/{cycle_id}/review")
    assert html(admin.get(f"/cycles/{cycle_id}/review")).count('name="points"') == 2
    detail = client.get(f"/api/v1/cycles/{cycle_id}/results/{city['A']}", headers=api).get_json()
    assert D(detail["score"]) == D("84.5") and detail["manual_scores"][0]["reason"] == "群众评价好"
    assert "评分人评定 19.50/20 分，理由：群众评价好" in html(admin.get(f"/cycles/{cycle_id}/results/{city['A']}"))

    # Publish (a confirmed button), then the ranking.
    page = html(admin.get(f"/cycles/{cycle_id}"))
    assert 'data-confirm="确定发布评定结果吗' in page
    published = admin.post(f"/cycles/{cycle_id}/publish", form_page=f"/cycles/{cycle_id}")
    assert published.status_code == 302
    assert "已发布" in html(admin.get(f"/cycles/{cycle_id}"))
    closed = html(admin.get(f"/cycles/{cycle_id}/review"))
    assert "考核周期已发布：修改结果前请先重新打开。" in closed and 'name="points"' not in closed
    late = admin.post(f"/cycles/{cycle_id}/results/{city['B']}/manual/ct.review",
                      {"points": "1", "reason": "迟到的评分"}, form_page=f"/cycles/{cycle_id}")
    assert late.status_code == 409 and "考核周期已发布" in html(late)
    ranking = html(admin.get("/ranking"))
    red = ranking.split('id="red-title"')[1].split('id="black-title"')[0]
    black = ranking.split('id="black-title"')[1].split("预警情况")[0]
    assert red.index("C组织") < red.index("A组织")  # C 90: five stars; A 84.5: four
    assert black.index("D组织") < black.index("B组织") and "A组织" not in black  # lowest first
    assert "2024年度评星定级" in ranking and "预警情况（2024-01-01 至 2024-12-31）" in ranking

    # A branch secretary sees their own branch only; the API agrees.
    secretary = web_as(_tenant_id(tenant), "secretary", create=False)
    theirs = html(secretary.get("/ranking"))
    assert "C组织" not in theirs and "D组织" not in theirs and "A组织" in theirs
    assert secretary.get(f"/cycles/{cycle_id}/results/{city['A']}").status_code == 200
    assert secretary.get(f"/cycles/{cycle_id}/results/{city['C']}").status_code == 404
    assert [r[1] for r in _rows(html(secretary.get(f"/cycles/{cycle_id}")))] == ["A组织"]


def test_reopen_needs_a_reason_and_runs_again(city, tenant, web_as, run_jobs):
    admin = web_as(_tenant_id(tenant), "admin", create=False)
    cycle_id = _cycle_id(_open(admin, city))
    _run(admin, cycle_id, run_jobs)
    admin.post(f"/cycles/{cycle_id}/publish", form_page=f"/cycles/{cycle_id}")

    refused = admin.post(f"/cycles/{cycle_id}/run", form_page=f"/cycles/{cycle_id}")
    assert refused.status_code == 409 and "已发布的考核周期不能重新运行" in html(refused)
    no_reason = admin.post(f"/cycles/{cycle_id}/reopen", {"reason": "  "}, form_page=f"/cycles/{cycle_id}")
    assert no_reason.status_code == 422
    assert re.search(r'id="reopen-reason-error">请填写此项。', html(no_reason))
    assert _in_tenant(tenant, lambda: db.session.scalar(select(Cycle.state))) == "published"

    reopened = admin.post(f"/cycles/{cycle_id}/reopen", {"reason": "数据更正"}, form_page=f"/cycles/{cycle_id}")
    assert reopened.status_code == 302
    page = html(admin.get(f"/cycles/{cycle_id}"))
    assert "已评估" in page and "数据更正" in page and "重新运行评估" in page
    stale = admin.post(f"/cycles/{cycle_id}/publish", {"version": "1"}, form_page=f"/cycles/{cycle_id}")
    assert stale.status_code == 409 and "已被他人修改" in html(stale)
    _run(admin, cycle_id, run_jobs)
    assert _in_tenant(tenant, lambda: db.session.scalar(select(Cycle.state))) == "evaluated"


def test_bad_input_is_shown_beside_the_field_and_nothing_is_written(city, tenant, web_as, run_jobs):
    admin = web_as(_tenant_id(tenant), "admin", create=False)
    bad = _open(admin, city, name="", part="3", year="1999")
    assert bad.status_code == 422
    page = html(bad)
    assert 'id="name-error">请填写此项。' in page
    assert 'id="part-error">该期间只能填 1 到 1。' in page
    assert 'id="year-error">年份须在 2000 到 2100 之间。' in page
    foreign = _open(admin, city, root_org_id=city["beta_root"])
    assert foreign.status_code == 422 and 'id="root_org_id-error">党组织不存在。' in html(foreign)
    assert _in_tenant(tenant, lambda: db.session.scalar(select(func.count()).select_from(Cycle))) == 0

    cycle_id = _cycle_id(_open(admin, city))
    _run(admin, cycle_id, run_jobs)
    target = f"/cycles/{cycle_id}/results/{city['A']}/manual/ct.review"
    result_page = f"/cycles/{cycle_id}/results/{city['A']}"
    for points, message in (("abc", "不是有效的小数"), ("25", "须在 0 到 20.00 之间"),
                            ("1.234", "请输入数字（最多两位小数）"), ("NaN", "请输入数字")):
        refused = admin.post(target, {"points": points, "reason": "理由"}, form_page=result_page)
        assert refused.status_code == 422, points
        assert re.search(r'id="points-ct.review-error">[^<]*' + re.escape(message), html(refused)), points
    no_reason = admin.post(target, {"points": "5", "reason": ""}, form_page=result_page)
    assert no_reason.status_code == 422 and 'id="reason-ct.review-error">请填写此项。' in html(no_reason)
    assert admin.post(f"/cycles/{cycle_id}/results/{city['A']}/manual/ct.members",
                      {"points": "5", "reason": "x"}, form_page=result_page).status_code == 404
    zero = admin.post(f"/cycles/{cycle_id}/results/{city['A']}/adjustments",
                      {"points": "0", "reason": "x"}, form_page=result_page)
    assert zero.status_code == 422 and 'id="adjustment-points-error">须在 -100 到 100 之间，且不为 0。' in html(zero)
    veto = admin.post(f"/cycles/{cycle_id}/results/{city['A']}/veto",
                      {"reason": "不在清单里的事项"}, form_page=result_page)
    assert veto.status_code == 422 and 'id="veto-reason-error"' in html(veto)

    def written():
        return [db.session.scalar(select(func.count()).select_from(m)) for m in (ManualScore, Adjustment, Veto)]

    assert _in_tenant(tenant, written) == [0, 0, 0]


def test_adjustments_and_the_veto_recompute_the_result(city, tenant, web_as, run_jobs):
    admin = web_as(_tenant_id(tenant), "admin", create=False)
    cycle_id = _cycle_id(_open(admin, city))
    _run(admin, cycle_id, run_jobs)
    base = f"/cycles/{cycle_id}/results/{city['C']}"
    added = admin.post(f"{base}/adjustments", {"points": "-5.5", "reason": "材料报送迟"}, form_page=base)
    assert added.status_code == 302 and added.headers["Location"] == base
    page = html(admin.get(base))
    assert "64.50" in page and "材料报送迟" in page and "-5.50" in page

    veto_reason = "发生严重违纪违法案件"
    vetoed = admin.post(f"{base}/veto", {"reason": veto_reason, "note": "书记违纪"}, form_page=base)
    assert vetoed.status_code == 302

    def result():
        return db.session.scalar(select(OrgResult).where(OrgResult.org_id == UUID(city["C"])))

    with tenant_context(_tenant_id(tenant)):
        shown = result()
        assert shown.vetoed and shown.stars == 1 and shown.score == D("64.50")
        adjustment_id = db.session.scalar(select(Adjustment.id))
        db.session.rollback()
    assert "一票否决" in html(admin.get(f"/cycles/{cycle_id}?stars=1"))
    assert admin.post(f"{base}/veto/delete", form_page=base).status_code == 302
    assert admin.post(f"{base}/adjustments/{adjustment_id}/delete", form_page=base).status_code == 302
    with tenant_context(_tenant_id(tenant)):
        shown = result()
        assert not shown.vetoed and shown.score == D("70.00") and shown.stars == 3
        db.session.rollback()
    again = admin.post(f"{base}/veto/delete", form_page=base)
    assert again.status_code == 404


def test_lower_roles_and_other_tenants(city, tenant, web_as, run_jobs):
    admin = web_as(_tenant_id(tenant), "admin", create=False)
    cycle_id = _cycle_id(_open(admin, city))
    _run(admin, cycle_id, run_jobs)

    secretary = web_as(_tenant_id(tenant), "secretary", create=False)
    listing = html(secretary.get("/cycles"))
    assert "开启新的考核周期" not in listing and "2024年度评星定级" not in listing  # not published
    assert _open(secretary, city, root_org_id=city["A"]).status_code == 403
    assert secretary.get(f"/cycles/{cycle_id}").status_code == 404
    admin.post(f"/cycles/{cycle_id}/publish", form_page=f"/cycles/{cycle_id}")
    assert "2024年度评星定级" in html(secretary.get("/cycles"))
    page = html(secretary.get(f"/cycles/{cycle_id}"))
    assert "运行评估" not in page and "重新打开审核" not in page
    token_page = f"/cycles/{cycle_id}/results/{city['A']}"
    for path in (f"/cycles/{cycle_id}/run", f"/cycles/{cycle_id}/publish",
                 f"/cycles/{cycle_id}/results/{city['A']}/manual/ct.review",
                 f"/cycles/{cycle_id}/results/{city['A']}/adjustments"):
        assert secretary.post(path, {"points": "1", "reason": "x"}, form_page=token_page).status_code == 403, path
    assert secretary.get(f"/cycles/{cycle_id}/review").status_code == 403

    # An org_manager of C1 opens cycles on C1, not above it (R is not even visible to them).
    manager = web_as(_tenant_id(tenant), "manager", create=False)
    assert _open(manager, city).status_code == 422
    assert manager.get(f"/cycles/{cycle_id}").status_code == 200  # published, sees part of it
    mine = _cycle_id(_open(manager, city, root_org_id=city["C1"], name="C1 年度"))
    assert manager.get(f"/cycles/{mine}").status_code == 200

    # Another tenant's cycle, result and job: 404, as an unknown id.
    beta = city["beta_cycle"]
    for path in (f"/cycles/{beta}", f"/cycles/{beta}/results/{city['beta_root']}",
                 f"/cycles/{beta}/review", "/cycles/not-an-id", f"/cycles/{cycle_id}/results/not-an-id",
                 f"/ranking?cycle={beta}"):
        assert admin.get(path).status_code == 404, path
    assert admin.post(f"/cycles/{beta}/run", form_page="/cycles").status_code == 404


def test_csrf_is_required(city, tenant, web_as, run_jobs):
    admin = web_as(_tenant_id(tenant), "admin", create=False)
    refused = admin.client.post("/cycles", data={"name": "x", "period": "year", "year": "2024",
                                                 "part": "1", "root_org_id": city["R"]},
                                headers={"Host": admin.host})
    assert refused.status_code == 400 and "表单已过期" in html(refused)
    cycle_id = _cycle_id(_open(admin, city))
    assert admin.client.post(f"/cycles/{cycle_id}/run", headers={"Host": admin.host}).status_code == 400
    assert _in_tenant(tenant, lambda: db.session.scalar(select(Cycle.state))) == "open"


def test_the_pending_manual_list_and_the_red_black_lists(city, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = h.open_cycle(orgs.get(UUID(city["R"])))
        assert lists.pending_manual(cycle) is not None
        assert lists.count_pending_manual(cycle) == 0  # not run: no results yet
        h.run(cycle)
        assert lists.count_pending_manual(cycle) == 4
        cycles.set_manual_score(cycle, UUID(city["C"]), "ct.review", D("20"), "好")
        rows = db.session.execute(lists.pending_manual(cycle)).all()
        assert [(r.org_code, r.key, r.weight) for r in rows] == [
            ("A", "ct.review", D("20.00")), ("B", "ct.review", D("20.00")), ("D", "ct.review", D("20.00"))]
        listed = lists.red_black(cycle, None, true())  # C 90 (5), A 65 (2), B 54 (1), D 30 (1)
        assert [o.code for _r, o in listed["red"]] == ["C"] and listed["red_total"] == 1
        assert [o.code for _r, o in listed["black"]] == ["D", "B", "A"] and listed["black_total"] == 3
        assert [o.code for _r, o in lists.red_black(cycle, None, true(), limit=1)["black"]] == ["D"]
        cycles.set_veto(cycle, UUID(city["C"]), "发生严重违纪违法案件")
        listed = lists.red_black(cycle, None, true())
        assert listed["red"] == [] and [o.code for _r, o in listed["black"]] == ["D", "B", "A", "C"]
        assert lists.latest_published_seen(true()) is None  # not published
        cycles.publish(cycle)
        assert lists.latest_published_seen(true()).id == cycle.id
        db.session.rollback()


def test_the_job_page_shows_only_the_users_own_jobs(city, tenant, web_as, run_jobs):
    admin = web_as(_tenant_id(tenant), "admin", create=False)
    cycle_id = _cycle_id(_open(admin, city))
    job_id = _run(admin, cycle_id, run_jobs)
    status = admin.get(f"/jobs/{job_id}/status")
    assert status.status_code == 200 and status.is_json
    body = status.get_json()
    assert set(body) >= {"state", "state_label", "progress", "message", "error", "done", "url"}
    assert body["url"] == f"/jobs/{job_id}"
    manager = web_as(_tenant_id(tenant), "manager", create=False)
    assert manager.get(f"/jobs/{job_id}").status_code == 404
    assert manager.get(f"/jobs/{job_id}/status").status_code == 404
    assert admin.get("/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    outside = admin.get(f"/jobs/{job_id}?next=https://evil.example/")
    assert 'href="https://evil.example/"' not in html(outside)  # no "see the result" link there
