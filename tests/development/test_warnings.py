"""Each development warning rule raised on data and cleared when the data changes, by calling
its check directly (as the engine does)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect

from core.development.rules import add_months
from core.development.warnings import RULES
from core.warnings.rules import RuleContext
from tests.development.helpers import timeline

RULE = {rule.key: rule for rule in RULES}
DAY = timedelta(days=1)


@pytest.fixture
def check(tenant, in_tenant):
    def run(key: str) -> dict:
        rule = RULE[key]
        params = rule.params().load({}) if rule.params else {}
        with in_tenant(tenant):
            findings = list(rule.check(RuleContext(_tid(tenant), date.today(), params)))
        return {f.subject_id: f for f in findings}

    return run


def _tid(tenant):
    return inspect(tenant).identity[0]


@pytest.fixture
def step(client, secretary, manager):
    """Record one timeline step (or any body) for a person; ``force`` overrides as org_manager."""

    def run(person_id, body, force=False):
        if force:
            body = body | {"override_reason": "补录"}
        answer = client.post(f"/api/v1/development/{person_id}/steps", json=body,
                             headers=manager if force else secretary)
        assert answer.status_code == 201, answer.get_json()

    return run


def _body(start, code, introducers=()):
    return next(s for s in timeline(start, introducers) if s["code"] == code)


def test_every_rule_is_chinese_and_person_level():
    assert all(rule.subject == "person" and rule.key.startswith("development.") for rule in RULES)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in rule.name) for rule in RULES)


def test_talk_overdue(walk, check, step, tree):
    today = date.today()
    late = walk(add_months(today, -1) - DAY, 1)
    boundary = walk(add_months(today, -1), 1)
    found = check("development.talk_overdue")
    assert set(found) == {uuid.UUID(late)} and found[uuid.UUID(late)].org_id == tree["X"]
    assert found[uuid.UUID(late)].figures["name"] == "孙小明"
    RULE["development.talk_overdue"].message.format(**found[uuid.UUID(late)].figures)
    step(late, {"code": 2, "done_on": today.isoformat()}, force=True)
    assert uuid.UUID(boundary) not in check("development.talk_overdue")
    assert check("development.talk_overdue") == {}


def test_activist_review_overdue(walk, check, step):
    start = add_months(date.today(), -10)  # activist since 7 months ago, first review due at 6
    person_id = walk(start, 5)
    assert set(check("development.activist_review_overdue")) == {uuid.UUID(person_id)}
    step(person_id, {"code": 6, "done_on": date.today().isoformat()})
    assert check("development.activist_review_overdue") == {}


def test_branch_meeting_overdue(walk, check, step, introducers):
    start = add_months(date.today(), -20)  # pre-review about 55 days ago
    person_id = walk(start, 14, introducers)
    assert set(check("development.branch_meeting_overdue")) == {uuid.UUID(person_id)}
    step(person_id, {"code": 15, "done_on": date.today().isoformat()}, force=True)
    assert check("development.branch_meeting_overdue") == {}


def test_approval_overdue(walk, check, step, introducers):
    start = add_months(date.today(), -23)  # branch meeting about 100 days ago
    person_id = walk(start, 16, introducers)
    assert set(check("development.approval_overdue")) == {uuid.UUID(person_id)}
    step(person_id, {"code": 17, "done_on": date.today().isoformat()}, force=True)
    assert check("development.approval_overdue") == {}


def test_probation_overdue_honours_the_extension(walk, check, client, secretary, introducers):
    start = add_months(date.today(), -36)  # probation ended about five months ago
    person_id = walk(start, 21, introducers)
    found = check("development.probation_overdue")
    assert set(found) == {uuid.UUID(person_id)}
    assert found[uuid.UUID(person_id)].figures["extension_months"] == 0
    answer = client.post(f"/api/v1/development/{person_id}/extension",
                         json={"months": 12, "on": date.today().isoformat(), "reason": "继续考察"},
                         headers=secretary)
    assert answer.status_code == 200, answer.get_json()
    assert check("development.probation_overdue") == {}


def test_conversion_vote_and_approval_overdue(walk, check, step, introducers):
    start = add_months(date.today(), -36)  # conversion applied ~5 months ago, voted ~4 months ago
    voting = walk(start, 22, introducers)
    approving = walk(start, 23, introducers[::-1])
    assert set(check("development.conversion_vote_overdue")) == {uuid.UUID(voting)}
    assert set(check("development.conversion_approval_overdue")) == {uuid.UUID(approving)}
    step(voting, {"code": 23, "done_on": date.today().isoformat()}, force=True)
    step(approving, {"code": 24, "done_on": date.today().isoformat()}, force=True)
    assert check("development.conversion_vote_overdue") == {}
    assert check("development.conversion_approval_overdue") == {}


def test_flagged_steps_until_reviewed(walk, check, step, client, manager):
    start = add_months(date.today(), -6)
    person_id = walk(start, 1)
    assert check("development.flagged_steps") == {}
    step(person_id, {"code": 3, "done_on": date.today().isoformat()}, force=True)  # skips the talk
    found = check("development.flagged_steps")
    assert found[uuid.UUID(person_id)].figures["count"] == 1
    assert found[uuid.UUID(person_id)].figures["first_code"] == 3
    flagged = client.get("/api/v1/development/violations", headers=manager).get_json()
    assert flagged[0]["violated_rules"] == ["step_order"]
    answer = client.post(f"/api/v1/development/violations/{flagged[0]['id']}/review",
                         json={"note": "已补谈话记录"}, headers=manager)
    assert answer.status_code == 200
    assert check("development.flagged_steps") == {}


def test_stopped_people_raise_no_overdue_warning(walk, check, client, secretary):
    person_id = walk(add_months(date.today(), -3), 1)
    assert set(check("development.talk_overdue")) == {uuid.UUID(person_id)}
    client.post(f"/api/v1/development/{person_id}/status", json={"status": "stopped", "reason": "撤回"},
                headers=secretary)
    assert check("development.talk_overdue") == {}
