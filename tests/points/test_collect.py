"""Collecting: attendance (支部党员大会, 党课, 主题党日 attended) and dues paid on time become
approved entries; collecting again adds nothing; caps apply in bulk; the job, the command and
the endpoint; the number of statements does not grow with the members."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.db import db
from core.dues.models import DuesPayment
from core.life import service as life
from core.orgs import service as orgs
from core.plugins.settings import set_overrides
from core.points import ledger
from core.points.models import PointAccount, PointEntry, PointRuleOverride
from core.points.settings import PLUGIN
from tests.points.conftest import award, new_member

D = Decimal
Y2025 = (date(2025, 1, 1), date(2025, 12, 31))


def meeting(org_id, kind, held_on, present=(), absent=()):
    org = orgs.get(org_id)
    return life.record_meeting(org, {
        "kind": kind, "held_on": held_on, "topic": f"{kind} 会议",
        "present_member_ids": [m.id for m in present],
        "absences": [{"member_id": m.id, "reason": "事假"} for m in absent],
    })


def pay(member, month: date, paid_on: date):
    db.session.add(DuesPayment(member_id=member.id, org_id=member.org_id, month=month,
                               amount=D("10.00"), channel="cash", paid_on=paid_on))
    db.session.flush()


def entries(**where):
    stmt = select(PointEntry).order_by(PointEntry.occurred_on, PointEntry.source_ref)
    for key, value in where.items():
        stmt = stmt.where(getattr(PointEntry, key) == value)
    return db.session.scalars(stmt).all()


def test_attendance_is_collected_once_per_counted_meeting(tenant, in_tenant, tree):
    with in_tenant(tenant):
        a, b = new_member(tree["X"]), new_member(tree["G"])  # G is X's group
        general = meeting(tree["X"], "general_meeting", date(2025, 3, 1), present=[a, b])
        meeting(tree["X"], "party_lecture", date(2025, 4, 1), present=[a], absent=[b])
        meeting(tree["X"], "committee_meeting", date(2025, 4, 2))  # not counted
        meeting(tree["X"], "theme_day", date(2024, 12, 31), present=[a, b])  # another year
        db.session.commit()
        report = ledger.collect(*Y2025)
        db.session.commit()
        assert report["rules"]["life.attendance"] == {"found": 3, "added": 3, "capped": 0}
        rows = entries(member_id=a.id)
        assert [(e.rule_key, e.occurred_on, e.points, e.status, e.approved_by) for e in rows] == [
            ("life.attendance", date(2025, 3, 1), D("2.00"), "approved", "system"),
            ("life.attendance", date(2025, 4, 1), D("2.00"), "approved", "system"),
        ]
        assert rows[0].source_ref == f"meeting:{general.id}"
        assert rows[0].org_id == tree["X"]
        assert entries(member_id=b.id)[0].org_id == tree["G"]
        assert ledger.account(a.id)["earned"] == D("4.00")

        again = ledger.collect(*Y2025)
        db.session.commit()
        assert again["added"] == 0
        assert db.session.scalar(select(func.count()).select_from(PointEntry)) == 3
        assert ledger.account(a.id)["earned"] == D("4.00")


def test_dues_paid_by_the_end_of_the_month_earn_a_point(tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = new_member(tree["Y"])
        pay(m, date(2025, 1, 1), date(2025, 1, 31))  # last day: on time
        pay(m, date(2025, 2, 1), date(2025, 3, 1))  # late
        pay(m, date(2025, 3, 1), date(2024, 12, 20))  # in advance: on time, dated March
        pay(m, date(2024, 12, 1), date(2024, 12, 2))  # another year
        db.session.commit()
        ledger.collect(*Y2025)
        db.session.commit()
        got = entries(rule_key="dues.on_time")
        assert [(e.occurred_on, e.source_ref, e.points) for e in got] == [
            (date(2025, 1, 1), "dues:2025-01", D("1.00")),
            (date(2025, 3, 1), "dues:2025-03", D("1.00")),
        ]


def test_caps_apply_in_bulk_and_on_top_of_what_the_member_has(tenant, in_tenant, tree):
    with in_tenant(tenant):
        db.session.add(PointRuleOverride(rule_key="life.attendance", active=True,
                                         cap_overridden=True, yearly_cap=D("5")))
        a, b = new_member(tree["X"]), new_member(tree["X"])
        for month in (1, 2, 3, 4):
            meeting(tree["X"], "theme_day", date(2025, month, 10), present=[a, b])
        db.session.commit()
        # b already got 4 attendance points by hand this year
        award(b.id, "life.attendance", date(2025, 1, 2))
        award(b.id, "life.attendance", date(2025, 1, 3))
        db.session.commit()
        report = ledger.collect(*Y2025)
        db.session.commit()
        assert [e.points for e in entries(member_id=a.id, rule_key="life.attendance")] == [
            D("2.00"), D("2.00"), D("1.00"), D("0.00")]
        collected_b = [e for e in entries(member_id=b.id) if e.source_ref]
        assert [e.points for e in collected_b] == [D("1.00"), D("0.00"), D("0.00"), D("0.00")]
        assert "实得 1 分" in collected_b[0].cap_note
        assert report["rules"]["life.attendance"]["capped"] == 6
        assert ledger.account(a.id)["earned"] == D("5.00")
        assert ledger.account(b.id)["earned"] == D("5.00")


def test_switched_off_rules_are_not_collected(tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        meeting(tree["X"], "theme_day", date(2025, 5, 1), present=[m])
        db.session.add(PointRuleOverride(rule_key="life.attendance", active=False))
        db.session.commit()
        report = ledger.collect(*Y2025)
        assert "life.attendance" not in report["rules"] and report["added"] == 0


def test_collecting_is_per_tenant(tenant, tenant_b, in_tenant, tree):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        meeting(tree["X"], "theme_day", date(2025, 5, 1), present=[m])
        db.session.commit()
    with in_tenant(tenant_b):
        assert ledger.collect(*Y2025)["added"] == 0
        db.session.commit()
    with in_tenant(tenant):
        assert ledger.collect(*Y2025)["added"] == 1
        db.session.commit()


def _city(tenant, in_tenant, branches: int, per_branch: int):
    with in_tenant(tenant):
        root = orgs.create(name="县委", code="ROOT", kind="committee", founded_on=date(2000, 1, 1))
        for i in range(branches):
            org = orgs.create(name=f"支部{i}", code=f"B{i}", kind="branch", parent=root,
                              founded_on=date(2000, 1, 1))
            db.session.flush()
            people = [new_member(org.id) for _ in range(per_branch)]
            meeting(org.id, "theme_day", date(2025, 3, 1), present=people)
            meeting(org.id, "general_meeting", date(2025, 6, 1), present=people[1:])
            for person in people:
                pay(person, date(2025, 2, 1), date(2025, 2, 10))
        db.session.commit()


def _statements_to_collect(tenant, in_tenant, count_statements) -> tuple[int, int]:
    with in_tenant(tenant):
        with count_statements() as seen:
            report = ledger.collect(*Y2025)
        db.session.commit()
        return len(seen), report["added"]


def test_collect_statements_do_not_grow_with_members(make_tenant, in_tenant, count_statements):
    small, large = make_tenant(), make_tenant()
    _city(small, in_tenant, branches=2, per_branch=3)
    _city(large, in_tenant, branches=6, per_branch=8)
    n_small, added_small = _statements_to_collect(small, in_tenant, count_statements)
    n_large, added_large = _statements_to_collect(large, in_tenant, count_statements)
    assert (added_small, added_large) == (2 * (3 + 2 + 3), 6 * (8 + 7 + 8))
    assert n_small == n_large <= 14


def test_collect_job_and_endpoint(client, tenant, in_tenant, tree, auth_headers, run_jobs):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        meeting(tree["X"], "theme_day", date(2025, 5, 1), present=[m])
        db.session.commit()
        member_id = m.id
    admin = auth_headers(tenant)
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    assert client.post("/api/v1/points/collect", json={"year": 2025},
                       headers=secretary).status_code == 403
    bad = client.post("/api/v1/points/collect", json={"year": "x", "rules": ["nope.x"]},
                      headers=admin)
    assert bad.status_code == 422 and "year" in bad.get_json()["errors"]
    bad = client.post("/api/v1/points/collect", json={"rules": ["points.study"]}, headers=admin)
    assert bad.status_code == 422 and "rules" in bad.get_json()["errors"]
    started = client.post("/api/v1/points/collect", json={"year": 2025}, headers=admin)
    assert started.status_code == 202, started.get_json()
    run_jobs()
    job = client.get(f"/api/v1/jobs/{started.get_json()['id']}", headers=admin).get_json()
    assert job["state"] == "finished", job
    assert job["result"]["added"] == 1 and job["result"]["start"] == "2025-01-01"
    with in_tenant(tenant):
        assert ledger.account(member_id)["earned"] == D("2.00")


def test_collect_command(app, tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        meeting(tree["X"], "theme_day", date(2025, 5, 1), present=[m])
        db.session.commit()
        member_id = m.id
    runner = app.test_cli_runner()
    result = runner.invoke(args=["points", "collect", "--tenant", "alpha", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "1 entries added" in result.output and "life.attendance +1" in result.output
    result = runner.invoke(args=["points", "collect", "--tenant", "alpha", "--year", "2025"])
    assert "0 entries added" in result.output
    assert runner.invoke(args=["points", "collect", "--tenant", "nowhere"]).exit_code != 0
    assert runner.invoke(args=["points", "collect"]).exit_code != 0
    with in_tenant(tenant):
        assert db.session.scalar(select(func.count()).select_from(PointEntry)) == 1
        assert db.session.scalar(select(PointAccount.earned).where(PointAccount.member_id == member_id)) == 2


def test_settings_do_not_change_what_is_collected(tenant, in_tenant, tree):
    with in_tenant(tenant):
        set_overrides(PLUGIN, {"exempt_categories": []})
        m = new_member(tree["X"], status="mobile")
        meeting(tree["X"], "theme_day", date(2025, 5, 1), present=[m])
        db.session.commit()
        assert ledger.collect(*Y2025)["added"] == 1
