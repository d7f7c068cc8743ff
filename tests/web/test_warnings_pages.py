"""The warnings pages: open warnings of the user's subtree with filters, one warning with
its rule explained, acknowledging it, and opening a problem from it — with a disabled
plugin's warnings hidden, other tenants' and other subtrees' 404, lower roles 403 and CSRF
refused; on both databases."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.db.mixins import utcnow
from core.problems.models import Problem
from core.warnings.models import Warning
from tests.web.conftest import html
from tests.web.ledger_city import build


def _warning(org_id, rule_key: str, message: str, severity: str = "warning", **fields) -> Warning:
    now = utcnow()
    row = Warning(rule_key=rule_key, org_id=org_id, severity=severity, message=message, figures={},
                  subject_key=fields.pop("subject_key", ""), opened_at=now, last_seen_at=now, **fields)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def city(tenant, tenant_b, in_tenant, make_user):
    ids = build(tenant, tenant_b, in_tenant, make_user)
    with in_tenant(ids["t"]):
        ids["w_one"] = _warning(ids["one"], "orgs.term_overdue", "本届任期已超期 30 天未换届", "serious").id
        ids["w_two"] = _warning(ids["two"], "orgs.branch_too_small", "正式党员仅 1 人，不足3人").id
        ids["w_resolved"] = _warning(ids["one"], "orgs.committee_size", "支委会在任 7 人", "info",
                                     state="resolved", resolved_at=utcnow()).id
        # a rural rule while the tenant has not enabled the rural plugin: kept, hidden
        ids["w_hidden"] = _warning(ids["one"], "rural.no_recruitment", "已 3 年以上未发展党员", "serious").id
        db.session.commit()
    with in_tenant(tenant_b.id):
        ids["w_beta"] = _warning(ids["beta"], "orgs.term_overdue", "乙市的预警").id
        db.session.commit()
    return ids


def test_the_list_shows_open_warnings_of_the_subtree_with_filters(city, web_as):
    manager = web_as(city["t"], "manager", create=False)
    page = html(manager.get("/warnings"))
    assert "本届任期已超期 30 天未换届" in page and "正式党员仅 1 人" in page
    assert "支委会在任 7 人" not in page  # resolved
    assert "已 3 年以上未发展党员" not in page and "乙市的预警" not in page
    assert "超期未换届" in page  # the rule's name
    by_rule = html(manager.get("/warnings?rule=orgs.branch_too_small"))
    assert "正式党员仅 1 人" in by_rule and "超期未换届" not in by_rule.split("<tbody>")[-1]
    serious = html(manager.get("/warnings?severity=serious"))
    assert "本届任期已超期" in serious and "正式党员仅 1 人" not in serious
    by_code = html(manager.get("/warnings?code=R-T-2"))
    assert "正式党员仅 1 人" in by_code and "本届任期已超期" not in by_code
    resolved = html(manager.get("/warnings?state=resolved"))
    assert "支委会在任 7 人" in resolved and "本届任期已超期" not in resolved
    assert manager.get("/warnings?severity=nonsense").status_code == 422
    assert manager.get("/warnings?code=NOPE").status_code == 422
    secretary = web_as(city["t"], "sec1", create=False)
    own = html(secretary.get("/warnings"))
    assert "本届任期已超期" in own and "正式党员仅 1 人" not in own
    assert secretary.get(f"/warnings?org={city['two']}").status_code == 404


def test_one_warning_explains_its_rule_and_hides_what_the_user_may_not_see(city, web_as):
    secretary = web_as(city["t"], "sec1", create=False)
    page = html(secretary.get(f"/warnings/{city['w_one']}"))
    assert "本届任期已超期 30 天未换届" in page and "预警规则说明" in page
    assert "本届任期已于 {ends_on} 届满" in page  # the rule's message template
    assert re.search(r"<td>grace_days|<td>[^<]*天[^<]*</td>|规则参数", page)
    assert "签收" in page
    assert "转为问题整改" not in page  # recording from a warning is the manager's
    for hidden in (city["w_two"], city["w_hidden"], city["w_beta"], uuid.uuid4(), "nonsense"):
        assert secretary.get(f"/warnings/{hidden}").status_code == 404, hidden
    member = web_as(city["t"], "member1", create=False)
    assert member.get("/warnings").status_code == 403
    assert member.get(f"/warnings/{city['w_one']}").status_code == 403


def test_acknowledging_a_warning(city, in_tenant, web_as):
    secretary = web_as(city["t"], "sec1", create=False)
    path = f"/warnings/{city['w_one']}"
    refused = secretary.client.post(f"{path}/acknowledge", data={"note": "x"}, headers={"Host": secretary.host})
    assert refused.status_code == 400  # no CSRF token
    too_long = secretary.post(f"{path}/acknowledge", {"note": "长" * 2001}, form_page=path)
    assert too_long.status_code == 422 and 'id="note-error"' in html(too_long)
    done = secretary.post(f"{path}/acknowledge", {"note": "已安排换届"}, form_page=path)
    assert done.status_code == 302
    with in_tenant(city["t"]):
        row = db.session.scalar(select(Warning).where(Warning.id == city["w_one"]))
        assert row.acknowledgement_note == "已安排换届" and row.acknowledged_by and row.state == "open"
    assert "已安排换届" in html(secretary.get(path))


def test_opening_a_problem_from_a_warning(city, in_tenant, web_as):
    secretary = web_as(city["t"], "sec1", create=False)
    assert secretary.get(f"/problems/from-warning/{city['w_one']}").status_code == 403
    manager = web_as(city["t"], "manager", create=False)
    path = f"/problems/from-warning/{city['w_one']}"
    form = html(manager.get(path))
    assert 'value="超期未换届"' in form and "组织建设" in form  # defaults from the rule
    assert manager.get(f"/problems/from-warning/{city['w_hidden']}").status_code == 404
    assert manager.get(f"/problems/from-warning/{city['w_beta']}").status_code == 404
    deadline = (date.today() + timedelta(days=30)).isoformat()
    bad = manager.post(path, {"title": "", "category": "组织建设", "severity": "serious", "deadline": deadline})
    assert bad.status_code == 422 and 'id="title-error"' in html(bad)
    done = manager.post(path, {"title": "超期未换届", "category": "组织建设", "severity": "serious",
                               "deadline": deadline, "description": "尽快换届"})
    assert done.status_code == 302
    with in_tenant(city["t"]):
        problem = db.session.scalar(select(Problem))
        assert (problem.source, problem.warning_id, problem.org_id) == ("warning", city["w_one"], city["one"])
    twice = manager.post(path, {"title": "again", "category": "组织建设", "severity": "general", "deadline": deadline})
    assert twice.status_code == 409 and "请勿重复登记" in html(twice)
    with in_tenant(city["t"]):
        assert db.session.scalar(select(func.count()).select_from(Problem)) == 1
    assert "该预警已转为问题台账中的问题" in html(manager.get(f"/warnings/{city['w_one']}"))
