"""The problems ledger pages: the list with its filters and scope, recording a problem, and
the whole workflow (start, evidence, submit, approve, reject, reopen, correct) through the
pages, with the service's refusals beside the fields — on both databases."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.orgs import service as orgs
from core.problems.models import Problem, ProblemEvidence
from tests.web.conftest import html
from tests.web.ledger_city import add_problem, build

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def city(tenant, tenant_b, in_tenant, make_user):
    return build(tenant, tenant_b, in_tenant, make_user)


@pytest.fixture
def tenant_id(city):
    return city["t"]


@pytest.fixture
def problem_in_one(city, tenant_id, in_tenant):
    tenant = tenant_id
    with in_tenant(tenant):
        problem = add_problem(orgs.get(city["one"]), "支委会未按月召开")
        db.session.commit()
        return problem.id


def _problem(tenant, in_tenant, problem_id) -> Problem:
    with in_tenant(tenant):
        row = db.session.scalar(select(Problem).where(Problem.id == problem_id))
        db.session.expunge(row)
        return row


def _form(name: str) -> str:
    """How a workflow form shows on the problem page."""
    return f'aria-label="{name}"'


def _count(tenant, in_tenant, model=Problem) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_list_shows_the_users_subtree_with_filters(city, tenant_id, in_tenant, web_as):
    tenant = tenant_id
    with in_tenant(tenant):
        add_problem(orgs.get(city["one"]), "一支部超期问题", found_on=date.today() - timedelta(days=90),
                    deadline=date.today() - timedelta(days=5))
        add_problem(orgs.get(city["two"]), "二支部的问题")
        db.session.commit()
    manager = web_as(tenant, "manager", create=False)
    page = html(manager.get("/problems"))
    assert "一支部超期问题" in page and "二支部的问题" in page and "乙市的问题" not in page
    assert "超期 5 天" in page
    overdue = html(manager.get("/problems?overdue=yes"))
    assert "一支部超期问题" in overdue and "二支部的问题" not in overdue
    by_code = html(manager.get("/problems?code=R-T-2"))
    assert "二支部的问题" in by_code and "一支部超期问题" not in by_code
    unknown = manager.get("/problems?code=NOPE")
    assert unknown.status_code == 422 and "找不到您可查看的该编码党组织" in html(unknown)
    assert manager.get("/problems?status=nonsense").status_code == 422
    secretary = web_as(tenant, "sec1", create=False)
    own = html(secretary.get("/problems"))
    assert "一支部超期问题" in own and "二支部的问题" not in own
    assert secretary.get(f"/problems?org={city['two']}").status_code == 404
    assert secretary.get("/problems?code=R-T-2").status_code == 422  # not seen: as unknown


def test_lower_roles_other_subtrees_and_other_tenants(city, problem_in_one, tenant_id, in_tenant, web_as):
    tenant = tenant_id
    member = web_as(tenant, "member1", create=False)
    assert member.get("/problems").status_code == 403
    assert member.get(f"/problems/{problem_in_one}").status_code == 403
    with in_tenant(tenant):
        other = add_problem(orgs.get(city["two"]), "二支部的问题").id
        db.session.commit()
    secretary = web_as(tenant, "sec1", create=False)
    assert secretary.get(f"/problems/{problem_in_one}").status_code == 200
    assert secretary.get(f"/problems/{other}").status_code == 404
    assert secretary.get(f"/problems/{city['beta_problem']}").status_code == 404
    admin = web_as(tenant, "admin", create=False)
    assert admin.get(f"/problems/{city['beta_problem']}").status_code == 404
    assert admin.get("/problems/not-an-id").status_code == 404
    # the secretary may not correct a problem an inspection found
    assert secretary.get(f"/problems/{problem_in_one}/edit").status_code == 403


def test_recording_a_problem_saves_through_the_service(city, tenant_id, in_tenant, web_as):
    tenant = tenant_id
    manager = web_as(tenant, "manager", create=False)
    form = html(manager.get(f"/problems/new?org={city['one']}"))
    assert 'value="R-T-1"' in form and "<label" in form
    good = {"org_code": "R-T-1", "source": "inspection", "category": "组织生活", "title": "党课未开",
            "severity": "serious", "found_on": date.today().isoformat(),
            "deadline": (date.today() + timedelta(days=20)).isoformat(), "responsible_name": "张一"}
    bad = manager.post("/problems/new", {**good, "deadline": (date.today() - timedelta(days=3)).isoformat()})
    assert bad.status_code == 422
    assert re.search(r'id="deadline-error">整改时限不能早于发现日期', html(bad))
    missing = manager.post("/problems/new", {**good, "title": ""})
    assert missing.status_code == 422 and 'id="title-error"' in html(missing)
    unseen = manager.post("/problems/new", {**good, "org_code": "NOPE"})
    assert unseen.status_code == 422 and 'id="org_code-error"' in html(unseen)
    assert _count(tenant, in_tenant) == 0
    done = manager.post("/problems/new", good)
    assert done.status_code == 302
    with in_tenant(tenant):
        problem = db.session.scalar(select(Problem))
        assert (problem.title, problem.org_id, problem.severity, problem.responsible_name) == (
            "党课未开", city["one"], "serious", "张一")
        assert done.headers["Location"].endswith(f"/problems/{problem.id}")
    secretary = web_as(tenant, "sec1", create=False)
    refused = secretary.post("/problems/new", {**good, "title": "检查发现的"}, form_page="/problems/new")
    assert refused.status_code == 403
    own = secretary.post("/problems/new", {**good, "source": "self", "title": "自查发现的"}, form_page="/problems/new")
    assert own.status_code == 302 and _count(tenant, in_tenant) == 2


def test_the_workflow_through_the_pages(city, problem_in_one, tenant_id, in_tenant, web_as, app, monkeypatch):
    tenant = tenant_id
    path = f"/problems/{problem_in_one}"
    secretary = web_as(tenant, "sec1", create=False)
    page = html(secretary.get(path))
    assert _form("开始整改") in page and _form("审核销号") not in page and _form("退回整改") not in page
    stale = secretary.post(f"{path}/start", {"start-version": "99"}, form_page=path)
    assert stale.status_code == 409 and "已被他人修改" in html(stale)
    started = secretary.post(f"{path}/start", {"start-version": "1", "start-comment": "马上整改"}, form_page=path)
    assert started.status_code == 302 and _problem(tenant, in_tenant, problem_in_one).status == "rectifying"
    page = html(secretary.get(path))
    assert _form("开始整改") not in page and _form("提交销号申请") in page and _form("上传佐证材料") in page

    # submitting needs the measures and evidence, each error beside its field
    version = str(_problem(tenant, in_tenant, problem_in_one).version)
    no_measures = secretary.post(f"{path}/submit", {"submit-version": version}, form_page=path)
    assert no_measures.status_code == 422 and re.search(r'id="submit-rectification-error">提交销号须填写整改措施', html(no_measures))
    no_evidence = secretary.post(f"{path}/submit", {"submit-version": version, "submit-rectification": "已补开"}, form_page=path)
    assert no_evidence.status_code == 422 and "提交销号须至少上传一份佐证材料" in html(no_evidence)

    # evidence: a file whose content is not its type, a file too large, then good ones
    fake = secretary.post(f"{path}/evidence", {"evidence-file": (io.BytesIO(b"not a pdf"), "minutes.pdf")},
                          form_page=path, content_type="multipart/form-data")
    assert fake.status_code == 422 and 'id="evidence-file-error"' in html(fake)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 32)
    large = secretary.post(f"{path}/evidence", {"evidence-file": (io.BytesIO(PNG), "photo.png")},
                           form_page=path, content_type="multipart/form-data")
    assert large.status_code == 413 and 'id="evidence-file-error"' in html(large)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    empty = secretary.post(f"{path}/evidence", {"evidence-text": "  "}, form_page=path)
    assert empty.status_code == 422 and 'id="evidence-text-error"' in html(empty)
    assert _count(tenant, in_tenant, ProblemEvidence) == 0
    photo = secretary.post(f"{path}/evidence", {"evidence-text": "会议照片", "evidence-file": (io.BytesIO(PNG), "photo.png")},
                           form_page=path, content_type="multipart/form-data")
    assert photo.status_code == 302 and _count(tenant, in_tenant, ProblemEvidence) == 1
    page = html(secretary.get(path))
    link = re.search(rf'href="({path}/evidence/[0-9a-f-]+)">photo.png', page).group(1)
    download = secretary.get(link)
    assert download.status_code == 200 and download.data == PNG

    version = str(_problem(tenant, in_tenant, problem_in_one).version)
    submitted = secretary.post(f"{path}/submit", {"submit-version": version, "submit-rectification": "已补开支委会"},
                               form_page=path)
    assert submitted.status_code == 302 and _problem(tenant, in_tenant, problem_in_one).status == "submitted"
    # the secretary neither sees nor may use the close-out
    page = html(secretary.get(path))
    assert _form("审核销号") not in page and "等待上级党组织（甲镇党委）审核销号" in page
    assert secretary.post(f"{path}/approve", {}, form_page=path).status_code == 403

    # the level above: the reason is needed to send it back
    manager = web_as(tenant, "manager", create=False)
    page = html(manager.get(path))
    assert _form("审核销号") in page and _form("退回整改") in page and _form("开始整改") not in page
    no_reason = manager.post(f"{path}/reject", {"reject-reason": ""}, form_page=path)
    assert no_reason.status_code == 422 and 'id="reject-reason-error"' in html(no_reason)
    rejected = manager.post(f"{path}/reject", {"reject-reason": "照片不清楚"}, form_page=path)
    assert rejected.status_code == 302 and _problem(tenant, in_tenant, problem_in_one).status == "rectifying"
    again = secretary.post(f"{path}/submit", {"submit-rectification": "已补开支委会并补拍照片"}, form_page=path)
    assert again.status_code == 302
    approved = manager.post(f"{path}/approve", {"approve-comment": "同意销号"}, form_page=path)
    assert approved.status_code == 302
    closed = _problem(tenant, in_tenant, problem_in_one)
    assert closed.status == "closed" and closed.closed_on == date.today()
    page = html(manager.get(path))
    assert _form("重新打开问题") in page and "同意销号" in page and "照片不清楚" in page  # the trail
    reopened = manager.post(f"{path}/reopen", {"reopen-reason": "复查发现反弹",
                                               "reopen-deadline": (date.today() + timedelta(days=10)).isoformat()},
                            form_page=path)
    assert reopened.status_code == 302
    problem = _problem(tenant, in_tenant, problem_in_one)
    assert problem.status == "rectifying" and problem.deadline == date.today() + timedelta(days=10)


def test_correcting_a_problem_needs_a_reason_for_a_new_deadline(city, problem_in_one, tenant_id, in_tenant, web_as):
    tenant = tenant_id
    manager = web_as(tenant, "manager", create=False)
    path = f"/problems/{problem_in_one}/edit"
    form = html(manager.get(path))
    assert "支委会未按月召开" in form
    before = _problem(tenant, in_tenant, problem_in_one)
    values = {"version": str(before.version), "title": "支委会未按月召开（补充）", "category": "组织生活",
              "severity": "general", "deadline": (before.deadline + timedelta(days=15)).isoformat()}
    no_reason = manager.post(path, values)
    assert no_reason.status_code == 422 and re.search(r'id="deadline_reason-error">调整整改时限须说明理由', html(no_reason))
    assert _problem(tenant, in_tenant, problem_in_one).title == "支委会未按月召开"
    done = manager.post(path, {**values, "deadline_reason": "汛期顺延"})
    assert done.status_code == 302
    after = _problem(tenant, in_tenant, problem_in_one)
    assert after.title.endswith("（补充）") and after.deadline == before.deadline + timedelta(days=15)
    stale = manager.post(path, {**values, "version": str(before.version), "title": "再改"})
    assert stale.status_code == 409


def test_forms_without_the_csrf_token_are_refused(city, problem_in_one, tenant_id, in_tenant, web_as):
    tenant = tenant_id
    secretary = web_as(tenant, "sec1", create=False)
    refused = secretary.client.post(f"/problems/{problem_in_one}/start", data={"start-version": "1"},
                                    headers={"Host": secretary.host})
    assert refused.status_code == 400
    assert _problem(tenant, in_tenant, problem_in_one).status == "open"
    manager = web_as(tenant, "manager", create=False)
    refused = manager.client.post("/problems/new", data={"org_code": "R-T-1", "title": "x"},
                                  headers={"Host": manager.host})
    assert refused.status_code == 400 and _count(tenant, in_tenant) == 1
