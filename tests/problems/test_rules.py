"""The problems slice's warning rules on real data: raised by a sweep, kept while the data
stands, resolved by the next sweep once it is fixed."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.db import db
from core.orgs import service as orgs
from core.problems.models import WeakDesignation
from core.warnings import engine
from core.warnings.models import OPEN, Warning
from tests.problems.conftest import add_designation, add_problem, add_text_evidence

TODAY = date(2025, 7, 1)


def _open(rule: str, today: date = TODAY) -> dict:
    engine.sweep(today, [rule])
    db.session.commit()
    rows = db.session.scalars(select(Warning).where(Warning.rule_key == rule, Warning.state == OPEN))
    return {w.org_id: w for w in rows}


def test_overdue_problems_raise_per_organisation(tenant, city, in_tenant):
    with in_tenant(tenant):
        add_problem(city["X"], title="会议记录不全", deadline=date(2025, 6, 1))
        add_problem(city["X"], title="党费台账缺失", deadline=date(2025, 5, 1), status="submitted")
        add_problem(city["Y"], title="未到期", deadline=TODAY)  # due today: not overdue yet
        add_problem(city["Z"], title="已销号", deadline=date(2025, 5, 1), status="closed",
                    closed_on=date(2025, 6, 20))
        db.session.commit()
        found = _open("problems.overdue")
        assert set(found) == {city["X"]}
        warning = found[city["X"]]
        assert warning.figures == {"count": 2, "title": "党费台账缺失", "days": 61, "deadline": "2025-05-01"}
        assert "2 个问题" in warning.message and "党费台账缺失" in warning.message and "61 天" in warning.message
        assert set(_open("problems.overdue", TODAY + timedelta(days=1))) == {city["X"], city["Y"]}


def test_overdue_warning_clears_when_closed_through_the_flow(client, tenant, city, login, new_problem,
                                                             in_tenant):
    admin = login(tenant, "tenant_admin")
    secretary = login(tenant, "branch_secretary", "X")
    pid = new_problem(admin, city["X"], found_on="2024-01-02", deadline="2024-02-01")["id"]
    today = date.today()
    with in_tenant(tenant):
        [warning] = _open("problems.overdue", today).values()
        assert warning.org_id == city["X"] and warning.figures["days"] == (today - date(2024, 2, 1)).days
        opened = warning.id
    client.post(f"/api/v1/problems/{pid}/start", headers=secretary, json={})
    add_text_evidence(client, secretary, pid)
    client.post(f"/api/v1/problems/{pid}/submit", headers=secretary, json={"rectification": "已整改"})
    with in_tenant(tenant):
        assert set(_open("problems.overdue", today)) == {city["X"]}  # submitted is not closed
    response = client.post(f"/api/v1/problems/{pid}/approve", headers=login(tenant, "org_manager", "C1"), json={})
    assert response.status_code == 200
    with in_tenant(tenant):
        assert _open("problems.overdue", today) == {}
        assert db.session.scalar(select(Warning.state).where(Warning.id == opened)) == "resolved"


def test_overdue_grace_days_and_dissolved_orgs(tenant, city, in_tenant):
    from core.warnings import service as warnings

    with in_tenant(tenant):
        add_problem(city["X"], deadline=date(2025, 6, 25))
        add_problem(city["Z"], deadline=date(2025, 1, 1))
        orgs.get(city["Z"]).status = "dissolved"
        db.session.commit()
        assert set(_open("problems.overdue")) == {city["X"]}
        warnings.update_rule("problems.overdue", params={"grace_days": 7})
        db.session.commit()
        assert _open("problems.overdue") == {}


def test_weak_org_stalled_after_n_months(tenant, city, in_tenant):
    from core.warnings import service as warnings

    with in_tenant(tenant):
        stalled = add_designation(city["X"], designated_on=date(2024, 6, 30), status="rectifying")
        add_designation(city["Y"], designated_on=date(2024, 7, 1))  # exactly 12 months: not more
        add_designation(city["Z"], designated_on=date(2023, 1, 1), status="delisted",
                        delisted_on=date(2024, 1, 1))
        db.session.commit()
        found = _open("problems.weak_org_stalled")
        assert set(found) == {city["X"]}
        assert found[city["X"]].figures == {"year": 2024, "designated_on": "2024-06-30", "months": 12,
                                            "reason": "书记不胜任"}
        assert "仍未摘帽" in found[city["X"]].message
        warnings.update_rule("problems.weak_org_stalled", params={"months": 6})
        db.session.commit()
        assert set(_open("problems.weak_org_stalled")) == {city["X"], city["Y"]}
        stalled = db.session.scalar(select(WeakDesignation).where(WeakDesignation.id == stalled.id))
        stalled.status, stalled.delisted_on = "delisted", TODAY
        db.session.commit()
        assert set(_open("problems.weak_org_stalled")) == {city["Y"]}


def test_rules_are_listed_with_their_defaults(client, tenant, city, login):
    rules = {r["key"]: r for r in client.get("/api/v1/warnings/rules", headers=login(tenant)).get_json()}
    assert rules["problems.overdue"]["defaults"] == {"grace_days": 0}
    assert rules["problems.weak_org_stalled"]["defaults"] == {"months": 12}
