"""The rural indicators on real records, each over several villages at once (one meeting
the target, one falling short, one without data where the indicator knows "no data"), and
scored the way a cycle scores them."""

from __future__ import annotations

from datetime import date

from core.db import db
from core.plugins import settings as plugin_settings
from core.sdk import NO_DATA
from tests.sectors.rural import builders as b

START, END = date(2024, 1, 1), date(2024, 12, 31)


def _ids(villages, *codes):
    return [villages[c] for c in codes]


def test_collective_income(villages, tenant, in_tenant, org, measure, score_of):
    with in_tenant(tenant):
        b.income(org("A"), 2024, "6.50", "31.00")
        b.income(org("A"), 2023, "1.00")  # another year does not count
        b.income(org("B"), 2024, "3.20")
        found = measure("rural.collective_income", _ids(villages, "A", "B", "Z"), START, END)
        a, bb = found[villages["A"]], found[villages["B"]]
        assert villages["Z"] not in found  # no record for the year: no data
        assert float(a.value) == 6.5 and a.evidence == {"year": 2024, "total": "31 万元"}
        met = score_of("rural.collective_income", a)
        assert met.points == met.weight
        assert met.explanation.startswith("2024 年村级集体经济经营性收入 6.50 万元（总收入：31 万元）")
        assert score_of("rural.collective_income", bb).points == 0
        assert "无数据" in score_of("rural.collective_income", NO_DATA).explanation
        # the default target is the tenant's setting
        plugin_settings.set_overrides("rural", {"collective_income_target_wan": 8})
        db.session.commit()
        assert score_of("rural.collective_income", a).points == 0
        assert score_of("rural.collective_income", a, params={"target": 6}).points == met.weight


def test_service_centre(villages, tenant, in_tenant, org, measure, score_of):
    with in_tenant(tenant):
        b.attributes(org("A"), service_centre_area_m2=320,
                     service_centre_functions=["党员活动", "便民服务", "群众说事", "文化活动", "农家书屋"])
        b.attributes(org("B"), service_centre_area_m2=120, service_centre_functions=["党员活动"])
        b.attributes(org("Z"), households=300)  # nothing about the centre
        found = measure("rural.service_centre", _ids(villages, "A", "B", "Z"), START, END)
        assert villages["Z"] not in found
        a, bb = found[villages["A"]], found[villages["B"]]
        assert all(a.items.values()) and len(a.items) == 5
        assert bb.items == {"场所面积达标": False, "党员活动功能": True, "便民服务功能": False,
                            "群众说事功能": False, "文化活动功能": False}
        full, part = score_of("rural.service_centre", a), score_of("rural.service_centre", bb)
        assert full.points == full.weight and part.points == 1  # 1 of 5 items of 5 points
        assert "党群服务中心面积 120 平方米，功能：党员活动" in part.explanation
        # a city asking for 100 m² and a 农家书屋 only
        lenient = measure("rural.service_centre", _ids(villages, "B"), START, END,
                          params={"min_area_m2": 100, "required_functions": ["党员活动"]})
        assert all(lenient[villages["B"]].items.values())


def test_first_secretary(villages, tenant, in_tenant, org, measure, score_of):
    with in_tenant(tenant):
        for code in ("A", "B"):
            b.attributes(org(code), key_village=True)
        b.station(org("A"), "陈立", date(2021, 6, 1), date(2024, 3, 31))
        b.station(org("A"), "周明", date(2024, 4, 1))
        b.station(org("A"), "吴芳", date(2024, 4, 1), role="team_member")
        b.station(org("A"), "郑凯", date(2023, 1, 1), role="team_member")
        b.station(org("B"), "刘强", date(2022, 3, 1), date(2024, 3, 31))
        b.station(org("B"), "赵六", date(2023, 1, 1), date(2024, 6, 30), role="team_member")
        found = measure("rural.first_secretary", _ids(villages, "A", "B", "Z"), START, END)
        a, bb, z = (found[villages[c]] for c in ("A", "B", "Z"))
        assert a.items == {"第一书记在岗": True, "驻村工作队配备": True}
        assert a.evidence["coverage"] == 100.0 and a.evidence["names"] == "陈立、周明"
        assert bb.items == {"第一书记在岗": False, "驻村工作队配备": False}
        assert bb.evidence["coverage"] == 24.9 and bb.evidence["team"] == 0  # 91 of 366 days
        assert z.items == {"第一书记在岗": True, "驻村工作队配备": True}  # not a key village
        assert score_of("rural.first_secretary", bb).points == 0
        explained = score_of("rural.first_secretary", a).explanation
        assert "重点村；第一书记：陈立、周明，在岗 100% 的时间" in explained
        assert "非重点村" in score_of("rural.first_secretary", z).explanation
        # a laxer standard: 20 % of the period, no team required
        lax = measure("rural.first_secretary", _ids(villages, "B"), START, END,
                      params={"min_coverage": 20, "min_team_members": 0})
        assert all(lax[villages["B"]].items.values())


def test_recruitment(villages, tenant, in_tenant, org, add_member, measure, score_of):
    with in_tenant(tenant):
        add_member(org("AG"), status="probationary", joined_on=date(2024, 7, 1))  # in A's group
        add_member(org("B"), joined_on=date(2010, 1, 1))
        b.admit(org("Z"), date(2023, 5, 1))  # recorded by the development process
        b.admit(org("Z"), date(2019, 5, 1))  # too long ago
        found = measure("rural.recruitment", _ids(villages, "A", "B", "Z", "T"), START, END)
        a, bb, z, t = (found[villages[c]] for c in ("A", "B", "Z", "T"))
        assert (a.value, a.evidence["joined"], a.evidence["last"]) == (1, 1, "2024-07-01")
        assert (bb.value, bb.evidence["last"]) == (0, "无")
        assert (z.value, z.evidence["admitted"], z.evidence["last"]) == (1, 1, "2023-05-01")
        assert t.value == 1  # the township counts its villages' recruits (A's, two levels down)
        assert score_of("rural.recruitment", a).points > 0
        assert score_of("rural.recruitment", bb).points == 0
        assert "近 3 年（2022-01-01 起）发展党员 1 名" in score_of("rural.recruitment", z).explanation
        # the years default to the setting no_recruit_years_warning
        plugin_settings.set_overrides("rural", {"no_recruit_years_warning": 1})
        db.session.commit()
        assert measure("rural.recruitment", _ids(villages, "Z"), START, END)[villages["Z"]].value == 0


def test_duty_share(villages, tenant, in_tenant, org, add_member, measure, score_of):
    with in_tenant(tenant):
        secretary = add_member(org("A"))
        b.post(org("A"), secretary)
        a1, a2 = add_member(org("A")), add_member(org("AG"))
        b.duty(org("A"), a1, date(2023, 1, 1))
        b.duty(org("A"), a2, date(2024, 3, 1), name="纠纷调解岗")
        b.duty(org("A"), a2, date(2024, 3, 1), name="村务监督岗")  # two posts count once
        add_member(org("A"), status="mobile")  # away: not expected to hold a post here
        b1, b2, b3 = add_member(org("B")), add_member(org("B")), add_member(org("B"))
        b.duty(org("B"), b1, date(2023, 1, 1))
        b.duty(org("B"), b2, date(2023, 1, 1), date(2024, 6, 30))  # ended before the period's end
        b.duty(org("B"), b3, date(2025, 1, 1))  # not yet
        found = measure("rural.duty_share", _ids(villages, "A", "B", "Z"), START, END)
        assert villages["Z"] not in found  # no members: no data
        a, bb = found[villages["A"]], found[villages["B"]]
        assert (a.value, a.evidence) == (100.0, {"members": 3, "without_post": 2, "with_duty": 2})
        assert (round(bb.value, 2), bb.evidence["with_duty"]) == (33.33, 1)
        assert score_of("rural.duty_share", a).points == score_of("rural.duty_share", a).weight
        partial = score_of("rural.duty_share", bb)
        assert 0 < partial.points < partial.weight
        assert "无职党员 3 名，其中设岗定责 1 名" in partial.explanation


def test_mobile_contact(villages, tenant, in_tenant, org, add_member, measure, score_of):
    with in_tenant(tenant):
        away = add_member(org("AG"), status="mobile", mobile_since=date(2022, 5, 1))
        for month in (2, 5, 8, 11):
            b.contact(org("A"), away, date(2024, month, 10))
        late = add_member(org("A"), status="mobile", mobile_since=date(2024, 11, 1))
        b.contact(org("A"), late, date(2024, 12, 1))  # away two months: once is enough
        seldom = add_member(org("B"), status="mobile", mobile_since=date(2020, 1, 1))
        b.contact(org("B"), seldom, date(2024, 3, 1))
        b.contact(org("B"), seldom, date(2023, 9, 1))  # another year
        add_member(org("B"), status="mobile", mobile_since=date(2020, 1, 1))  # never contacted
        found = measure("rural.mobile_contact", _ids(villages, "A", "B", "Z"), START, END)
        a, bb, z = (found[villages[c]] for c in ("A", "B", "Z"))
        assert (a.value, a.evidence) == (100.0, {"mobile": 2, "contacted": 2})
        assert (bb.value, bb.evidence) == (0.0, {"mobile": 2, "contacted": 0})
        assert (z.value, z.evidence["mobile"]) == (100.0, 0)
        assert score_of("rural.mobile_contact", bb).points == 0
        # twice a year is enough for a laxer city
        lax = measure("rural.mobile_contact", _ids(villages, "B"), START, END, params={"per_year": 1})
        assert lax[villages["B"]].value == 50.0
