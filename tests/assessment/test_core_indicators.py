"""Core's sector-neutral indicators on real records (meetings through the life service,
members, posts, dues payments, development steps, warnings), each over several
organisations at once, and scored with the default template's weights."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.assessment import registry
from core.assessment.indicators import score
from core.assessment.templates import WEIGHTS
from core.db import db
from core.development.models import DevelopmentPerson, DevelopmentStep
from core.dues.models import DuesPayment
from core.dues.rates import add_months, month_start
from core.life import service as life
from core.orgs import posts
from core.orgs import service as orgs
from core.warnings.models import Warning
from tests.assessment.conftest import add_member, make_branches

WEIGHT = dict(WEIGHTS)


def _score(key: str, measurement, params: dict | None = None):
    indicator = registry.tenant_indicators()[key]
    effective = registry.effective_params(indicator, params or {})
    return score(indicator, measurement, effective, WEIGHT[key])


def _meeting(org, kind, held_on, present=(), absent=()):
    return life.record_meeting(org, {
        "kind": kind, "held_on": held_on, "topic": "学习", "present_member_ids": [m.id for m in present],
        "absences": [{"member_id": m.id, "reason": "外出"} for m in absent]})


@pytest.fixture
def city(tenant, in_tenant):
    """党委 C → 支部 X (8 members, a committee of 3, a 党小组 G with 2 members), 支部 Y
    (2 members, nothing else), 支部 Z (empty)."""
    with in_tenant(tenant):
        c = orgs.create(name="党委", code="C", kind="committee", founded_on=date(2000, 1, 1))
        x, y, z = make_branches(3, parent=c, prefix="XYZ")
        g = orgs.create(name="第一党小组", code="G", kind="group", parent=x, founded_on=date(2000, 1, 1))
        db.session.flush()
        xm = [add_member(x) for _ in range(8)]
        gm = [add_member(g) for _ in range(2)]
        ym = [add_member(y) for _ in range(2)]
        for post, member in zip(("secretary", "organisation_member", "propaganda_member"), xm,
                                strict=False):
            posts.start(x, post=post, member_id=member.id, started_on=date(2023, 1, 1))
        x.term_started_on, y.term_started_on = date(2023, 1, 1), date(2020, 1, 1)
        db.session.commit()
        yield {"C": c, "X": x, "Y": y, "Z": z, "G": g, "xm": xm, "gm": gm, "ym": ym}


def test_meeting_counts(city, tenant, in_tenant, measure):
    with in_tenant(tenant):
        x, y, z = city["X"], city["Y"], city["Z"]
        for day in (date(2024, 2, 1), date(2024, 5, 1), date(2024, 8, 1), date(2023, 12, 1)):
            _meeting(x, "general_meeting", day, present=city["xm"])
        _meeting(y, "general_meeting", date(2025, 1, 2), present=city["ym"])
        _meeting(x, "party_lecture", date(2024, 3, 3))
        _meeting(x, "life_meeting", date(2024, 11, 1))
        _meeting(y, "life_meeting", date(2023, 11, 1))
        _meeting(y, "member_review", date(2024, 12, 31))
        db.session.commit()
        ids = [x.id, y.id, z.id]
        general = measure("life.general_meetings", ids)
        assert {k: m.value for k, m in general.items()} == {x.id: 3, y.id: 0, z.id: 0}
        result = _score("life.general_meetings", general[x.id])
        assert result.points == Decimal("6.00")  # 3 of 4 → 8 × 0.75
        assert result.explanation.startswith("周期内召开支部党员大会 3 次；目标 4次，完成 75%")
        lectures = measure("life.party_lectures", ids)
        assert lectures[x.id].value == 1 and lectures[y.id].value == 0
        assert _score("life.party_lectures", lectures[x.id]).points == Decimal("2.00")
        life_meetings = measure("life.life_meeting", ids)
        assert [life_meetings[i].value for i in ids] == [1, 0, 0]
        assert _score("life.life_meeting", life_meetings[x.id]).points == Decimal("6.00")
        assert _score("life.life_meeting", life_meetings[y.id]).points == 0
        reviews = measure("life.member_review", ids)
        assert [reviews[i].value for i in ids] == [0, 1, 0]
        # another period, other figures; a target a standard changed
        first_half = measure("life.general_meetings", ids, date(2024, 1, 1), date(2024, 6, 30),
                             params={"target": 2})
        assert first_half[x.id].value == 2
        assert _score("life.general_meetings", first_half[x.id], {"target": 2}).points == Decimal("8.00")
        assert measure("life.theme_days", ids)[x.id].value == 0


def test_committee_meetings_only_where_there_is_a_committee(city, tenant, in_tenant, measure):
    with in_tenant(tenant):
        x, y = city["X"], city["Y"]
        for month in range(1, 7):
            _meeting(x, "committee_meeting", date(2024, month, 10))
        db.session.commit()
        found = measure("life.committee_meetings", [x.id, y.id])
        assert found[x.id].value == 6 and found[x.id].evidence["committee_size"] == 3
        assert _score("life.committee_meetings", found[x.id]).points == Decimal("4.00")
        assert found[y.id].evidence["not_applicable"] is True
        not_applicable = _score("life.committee_meetings", found[y.id])
        assert not_applicable.points == Decimal("8.00")
        assert "未设支委会（在任委员 0 人，不足 3 人）" in not_applicable.explanation
        # a standard that counts a committee from 4 people: X has none any more
        stricter = measure("life.committee_meetings", [x.id], params={"committee_min_size": 4})
        assert stricter[x.id].evidence["not_applicable"] is True


def test_group_meetings_per_group(city, tenant, in_tenant, measure):
    with in_tenant(tenant):
        x, y, g = city["X"], city["Y"], city["G"]
        for month in range(1, 7):
            _meeting(g, "group_meeting", date(2024, month, 5))
        _meeting(g, "group_meeting", date(2023, 12, 5))
        second = orgs.create(name="第二党小组", code="G2", kind="group", parent=x,
                             founded_on=date(2000, 1, 1))
        db.session.flush()
        for month in range(1, 4):
            _meeting(second, "group_meeting", date(2024, month, 6))
        db.session.commit()
        found = measure("life.group_meetings", [x.id, y.id])
        assert found[x.id].value == Decimal("4.50")  # (6 + 3) / 2 groups
        assert found[x.id].evidence == {"groups": 2, "meetings": 9,
                                        "summary": "党小组 2 个，周期内共召开党小组会 9 次，平均每个党小组 4.50 次"}
        assert _score("life.group_meetings", found[x.id]).points == Decimal("1.88")  # 5 × 4.5/12
        assert found[y.id].evidence["not_applicable"] is True
        assert _score("life.group_meetings", found[y.id]).points == Decimal("5.00")


def test_attendance_rate(city, tenant, in_tenant, measure):
    with in_tenant(tenant):
        x, y = city["X"], city["Y"]
        everyone = city["xm"] + city["gm"]
        full = _meeting(x, "general_meeting", date(2024, 3, 1), present=everyone)
        half = _meeting(x, "party_lecture", date(2024, 4, 1), present=everyone[:5], absent=everyone[5:])
        _meeting(x, "theme_day", date(2023, 4, 1), present=[])  # outside the period
        _meeting(x, "committee_meeting", date(2024, 4, 2), present=[])  # not an attendance kind
        db.session.commit()
        assert (full.eligible_count, half.eligible_count, half.present_count) == (10, 10, 5)
        found = measure("life.attendance_rate", [x.id, y.id])
        assert found[x.id].value == Decimal("75.0")
        assert found[x.id].evidence == {"meetings": 2, "eligible": 20, "present": 15}
        result = _score("life.attendance_rate", found[x.id])
        assert result.points == Decimal("5.00")  # 75 of 90 → 6 × 0.8333
        assert "应到 20 人次，实到 15 人次，平均出席率 75%" in result.explanation
        assert found[y.id].value is None and _score("life.attendance_rate", found[y.id]).points == 0
        lectures_only = measure("life.attendance_rate", [x.id], params={"kinds": ["party_lecture"]})
        assert lectures_only[x.id].value == Decimal("50.0")


def _pay(member, months, amount="1.00"):
    for month in months:
        db.session.add(DuesPayment(member_id=member.id, org_id=member.org_id, month=month,
                                   amount=Decimal(amount), channel="cash", paid_on=month))
    db.session.flush()


def test_dues_paid_rate(city, tenant, in_tenant, measure):
    with in_tenant(tenant):
        [d] = make_branches(1, parent=city["C"], prefix="DUES")
        full_year, half_year, late_joiner = add_member(d), add_member(d), add_member(
            d, status="probationary", joined_on=date(2024, 7, 15))
        months = [date(2024, m, 1) for m in range(1, 13)]
        _pay(full_year, months)
        _pay(half_year, months[:6] + [date(2023, 12, 1)])
        _pay(late_joiner, months[6:9])
        db.session.commit()
        found = measure("dues.paid_rate", [d.id, city["Z"].id])
        # due: 12 + 12 + 6 (July–December) = 30; paid 12 + 6 + 3 = 21
        assert found[d.id].value == Decimal("70.0")
        assert found[d.id].evidence == {"members": 3, "months_due": 30, "months_paid": 21,
                                        "months_unpaid": 9}
        result = _score("dues.paid_rate", found[d.id])
        assert result.points == Decimal("7.00") and "未交 9 人·月" in result.explanation
        assert found[city["Z"].id].value is None and found[city["Z"].id].evidence["members"] == 0
        # members of the branch's 党小组 count for the branch
        x = measure("dues.paid_rate", [city["X"].id])[city["X"].id]
        assert x.evidence["members"] == 10 and x.value == 0


def test_dues_do_not_count_the_month_still_running(city, tenant, in_tenant, measure):
    with in_tenant(tenant):
        [d] = make_branches(1, parent=city["C"], prefix="NOW")
        member = add_member(d)
        this_month = month_start(date.today())
        _pay(member, [add_months(this_month, -2), add_months(this_month, -1)])
        db.session.commit()
        found = measure("dues.paid_rate", [d.id], add_months(this_month, -2),
                        date.today() + timedelta(days=60))
        assert found[d.id].value == Decimal("100.0") and found[d.id].evidence["months_due"] == 2


def test_org_setup_checklist(city, tenant, in_tenant, measure):
    with in_tenant(tenant):
        x, y = city["X"], city["Y"]
        [big] = make_branches(1, parent=city["C"], prefix="BIG")
        for _ in range(51):
            add_member(big)
        big.term_started_on, big.term_years = date(2023, 6, 1), 5
        db.session.commit()
        found = measure("orgs.setup", [x.id, y.id, big.id])
        assert dict(found[x.id].items) == {"书记在任": True, "按规定设立支委会": True, "按期换届": True,
                                           "党员规模适当": True}
        assert found[x.id].evidence["full_members"] == 10 and found[x.id].evidence["members"] == 10
        assert found[x.id].evidence["term_ends"] == "2026-01-01"
        assert _score("orgs.setup", found[x.id]).points == Decimal("15.00")
        # Y: no secretary, term ended 2023-01-01; 2 members need no committee
        assert dict(found[y.id].items) == {"书记在任": False, "按规定设立支委会": True, "按期换届": False,
                                           "党员规模适当": True}
        result = _score("orgs.setup", found[y.id])
        assert result.points == Decimal("7.50")
        assert "未达项：书记在任、按期换届" in result.explanation
        weighted = _score("orgs.setup", found[y.id], {"weights": {"书记在任": 3}})
        assert weighted.points == Decimal("5.00")  # met 2 of the weights 3 + 1 + 1 + 1 → 2/6 of 15
        # 51 members, no committee, a five-year term of its own
        assert dict(found[big.id].items) == {"书记在任": False, "按规定设立支委会": False, "按期换届": True,
                                             "党员规模适当": False}
        assert found[big.id].evidence["term_ends"] == "2028-06-01"
        with pytest.raises(Exception) as refused:
            registry.effective_params(registry.tenant_indicators()["orgs.setup"],
                                      {"weights": {"不存在": 1}})
        assert "weights" in str(refused.value)


def _person(org, n):
    return DevelopmentPerson(org_id=org.id, name=f"发展对象{n}", gender="male",
                             birth_date=date(1995, 1, 1), ethnicity="汉族",
                             id_number=f"DEV-{n}", id_number_index=f"dev-{n}",
                             stage="probationary", status="active")


def test_development_indicators(city, tenant, in_tenant, measure):
    with in_tenant(tenant):
        x, y = city["X"], city["Y"]
        recent, old, other = _person(x, 1), _person(x, 2), _person(y, 3)
        db.session.add_all([recent, old, other])
        db.session.flush()
        db.session.add_all([
            DevelopmentStep(person_id=recent.id, code=17, done_on=date(2023, 5, 1)),
            DevelopmentStep(person_id=old.id, code=17, done_on=date(2021, 12, 31)),
            DevelopmentStep(person_id=other.id, code=15, done_on=date(2024, 5, 1)),
            DevelopmentStep(person_id=recent.id, code=13, done_on=date(2024, 2, 1), override=True,
                            flagged_for_review=True, violated_rules=["pre_review"]),
            DevelopmentStep(person_id=old.id, code=21, done_on=date(2024, 3, 1), override=True),
            DevelopmentStep(person_id=old.id, code=20, done_on=date(2023, 3, 1), override=True),
        ])
        db.session.commit()
        recruited = measure("development.recruited", [x.id, y.id])
        assert recruited[x.id].value == 1 and recruited[y.id].value == 0
        assert recruited[x.id].evidence["since"] == "2022-01-01"
        ok = _score("development.recruited", recruited[x.id])
        assert ok.points == Decimal("5.00") and "近 3 年（2022-01-01 起）发展党员 1 名" in ok.explanation
        assert _score("development.recruited", recruited[y.id]).points == 0
        five_years = measure("development.recruited", [x.id], params={"years": 5})
        assert five_years[x.id].value == 2
        breaches = measure("development.breaches", [x.id, y.id])
        assert breaches[x.id].value == 2 and breaches[x.id].evidence["unreviewed"] == 1
        assert breaches[y.id].value == 0
        result = _score("development.breaches", breaches[x.id])
        assert result.points == Decimal("1.00") and "扣 4 分" in result.explanation


def _warning(org, rule, severity, opened, resolved=None):
    opened_at = datetime.combine(opened, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    resolved_at = (datetime.combine(resolved, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
                   if resolved else None)
    return Warning(rule_key=rule, org_id=org.id, subject_key="", severity=severity, message="测试",
                   figures={}, state="resolved" if resolved else "open", opened_at=opened_at,
                   last_seen_at=opened_at, resolved_at=resolved_at)


def test_open_serious_warnings_at_the_end_of_the_period(city, tenant, in_tenant, measure):
    with in_tenant(tenant):
        x, y, z = city["X"], city["Y"], city["Z"]
        db.session.add_all([
            _warning(x, "a.open", "serious", date(2024, 6, 1)),
            _warning(x, "b.open", "serious", date(2024, 12, 31)),
            _warning(x, "c.resolved_in_time", "serious", date(2024, 2, 1), date(2024, 10, 1)),
            _warning(x, "d.later", "serious", date(2025, 1, 5)),
            _warning(x, "e.minor", "warning", date(2024, 6, 1)),
            _warning(y, "f.resolved_after", "serious", date(2024, 3, 1), date(2025, 2, 1)),
        ])
        db.session.commit()
        found = measure("warnings.open_serious", [x.id, y.id, z.id])
        assert [found[i].value for i in (x.id, y.id, z.id)] == [2, 1, 0]
        assert found[x.id].evidence["rules"] == ["a.open", "b.open"]
        result = _score("warnings.open_serious", found[x.id])
        assert result.points == Decimal("6.00")
        assert "截至周期末（2024-12-31）仍未解除的严重预警 2 条" in result.explanation
        assert _score("warnings.open_serious", found[z.id]).points == Decimal("10.00")
        minor = measure("warnings.open_serious", [x.id], params={"severity": "warning"})
        assert minor[x.id].value == 1
