"""The pairing pages: the list with its subtree filter, arranging a pairing, the pairing page
with its task and activity forms (a joint meeting chosen from either side's meetings), the
dissolve form, the figures page; refusals beside the fields, roles and other tenants."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from core.db import db
from core.life import service as life
from core.life.models import MeetingCredit
from core.orgs import service as orgs
from core.pairings import service
from core.pairings.models import Pairing, PairingActivity, PairingTask
from tests.pairings.conftest import days_ago
from tests.web.conftest import html, web_as  # noqa: F401  (the fixture)


def _count(tenant, in_tenant, model=Pairing) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def _pairing(tenant, in_tenant, org="JG1", partner="V1", days=200):
    with in_tenant(tenant):
        pairing = service.create(orgs.by_code(org), orgs.by_code(partner), {"started_on": days_ago(days)})
        db.session.commit()
        return pairing.id


def test_list_filter_and_scope(tenant, tenant_b, city, in_tenant, web_as):  # noqa: F811
    one = _pairing(tenant, in_tenant, "JG1", "V1")
    two = _pairing(tenant, in_tenant, "GZ1", "SQ")
    admin = web_as(tenant, "admin")
    page = html(admin.get("/pairings"))
    assert "桃源村党支部" in page and "幸福社区党委" in page and "结对中" in page
    township = admin.get("/pairings?code=T")
    assert township.status_code == 200
    assert "桃源村党支部" in html(township) and "幸福社区党委" not in html(township)
    assert admin.get("/pairings?code=NOPE").status_code == 422
    assert admin.get(f"/pairings?org={city['S']}").status_code == 200
    # a village secretary sees only theirs; a member may not open the pages; another city 404
    village = web_as(tenant, "v1sec", role="branch_secretary", org=city["V1"])
    assert str(one) in html(village.get("/pairings")) and str(two) not in html(village.get("/pairings"))
    assert village.get(f"/pairings/{two}").status_code == 404
    member = web_as(tenant, "v1mem", role="member", org=city["V1"])
    assert member.get("/pairings").status_code == 403
    other = web_as(tenant_b, "admin_b")
    assert other.get(f"/pairings/{one}").status_code == 404


def test_arranging_a_pairing(tenant, city, in_tenant, web_as):  # noqa: F811
    admin = web_as(tenant, "admin")
    form = html(admin.get("/pairings/new"))
    assert "<label" in form and "建立结对" in form
    good = {"org_code": "JG1", "partner_code": "V1", "started_on": days_ago(30).isoformat(), "goals": "共建"}
    wrong = admin.post("/pairings/new", {**good, "partner_code": "GZ1"})
    assert wrong.status_code == 422 and 'id="partner_code-error"' in html(wrong)
    assert "不能作为结对的这一方" in html(wrong)
    unseen = admin.post("/pairings/new", {**good, "org_code": "NOPE"})
    assert unseen.status_code == 422 and 'id="org_code-error"' in html(unseen)
    assert _count(tenant, in_tenant) == 0
    done = admin.post("/pairings/new", good)
    assert done.status_code == 302
    again = admin.post("/pairings/new", good)
    assert again.status_code == 409 and "已经结对" in html(again)
    assert _count(tenant, in_tenant) == 1
    # one side's secretary cannot arrange (the other side is not theirs)
    organ = web_as(tenant, "jgsec", role="branch_secretary", org=city["JG1"])
    refused = organ.post("/pairings/new", {**good, "partner_code": "V2"}, form_page="/pairings/new")
    assert refused.status_code == 422 and 'id="partner_code-error"' in html(refused)


def test_tasks_activities_and_dissolving_through_the_page(tenant, city, in_tenant, web_as):  # noqa: F811
    pairing_id = _pairing(tenant, in_tenant)
    with in_tenant(tenant):
        meeting = life.record_meeting(orgs.by_code("JG1"), {
            "kind": "theme_day", "held_on": days_ago(2), "topic": "联合主题党日"})
        db.session.commit()
        meeting_id = meeting.id
    path = f"/pairings/{pairing_id}"
    secretary = web_as(tenant, "v1sec", role="branch_secretary", org=city["V1"])
    page = html(secretary.get(path))
    assert "添加共建任务" in page and "登记联建活动" in page and "联合主题党日" in page
    assert "解除结对" not in page  # one side's secretary does not dissolve
    # a task
    bad = secretary.post(f"{path}/tasks", {"task-title": "", "task-due_on": ""}, form_page=path)
    assert bad.status_code == 422 and 'id="task-title-error"' in html(bad)
    early = secretary.post(f"{path}/tasks", {"task-title": "修路", "task-due_on": days_ago(300).isoformat()}, form_page=path)
    assert early.status_code == 422 and "不能早于结对开始日期" in html(early)
    assert secretary.post(f"{path}/tasks", {"task-title": "修路", "task-due_on": days_ago(1).isoformat()},
                          form_page=path).status_code == 302
    with in_tenant(tenant):
        task = db.session.scalar(select(PairingTask))
        task_id, prefix, version = task.id, f"t{task.id.hex}", task.version
    done = secretary.post(f"{path}/tasks/{task_id}", {f"{prefix}-version": version, f"{prefix}-done": "y",
                                                      f"{prefix}-result": "已修通"}, form_page=path)
    assert done.status_code == 302
    stale = secretary.post(f"{path}/tasks/{task_id}", {f"{prefix}-version": version, f"{prefix}-result": "x"},
                           form_page=path)
    assert stale.status_code == 409
    with in_tenant(tenant):
        task = db.session.scalar(select(PairingTask))
        assert (task.done, task.done_on, task.result) == (True, date.today(), "已修通")
    # a joint meeting: the meeting must be of the activity's day
    activity = {"activity-held_on": days_ago(3).isoformat(), "activity-kind": "joint_meeting",
                "activity-topic": "联合主题党日", "activity-org_participants": "5",
                "activity-partner_participants": "6", "activity-meeting_id": str(meeting_id)}
    wrong_day = secretary.post(f"{path}/activities", activity, form_page=path)
    assert wrong_day.status_code == 422 and 'id="activity-meeting_id-error"' in html(wrong_day)
    assert _count(tenant, in_tenant, PairingActivity) == 0
    ok = secretary.post(f"{path}/activities", {**activity, "activity-held_on": days_ago(2).isoformat()}, form_page=path)
    assert ok.status_code == 302
    assert "计为双方组织生活" in html(secretary.get(path))
    assert _count(tenant, in_tenant, MeetingCredit) == 1
    with in_tenant(tenant):
        activity_id = db.session.scalar(select(PairingActivity.id))
    assert secretary.post(f"{path}/activities/{activity_id}/delete", {}, form_page=path).status_code == 302
    assert _count(tenant, in_tenant, PairingActivity) == 0 and _count(tenant, in_tenant, MeetingCredit) == 0
    # dissolving: the township's manager sees only the village side; the county's both
    county = web_as(tenant, "county", role="org_manager", org=city["R"])
    with in_tenant(tenant):
        version = db.session.scalar(select(Pairing.version))
    no_reason = county.post(f"{path}/dissolve", {"dissolve-version": version, "dissolve-end_reason": ""}, form_page=path)
    assert no_reason.status_code == 422 and 'id="dissolve-end_reason-error"' in html(no_reason)
    assert secretary.post(f"{path}/dissolve", {"dissolve-end_reason": "x"}, form_page=path).status_code == 403
    ended = county.post(f"{path}/dissolve", {"dissolve-version": version, "dissolve-end_reason": "任务完成"},
                        form_page=path)
    assert ended.status_code == 302
    page = html(county.get(path))
    assert "已解除" in page and "任务完成" in page and "登记联建活动" not in page


def test_figures_page(tenant, city, in_tenant, web_as):  # noqa: F811
    pairing_id = _pairing(tenant, in_tenant)
    with in_tenant(tenant):
        service.add_activity(service.get(pairing_id), {"held_on": days_ago(5), "kind": "visit", "topic": "走访"})
        db.session.commit()
    admin = web_as(tenant, "admin")
    page = html(admin.get("/pairings/figures?months=6"))
    assert re.search(r"已结对的村（社区）</th><td>1 / 4</td><td>25.0%", page), page
    assert "平均每个结对 1.00 次" in page
    township = html(admin.get("/pairings/figures?code=T"))
    assert re.search(r"已结对的村（社区）</th><td>1 / 3</td>", township)
    assert admin.get("/pairings/figures?months=99").status_code == 422


def test_recording_an_activity_clears_the_idle_warning_at_once(tenant, city, in_tenant, web_as):  # noqa: F811
    from core.warnings import engine
    from core.warnings.models import Warning

    pairing_id = _pairing(tenant, in_tenant, days=200)
    with in_tenant(tenant):
        engine.sweep(rule_keys=["pairings.idle"])
        db.session.commit()
        assert db.session.scalar(select(Warning.org_id).where(Warning.state == "open")) == city["JG1"]
    admin = web_as(tenant, "admin")
    path = f"/pairings/{pairing_id}"
    done = admin.post(f"{path}/activities", {"activity-held_on": days_ago(1).isoformat(), "activity-kind": "visit",
                                             "activity-topic": "走访"}, form_page=path)
    assert done.status_code == 302
    assert "结对共建活动长期未开展" in html(admin.get(path))  # the cleared warning, flashed
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(Warning).where(
            Warning.rule_key == "pairings.idle", Warning.state == "open")) == 0


def test_the_yearly_hub_links_the_pairings(tenant, city, web_as):  # noqa: F811
    admin = web_as(tenant, "admin")
    page = admin.get("/yearly")
    assert page.status_code == 200 and 'href="/pairings' in html(page)
    member = web_as(tenant, "v1mem", role="member", org=city["V1"])
    assert 'href="/pairings' not in html(member.get("/yearly"))  # the pages are for secretaries up


def test_settings_on_the_plugin_settings_page(tenant, city, in_tenant, web_as):  # noqa: F811
    from core.pairings.settings import settings

    admin = web_as(tenant, "admin")
    page = admin.get("/admin/plugins/core.pairings.plugin")
    assert page.status_code == 200 and "结对发起方" in html(page)
    path = "/admin/plugins/core.pairings.plugin"
    saved = admin.post(path, {"org_categories": "1\n2\n4\n6", "partner_categories": "3\n7",
                              "coverage_kinds": "branch\ngeneral_branch\njoint_branch", "figure_months": "3"})
    assert saved.status_code == 302
    with in_tenant(tenant):
        found = settings()
        assert (found["org_categories"], found["figure_months"]) == ([1, 2, 4, 6], 3)
