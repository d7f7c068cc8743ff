"""The ledger: recording, four-eyes approval, caps clamped at approval and reset each year,
rejection, and the figures the cycles read (member_totals, exempt_member_ids)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api.errors import ApiError
from core.auth.context import Actor, acting_as
from core.db import db
from core.members.models import Member
from core.plugins.settings import set_overrides
from core.points import ledger, registry
from core.points.models import PointEntry
from core.points.settings import PLUGIN
from tests.points.conftest import award, new_member

D = Decimal


def _member(member_id):
    return db.session.scalar(select(Member).where(Member.id == member_id))


def test_cap_clamps_at_approval_and_says_why(tenant, in_tenant, tree):
    # points.volunteering: 5 per entry, at most 50 a year
    with in_tenant(tenant):
        m = new_member(tree["X"])
        entries = [award(m.id, "points.volunteering", date(2025, 3, d)) for d in range(1, 12)]
        db.session.commit()
        assert [e.points for e in entries[:10]] == [D("5.00")] * 10
        last = entries[10]
        assert last.status == "approved"
        assert last.requested_points == D("5.00") and last.points == D("0.00")
        assert "最多得 50 分" in last.cap_note and "实得 0 分" in last.cap_note
        assert ledger.account(m.id)["earned"] == D("50.00")


def test_partial_clamp_after_the_tenant_lowers_the_cap(tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        award(m.id, "points.study", date(2025, 1, 5))
        award(m.id, "points.study", date(2025, 1, 6))  # 4 so far
        from core.points.models import PointRuleOverride
        db.session.add(PointRuleOverride(rule_key="points.study", active=True,
                                         cap_overridden=True, yearly_cap=D("5")))
        db.session.flush()
        third = award(m.id, "points.study", date(2025, 1, 7))
        db.session.commit()
        assert third.points == D("1.00")
        assert "申请 2 分，实得 1 分" in third.cap_note


def test_cap_resets_each_calendar_year(tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        for day in range(1, 11):
            award(m.id, "points.volunteering", date(2024, 12, day))
        late = award(m.id, "points.volunteering", date(2024, 12, 20))
        next_year = award(m.id, "points.volunteering", date(2025, 1, 2))
        db.session.commit()
        assert late.points == D("0.00")
        assert next_year.points == D("5.00") and next_year.cap_note is None
        assert ledger.member_totals(date(2025, 1, 1), date(2025, 12, 31)) == {m.id: D("5.00")}
        assert ledger.member_totals(date(2024, 1, 1), date(2024, 12, 31)) == {m.id: D("50.00")}


def test_deduction_cap_bounds_what_is_taken(tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        taken = [award(m.id, "points.breach", date(2025, 2, d)) for d in range(1, 13)]
        db.session.commit()
        assert sum(e.points for e in taken) == D("-100.00")
        assert taken[-1].points == D("0.00") and "最多扣 100 分" in taken[-1].cap_note
        assert ledger.account(m.id)["earned"] == D("-100.00")


def test_the_recorder_cannot_approve_unless_the_tenant_allows_it(tenant, in_tenant, tree, make_user):
    recorder = make_user(tenant, role="branch_secretary", org=tree["X"])
    with in_tenant(tenant):
        m = new_member(tree["X"])
        with acting_as(Actor(label="user:r", user_id=recorder.id)):
            entry = ledger.record(m, registry.get_rule("points.study"), date(2025, 1, 1))
            with pytest.raises(ApiError) as refused:
                ledger.approve(entry)
            assert refused.value.status == 403
        db.session.commit()
        assert entry.status == "pending" and entry.points is None
        set_overrides(PLUGIN, {"self_approve": True})
        db.session.commit()
        with acting_as(Actor(label="user:r", user_id=recorder.id)):
            ledger.approve(entry)
        db.session.commit()
        assert entry.status == "approved" and entry.approved_by_user_id == recorder.id


def test_approving_twice_or_rejecting_an_approved_entry_is_409(tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        entry = award(m.id, "points.study", date(2025, 1, 1))
        for act in (lambda: ledger.approve(entry), lambda: ledger.reject(entry, "不符")):
            with pytest.raises(ApiError) as refused:
                act()
            assert refused.value.status == 409
        assert ledger.account(m.id)["earned"] == D("2.00")


def test_rejection_needs_a_reason_and_awards_nothing(tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        entry = award(m.id, "points.study", date(2025, 1, 1), approve=False)
        with pytest.raises(ApiError) as refused:
            ledger.reject(entry, "  ")
        assert "reason" in refused.value.errors
        ledger.reject(entry, "材料不实")
        db.session.commit()
        assert entry.status == "rejected" and entry.points is None
        assert ledger.member_totals(date(2025, 1, 1), date(2025, 12, 31)) == {}


@pytest.mark.parametrize("change, field", [
    ({"rule_key": "points.nope"}, "rule_key"),
    ({"on": date(2999, 1, 1)}, "occurred_on"),
    ({"on": date(2000, 1, 1)}, "occurred_on"),
    ({"rule_key": "points.pioneer", "evidence": " "}, "evidence"),
])
def test_recording_refuses_bad_input_naming_the_field(tenant, in_tenant, tree, change, field):
    with in_tenant(tenant):
        m = new_member(tree["X"])
        key = change.get("rule_key", "points.study")
        with pytest.raises(ApiError) as refused:
            ledger.record(m, registry.get_rule(key), change.get("on", date(2025, 1, 1)),
                          change.get("evidence"), rule_key=key)
        assert refused.value.status == 422 and field in refused.value.errors
        assert db.session.scalar(select(PointEntry.id)) is None


def test_member_totals_and_exempt_ids(tenant, in_tenant, tree):
    with in_tenant(tenant):
        a = new_member(tree["X"])
        b = new_member(tree["Y"], status="mobile")
        old = new_member(tree["Y"], birth_date=date(1940, 5, 1))
        retired = new_member(tree["Y"], is_retired=True)
        new_member(tree["Y"], status="transferred_out", is_retired=True)
        award(a.id, "points.study", date(2025, 6, 30))
        award(a.id, "points.study", date(2025, 7, 1))
        award(b.id, "points.volunteering", date(2025, 7, 1))
        award(b.id, "points.volunteering", date(2025, 8, 1), approve=False)
        db.session.commit()
        assert ledger.member_totals(date(2025, 7, 1), date(2025, 7, 31)) == {
            a.id: D("2.00"), b.id: D("5.00")}
        assert ledger.exempt_member_ids() == {b.id, old.id}
        set_overrides(PLUGIN, {"exempt_categories": ["retired"]})
        db.session.commit()
        assert ledger.exempt_member_ids() == {retired.id}


def test_concurrent_approvals_cannot_exceed_the_cap(app, tenant, in_tenant, tree):
    """Two approvers at once, each near the cap: the account lock makes the second see the
    first's award (real threads and connections on both databases)."""
    import threading
    import time

    from core.tenancy import tenant_context

    tenant_id = tenant.id
    with in_tenant(tenant):
        m = new_member(tree["X"])
        for day in range(1, 10):
            award(m.id, "points.volunteering", date(2025, 4, day))  # 45 of 50
        pending = [award(m.id, "points.volunteering", date(2025, 5, day), approve=False).id
                   for day in (1, 2)]
        db.session.commit()
        member_id = m.id
    barrier = threading.Barrier(2)
    failures = []

    def approve(entry_id, who):
        with app.app_context(), tenant_context(tenant_id):
            try:
                entry = db.session.scalar(select(PointEntry).where(PointEntry.id == entry_id))
                barrier.wait(timeout=10)
                with acting_as(Actor(label=f"user:{who}")):
                    ledger.approve(entry)
                time.sleep(0.3)  # hold the lock while the other approver waits
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(entry_id, f"approver{i}"))
               for i, entry_id in enumerate(pending)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    with in_tenant(tenant_id):
        awarded = sorted(db.session.scalars(
            select(PointEntry.points).where(PointEntry.id.in_(pending))).all())
        assert awarded == [D("0.00"), D("5.00")]
        assert ledger.account(member_id)["earned"] == D("50.00")
        assert ledger.member_totals(date(2025, 1, 1), date(2025, 12, 31)) == {member_id: D("50.00")}
