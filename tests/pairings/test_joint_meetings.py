"""A joint org-life meeting counts for both sides: the meeting one side held, recorded as a
pairing's joint activity, satisfies the partner's life warning rules (主题党日 overdue, the
yellow light), counts in its 三会一课 indicators and on the work hub; changing or deleting
the activity (or the meeting) withdraws it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.assessment.indicators import IndicatorContext
from core.db import db
from core.life import service as life
from core.life.indicators import indicators
from core.life.models import MeetingCredit
from core.life.warnings import rules
from core.orgs.models import Organization
from core.pairings import service
from core.tenancy import current_tenant_id
from core.warnings.rules import RuleContext
from tests.orgs.conftest import add_members
from tests.pairings.conftest import build_tree, days_ago
from tests.support.auth import error_fields

RULES = {rule.key: rule for rule in rules()}
INDICATORS = {i.key: i for i in indicators()}


def _flagged(rule_key: str, **params) -> set:
    rule = RULES[rule_key]
    ctx = RuleContext(current_tenant_id(), date.today(), rule.params().load(params))
    return {f.org_id for f in rule.check(ctx)}


def _theme_days(org_ids, start: date, end: date) -> dict:
    indicator = INDICATORS["life.theme_days"]
    ctx = IndicatorContext(tenant_id=current_tenant_id(), start=start, end=end,
                           orgs=select(Organization.id).where(Organization.id.in_(org_ids)),
                           params=indicator.params().load({}))
    return {org_id: m.value for org_id, m in indicator.measure(ctx).items()}


def _setup(tenant, in_tenant):
    with in_tenant(tenant):
        made = build_tree()
        add_members(made["JG1"], 3)
        add_members(made["V1"], 4)
        db.session.flush()
        pairing = service.create(made["JG1"], made["V1"], {"started_on": days_ago(100)})
        meeting = life.record_meeting(made["JG1"], {
            "kind": "theme_day", "held_on": days_ago(3), "topic": "联合主题党日",
            "present_member_ids": list(life.eligible_members(made["JG1"], "theme_day", days_ago(3)))})
        db.session.commit()
        return {k: v.id for k, v in made.items()}, pairing.id, meeting.id


def test_joint_meeting_satisfies_the_partners_rules_and_indicators(tenant, in_tenant):
    ids, pairing_id, meeting_id = _setup(tenant, in_tenant)
    with in_tenant(tenant):
        # before: the village has no theme day and no org life at all
        assert ids["V1"] in _flagged("life.theme_day_overdue")
        assert ids["V1"] in _flagged("life.no_activity")
        assert ids["JG1"] not in _flagged("life.theme_day_overdue")
        counts = _theme_days([ids["V1"], ids["JG1"]], days_ago(30), date.today())
        assert counts == {ids["V1"]: 0, ids["JG1"]: 1}

        pairing = service.get(pairing_id)
        activity = service.add_activity(pairing, {
            "held_on": days_ago(3), "kind": "joint_meeting", "topic": "联合主题党日",
            "org_participants": 3, "partner_participants": 4, "meeting_id": meeting_id})
        db.session.commit()
        assert service.credits_of([activity]) == {activity.id: ids["V1"]}
        # after: it counts for both
        assert ids["V1"] not in _flagged("life.theme_day_overdue")
        assert ids["V1"] not in _flagged("life.no_activity")
        assert ids["JG1"] not in _flagged("life.theme_day_overdue")
        counts = _theme_days([ids["V1"], ids["JG1"], ids["V2"]], days_ago(30), date.today())
        assert counts == {ids["V1"]: 1, ids["JG1"]: 1, ids["V2"]: 0}
        # outside the period it counts for neither
        assert set(_theme_days([ids["V1"], ids["JG1"]], days_ago(90), days_ago(30)).values()) == {0}

        # no longer a joint meeting: the credit is withdrawn
        service.update_activity(activity, pairing, {"kind": "joint_study", "meeting_id": None})
        db.session.commit()
        assert ids["V1"] in _flagged("life.theme_day_overdue")
        assert _theme_days([ids["V1"]], days_ago(30), date.today()) == {ids["V1"]: 0}

        # named again, then the activity deleted: withdrawn again
        service.update_activity(activity, pairing, {"kind": "joint_meeting", "meeting_id": meeting_id})
        db.session.commit()
        assert ids["V1"] not in _flagged("life.theme_day_overdue")
        service.delete_activity(activity)
        db.session.commit()
        assert ids["V1"] in _flagged("life.theme_day_overdue")
        assert db.session.scalar(select(func.count()).select_from(MeetingCredit)) == 0


def test_deleting_the_meeting_removes_its_credit(tenant, in_tenant):
    ids, pairing_id, meeting_id = _setup(tenant, in_tenant)
    with in_tenant(tenant):
        service.add_activity(service.get(pairing_id), {
            "held_on": days_ago(3), "kind": "joint_meeting", "topic": "联合主题党日", "meeting_id": meeting_id})
        db.session.commit()
        assert ids["V1"] not in _flagged("life.theme_day_overdue")
        life.delete_meeting(life.get_meeting(meeting_id))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(MeetingCredit)) == 0
        assert ids["V1"] in _flagged("life.theme_day_overdue")


def test_the_meeting_must_be_one_sides_and_of_the_day(client, tenant, in_tenant, auth_headers):
    ids, pairing_id, meeting_id = _setup(tenant, in_tenant)
    with in_tenant(tenant):
        other = life.record_meeting(db.session.get(Organization, (tenant.id, ids["V2"])), {
            "kind": "theme_day", "held_on": days_ago(3), "topic": "李家村主题党日"})
        db.session.commit()
        other_id = other.id
    admin = auth_headers(tenant)
    url = f"/api/v1/pairings/{pairing_id}/activities"
    body = {"held_on": days_ago(3).isoformat(), "kind": "joint_meeting", "topic": "联合主题党日"}
    for change in ({"meeting_id": str(other_id)}, {"meeting_id": str(meeting_id), "held_on": days_ago(4).isoformat()}):
        response = client.post(url, headers=admin, json={**body, **change})
        assert response.status_code == 422, response.get_json()
        assert "meeting_id" in error_fields(response.get_json())
    first = client.post(url, headers=admin, json={**body, "meeting_id": str(meeting_id)})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["credited_org_id"] == str(ids["V1"])
    assert first.get_json()["meeting_org_id"] == str(ids["JG1"])
    twice = client.post(url, headers=admin, json={**body, "meeting_id": str(meeting_id)})
    assert twice.status_code == 409 and "meeting_id" in error_fields(twice.get_json())
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(MeetingCredit)) == 1


def test_work_hub_counts_the_joint_meeting(client, tenant, in_tenant, auth_headers):
    from core.web.screens.work.hub import meeting_status

    ids, pairing_id, meeting_id = _setup(tenant, in_tenant)
    with in_tenant(tenant):
        village = db.session.get(Organization, (tenant.id, ids["V1"]))
        before = {row["kind"]: row["done"] for row in meeting_status(village, date.today())}
        assert before["theme_day"] is False
        service.add_activity(service.get(pairing_id), {
            "held_on": days_ago(3), "kind": "joint_meeting", "topic": "联合主题党日", "meeting_id": meeting_id})
        db.session.commit()
        after = {row["kind"]: row for row in meeting_status(village, date.today())}
        assert after["theme_day"]["done"] is True and after["theme_day"]["last"] == days_ago(3)
