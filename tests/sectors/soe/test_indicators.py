"""Each soe indicator on real records: an organisation meeting the target, one falling short,
one without data — on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.db import db
from core.plugins import settings as plugin_settings
from tests.sectors.soe import builders as b

START, END = date(2024, 1, 1), date(2024, 12, 31)


def _points(score_of, key, measurement, params=None):
    return score_of(key, measurement, params).points


def test_charter(tenant, in_tenant, org, measure, score_of):
    with in_tenant(tenant):
        b.attributes(org("C"), **b.ENTERPRISE)
        b.attributes(org("J"), enterprise_level="second", charter_includes_party_building=False)
        db.session.commit()
        found = measure("soe.charter", [org(c).id for c in "CJG"], START, END)
        good, bad, none = found[org("C").id], found[org("J").id], found[org("G").id]
        assert good.value == 3 and all(good.items.values())
        assert _points(score_of, "soe.charter", good) == Decimal("10.00")
        assert bad.value == 0 and not any(bad.items.values())
        assert _points(score_of, "soe.charter", bad) == Decimal("0.00")
        assert none.value is None and none.items == {}
        assert "未登记企业层级" in score_of("soe.charter", none).explanation
        # an amendment after the period does not count for it
        early = measure("soe.charter", [org("C").id], date(2017, 1, 1), date(2017, 12, 31))
        assert early[org("C").id].items["章程修订日期已登记"] is False


def test_prior_review(tenant, in_tenant, org, measure, score_of):
    with in_tenant(tenant):
        c, j = org("C"), org("J")
        b.decision(c, "发展规划", date(2024, 3, 1), date(2024, 3, 8))
        b.decision(c, "年度预算", date(2024, 5, 10), date(2024, 5, 10))  # the same day is in time
        b.decision(j, "棚改项目", date(2024, 4, 1), date(2024, 4, 9))
        b.decision(j, "发行中期票据", None, date(2024, 6, 1), category="large_fund")
        b.decision(j, "收购综合体", date(2024, 7, 1), None, outcome="withdrawn")  # not decided
        b.decision(j, "上年事项", None, date(2023, 12, 1))  # outside the period
        db.session.commit()
        found = measure("soe.prior_review", [org(x).id for x in "CJG"], START, END)
        good, bad, none = found[c.id], found[j.id], found[org("G").id]
        assert good.value == 100 and _points(score_of, "soe.prior_review", good) == Decimal("12.00")
        assert bad.value == 50 and bad.evidence["unreviewed"] == 1 and bad.evidence["titles"] == "发行中期票据"
        assert _points(score_of, "soe.prior_review", bad) == Decimal("6.00")
        assert none.value is None and none.evidence["decided"] == 0
        assert _points(score_of, "soe.prior_review", none) == Decimal("0.00")
        assert "按无数据计" in score_of("soe.prior_review", none).explanation
        # a study on the day of the decision is late when three days are required
        strict = measure("soe.prior_review", [c.id], START, END, {"min_days": 3})[c.id]
        assert strict.value == 50 and strict.evidence["late"] == 1


def test_cross_appointment(tenant, in_tenant, org, measure, score_of):
    with in_tenant(tenant):
        c, j = org("C"), org("J")
        b.attributes(c, **b.ENTERPRISE)
        b.full_leadership(c)
        b.attributes(j, enterprise_level="second", has_board=True, employees=500)
        b.appoint(j, "赵书记", "secretary", None)
        b.appoint(j, "钱董事长", None, "chairman")
        b.appoint(j, "孙委员", "committee_member", "deputy_general_manager", ended_on=date(2024, 6, 1))
        db.session.commit()
        found = measure("soe.cross_appointment", [org(x).id for x in "CJG"], START, END)
        good, bad, none = found[c.id], found[j.id], found[org("G").id]
        assert good.items == {"党委书记、董事长一肩挑": True, "党委委员进入董事会、经理层": True,
                              "按规定配备专职副书记": True}
        assert _points(score_of, "soe.cross_appointment", good) == Decimal("10.00")
        assert good.evidence["secretary"] == "张书记" and good.evidence["cross"] == 2
        # 500 employees: no full-time deputy expected; the member who left no longer counts
        assert bad.items == {"党委书记、董事长一肩挑": False, "党委委员进入董事会、经理层": False}
        assert _points(score_of, "soe.cross_appointment", bad) == Decimal("0.00")
        assert none.value is None
        # as of the middle of the year the committee member still sat in management
        mid = measure("soe.cross_appointment", [j.id], START, date(2024, 5, 31))[j.id]
        assert mid.items["党委委员进入董事会、经理层"] is True


def test_performance_link(tenant, in_tenant, org, measure, score_of):
    with in_tenant(tenant):
        c, j = org("C"), org("J")
        b.link(c, 2024, "15", score="92.5")
        b.link(j, 2024, "5", salary=False)
        b.link(org("G"), 2023, "20")  # another year
        db.session.commit()
        found = measure("soe.performance_link", [org(x).id for x in "CJG"], START, END)
        good, bad, none = found[c.id], found[j.id], found[org("G").id]
        assert good.value == 15 and _points(score_of, "soe.performance_link", good) == Decimal("8.00")
        assert good.evidence["party_score"] == "92.50"
        assert bad.value == 5 and _points(score_of, "soe.performance_link", bad) == Decimal("0.00")
        assert none.value is None and "未登记" in score_of("soe.performance_link", none).explanation
        # the target defaults from the tenant's setting
        plugin_settings.set_overrides("soe", {"performance_link_min_weight_pct": 20})
        db.session.commit()
        assert score_of("soe.performance_link", good).points == Decimal("0.00")


def test_vanguard_coverage(tenant, in_tenant, org, measure, score_of, add_member, make_org):
    with in_tenant(tenant):
        a, bb = org("A"), org("B")
        first, second = add_member(a), add_member(a)
        add_member(a, status="probationary", joined_on=date(2023, 5, 1))
        in_group = add_member(org("AG"))
        add_member(a, status="mobile")  # away: not in the base
        b.vanguard(a, first)
        b.vanguard(a, in_group, kind="responsibility_area")
        b.vanguard(a, second, ended_on=date(2024, 6, 1))  # ended before the period's end
        for member in (add_member(bb), add_member(bb)):
            b.vanguard(bb, member)
        empty = make_org("市城投集团第三党支部", parent=org("C"), sector="soe")
        db.session.commit()
        found = measure("soe.vanguard_coverage", [a.id, bb.id, empty.id], START, END)
        short, good, none = found[a.id], found[bb.id], found[empty.id]
        assert short.value == 50 and short.evidence == {"members": 4, "covered": 2, "as_of": "2024-12-31"}
        assert _points(score_of, "soe.vanguard_coverage", short) == Decimal("15.00")  # 50 / 60 of 18
        assert good.value == 100 and _points(score_of, "soe.vanguard_coverage", good) == Decimal("18.00")
        assert none.value is None and _points(score_of, "soe.vanguard_coverage", none) == Decimal("0.00")


def test_innovation_projects(tenant, in_tenant, org, measure, score_of, add_member, make_org):
    with in_tenant(tenant):
        a, bb = org("A"), org("B")
        people = [add_member(a), add_member(org("AG"))]
        b.innovation(a, people, date(2024, 9, 1))
        b.innovation(bb, [add_member(bb)], date(2023, 9, 1))  # last year
        empty = make_org("市城投集团第三党支部", parent=org("C"), sector="soe")
        db.session.commit()
        found = measure("soe.innovation_projects", [a.id, bb.id, empty.id], START, END)
        assert found[a.id].value == 1 and found[a.id].evidence == {"members": 2}
        assert _points(score_of, "soe.innovation_projects", found[a.id]) == Decimal("15.00")
        assert found[bb.id].value == 0
        assert _points(score_of, "soe.innovation_projects", found[bb.id]) == Decimal("0.00")
        assert found[empty.id].value == 0
