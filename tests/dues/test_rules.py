"""The dues warning rules: each raised by data and cleared by changing it, called directly
as the engine calls them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.db import db
from core.dues import finance, service
from core.dues.models import FinanceRole
from core.dues.warnings import rules
from core.members.models import Member
from core.orgs import service as orgs
from core.warnings.rules import RuleContext

RULES = {rule.key: rule for rule in rules()}
TODAY = date(2024, 7, 10)


def _run(tenant_id, key, today=TODAY, **params):
    rule = RULES[key]
    loaded = rule.params().load(params) if rule.params else {}
    return list(rule.check(RuleContext(tenant_id, today, loaded)))


def _member(tenant_id, member_id):
    return db.session.get(Member, (tenant_id, member_id))


def test_rules_are_declared_by_the_default_plugin(app_ctx):
    from core.plugins.manager import get_manager

    keys = {r.key for result in get_manager().hook.dangjian_warning_rules() for r in result}
    assert set(RULES) <= keys
    assert RULES["dues.unpaid_6_months"].severity == "serious"
    assert "自行脱党" in RULES["dues.unpaid_6_months"].message
    assert "不会自动除名" in RULES["dues.unpaid_6_months"].message
    assert RULES["dues.unpaid_3_months"].params().load({}) == {"months": 3}
    assert RULES["dues.unpaid_6_months"].params().load({}) == {"months": 6}


def test_unpaid_three_and_six_months_raise_and_clear(tree, tenant, in_tenant, add_member):
    # joined in January 2024; as of 10 July the completed months are Jan–Jun
    behind = add_member(tenant, tree["X"], joined_on=date(2024, 1, 5), is_student=True, name="甲")
    on_time = add_member(tenant, tree["Y"], joined_on=date(2024, 1, 5), is_student=True, name="乙")
    with in_tenant(tenant):
        tid = tenant.id
        service.record_payments(_member(tid, on_time), month=date(2024, 1, 1), through=date(2024, 6, 1),
                                channel="cash", paid_on=date(2024, 1, 5), today=date(2024, 1, 5))
        db.session.commit()
        six = _run(tid, "dues.unpaid_6_months")
        three = _run(tid, "dues.unpaid_3_months")
        assert [(f.org_id, f.subject_id, f.figures) for f in six] == [
            (tree["X"], behind, {"name": "甲", "months": 6, "last_paid": "无"})]
        assert [f.subject_id for f in three] == [behind]
        RULES["dues.unpaid_6_months"].message.format(**six[0].figures)  # the template fills
        # one month back-paid: five in a row are left — no longer six, still three
        service.record_payments(_member(tid, behind), month=date(2024, 1, 1), channel="cash",
                                paid_on=TODAY, today=TODAY)
        db.session.commit()
        assert _run(tid, "dues.unpaid_6_months") == []
        assert [f.figures["months"] for f in _run(tid, "dues.unpaid_3_months")] == [5]
        # a tenant threshold of 5 raises it again
        assert [f.subject_id for f in _run(tid, "dues.unpaid_6_months", months=5)] == [behind]
        # paying March–June leaves no run at all; the current month (July) never counts
        service.record_payments(_member(tid, behind), month=date(2024, 3, 1), through=date(2024, 6, 1),
                                channel="bank", paid_on=TODAY, today=TODAY)
        db.session.commit()
        assert _run(tid, "dues.unpaid_3_months") == []
        assert _run(tid, "dues.unpaid_3_months", months=1) == []
        # members who left owe nothing
        assert _run(tid, "dues.unpaid_3_months", today=date(2024, 10, 10))  # Jul–Sep unpaid
        for member_id in (behind, on_time):
            _member(tid, member_id).status = "left"
        db.session.commit()
        assert _run(tid, "dues.unpaid_3_months", today=date(2024, 10, 10)) == []


def test_unpaid_rule_is_per_tenant(tree, tenant, tenant_b, in_tenant, add_member):
    add_member(tenant, tree["X"], joined_on=date(2024, 1, 5), is_student=True)
    with in_tenant(tenant_b):
        assert _run(tenant_b.id, "dues.unpaid_3_months") == []
    with in_tenant(tenant):
        assert len(_run(tenant.id, "dues.unpaid_3_months")) == 1


def test_finance_conflict_and_missing_raise_and_clear(tree, tenant, in_tenant, add_member):
    zhang = add_member(tenant, tree["X"], name="张会计")
    with in_tenant(tenant):
        tid = tenant.id
        x, y = orgs.get(tree["X"]), orgs.get(tree["Y"])
        missing = {f.org_id: f.figures["missing"] for f in _run(tid, "dues.finance_roles_missing")}
        assert missing == {tree["X"]: "会计、出纳", tree["Y"]: "会计、出纳"}  # the committee is not checked
        finance.assign(x, role="accountant", member_id=zhang, qualified=True, since=date(2024, 1, 1))
        cashier = finance.assign(x, role="cashier", person_name="李出纳", qualified=False,
                                 since=date(2024, 1, 1))
        db.session.commit()
        assert {f.org_id for f in _run(tid, "dues.finance_roles_missing")} == {tree["Y"]}
        assert {f.org_id for f in _run(tid, "dues.finance_roles_missing", kinds=["committee"])} == {tree["C"]}
        [unqualified] = _run(tid, "dues.finance_roles_conflict")
        assert unqualified.org_id == tree["X"]
        assert unqualified.figures == {"problems": "出纳李出纳不具备财务从业资格"}
        cashier.qualified = True
        db.session.commit()
        assert _run(tid, "dues.finance_roles_conflict") == []
        # one person holding both (recorded around the service, as an import might)
        db.session.add(FinanceRole(org_id=y.id, role="accountant", person_name="王五", qualified=True,
                                   since=date(2024, 1, 1)))
        db.session.add(FinanceRole(org_id=y.id, role="cashier", person_name="王五", qualified=True,
                                   since=date(2024, 1, 1)))
        db.session.commit()
        [both] = _run(tid, "dues.finance_roles_conflict")
        assert both.org_id == tree["Y"] and "同一人（王五）兼任" in both.figures["problems"]
        assert _run(tid, "dues.finance_roles_missing") == []
        # ending the cashier's term clears the conflict (and the branch now lacks a cashier)
        y_cashier = db.session.scalar(select(FinanceRole).where(FinanceRole.org_id == y.id,
                                                                FinanceRole.role == "cashier"))
        finance.end(y_cashier, date(2024, 6, 30))
        db.session.commit()
        assert _run(tid, "dues.finance_roles_conflict") == []
        assert [f.figures["missing"] for f in _run(tid, "dues.finance_roles_missing")] == ["出纳"]
        # a dissolved branch raises nothing
        y.status = "dissolved"
        db.session.commit()
        assert _run(tid, "dues.finance_roles_missing") == []


def test_members_behind_finds_exactly_who_member_arrears_counts_behind(tenant, in_tenant, tree):
    """The 3/6-month rules' one query agrees with the full arrears for every member, with
    and without ``arrears_from``, whatever their payments (gaps, a paid current month,
    advance payments, none at all, a join date after the cut-off)."""
    import random

    from core.dues import rates as dues_rates
    from core.dues.models import DuesPayment
    from core.dues.rates import add_months
    from tests.dues.conftest import new_member

    rng = random.Random(5)
    with in_tenant(tenant):
        current = date(TODAY.year, TODAY.month, 1)
        for n in range(60):
            joined = add_months(current, -rng.randint(0, 30))
            member = new_member(tree["X"] if n % 2 else tree["Y"], joined_on=joined)
            stopped = rng.randint(0, 12) if n % 3 == 0 else -2  # some stopped paying months ago
            paid_months = [add_months(current, -k) for k in range(max(stopped, -2), 31)
                           if add_months(current, -k) >= joined and rng.random() < 0.9 - n / 200]
            for month in paid_months:
                db.session.add(DuesPayment(member_id=member.id, org_id=member.org_id, month=month,
                                           amount=1, channel="cash", paid_on=month))
        db.session.commit()
        for floor in (None, add_months(current, -8)):
            if floor is not None:
                dues_rates.set_overrides({"arrears_from": floor.isoformat()})
                db.session.commit()
            every = service.member_arrears(as_of=TODAY)
            for months in (1, 3, 6, 12):
                expected = sorted((a.member_id, a.consecutive_unpaid, a.months_paid) for a in every
                                  if a.consecutive_unpaid >= months)
                found = sorted((a.member_id, a.consecutive_unpaid, a.months_paid)
                               for a in service.members_behind(months, as_of=TODAY))
                assert found == expected, (floor, months)
                assert expected or months == 12, (floor, months)  # the data has such members


def test_one_sweep_reads_the_members_behind_once_for_both_rules(tree, tenant, in_tenant, add_member,
                                                                monkeypatch):
    from core.dues import warnings as dues_warnings

    three = add_member(tenant, tree["X"], joined_on=date(2024, 3, 5), is_student=True, name="甲")
    six = add_member(tenant, tree["Y"], joined_on=date(2024, 1, 5), is_student=True, name="乙")
    reads = []
    real = dues_warnings.members_behind
    monkeypatch.setattr(dues_warnings, "members_behind", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    with in_tenant(tenant):
        shared: dict = {}
        tid = tenant.id
        rule3, rule6 = RULES["dues.unpaid_3_months"], RULES["dues.unpaid_6_months"]
        found3 = rule3.check(RuleContext(tid, TODAY, rule3.params().load({}), shared))
        found6 = rule6.check(RuleContext(tid, TODAY, rule6.params().load({}), shared))
        assert reads == [3]  # the 6-month rule kept the 3-month read's members 6+ behind
        assert {f.subject_id for f in found3} == {three, six}
        assert [f.subject_id for f in found6] == [six]
        # asked the other way round, the smaller threshold reads again
        shared.clear()
        rule6.check(RuleContext(tid, TODAY, rule6.params().load({}), shared))
        assert {f.subject_id for f in rule3.check(RuleContext(tid, TODAY, rule3.params().load({}), shared))} \
            == {three, six}
        assert reads == [3, 6, 3]
