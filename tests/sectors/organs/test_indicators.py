"""The organs indicators on real records: an organisation meeting each, one falling short, one
with no data; an organisation under a 机关党委 measured on its organ's records; and the
statement count, the same for 3 and for 30 organisations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.db import db
from core.dues import finance
from core.dues.models import FinanceRole
from core.orgs import units
from plugins.organs import service
from plugins.organs.settings import DEFAULT_MODEL_CRITERIA
from tests.sectors.organs.conftest import END, PLUGIN, START, YEAR, org


def _attributes(org_id, **values):
    from core.sdk import set_org_attributes

    set_org_attributes(org(org_id), values)


# -- 机关党务干部配备 ----------------------------------------------------------------------------


def test_staffing(organs_city, tenant, in_tenant, measure, score_of):
    c = organs_city
    with in_tenant(tenant):
        _attributes(c["A"], staff_total=120, party_office_full_time=2, party_office_part_time=1,
                    party_office_head="张三")
        _attributes(c["B"], staff_total=120, party_office_full_time=1)
        # 丁局: 40 staff, below the minimum organ size: no full-time cadre needed
        _attributes(c["P"], staff_total=40, party_office_part_time=1)
        found = measure("organs.party_office_staffing", [c["A"], c["B"], c["C"], c["D"]], START, END)
        a, b, none, d = (found[c[k]] for k in "ABCD")
        assert a.value == 3 and all(a.items.values())
        assert score_of("organs.party_office_staffing", a).points == 5
        assert b.value == 1 and b.items == {"专职党务干部达到配备比例": False, "配备党务干部": True,
                                             "明确党建办负责人": False}
        assert b.evidence["required"] == 2  # ceil(120 × 1 %)
        assert none.value is None and none.evidence["staff"] == "未录入"
        assert score_of("organs.party_office_staffing", none).points == 0
        # the office branch reads its organ's (丁局机关党委's) figures, and says so
        assert d.value == 2 and d.evidence["required"] == 0 and "丁局机关党委" in d.evidence["source"]
        explained = score_of("organs.party_office_staffing", b).explanation
        assert "在编 120 人" in explained and "应配 2 人" in explained

        # a standard's parameters beat the settings; a unit's staff counts without the attribute
        strict = measure("organs.party_office_staffing", [c["A"]], START, END,
                         params={"ratio_percent": 3})
        assert strict[c["A"]].items["专职党务干部达到配备比例"] is False
        units.create(org(c["C"]), name="丙局", unit_type="government_organ",
                     attributes={"staff_total": 60, "internal_departments": 8})
        db.session.flush()
        unit_based = measure("organs.party_office_staffing", [c["C"]], START, END)[c["C"]]
        assert unit_based.evidence["staff"] == 60 and unit_based.items["专职党务干部达到配备比例"] is False


def test_staffing_ratio_follows_the_tenant_setting(organs_city, tenant, in_tenant, measure):
    from core.plugins import settings as plugin_settings

    c = organs_city
    with in_tenant(tenant):
        _attributes(c["A"], staff_total=30, party_office_full_time=0, party_office_part_time=2)
        assert measure("organs.party_office_staffing", [c["A"]], START, END)[c["A"]] \
            .items["专职党务干部达到配备比例"] is True
        plugin_settings.set_overrides(PLUGIN, {"party_staff_min_organ_size": 20})
        db.session.flush()
        assert measure("organs.party_office_staffing", [c["A"]], START, END)[c["A"]] \
            .items["专职党务干部达到配备比例"] is False


# -- 模范机关创建 ---------------------------------------------------------------------------------


def test_model_organ(organs_city, tenant, in_tenant, measure, score_of):
    c = organs_city
    with in_tenant(tenant):
        service.create_assessment(org(c["A"]), {"year": YEAR, "criteria": dict.fromkeys(DEFAULT_MODEL_CRITERIA, True)})
        service.create_assessment(org(c["B"]), {"year": YEAR, "criteria": {"政治建设作表率": True, "作风建设": True}})
        service.create_assessment(org(c["P"]), {"year": YEAR, "criteria": {"组织建设": True}})
        service.create_assessment(org(c["C"]), {"year": YEAR - 1, "criteria": dict.fromkeys(DEFAULT_MODEL_CRITERIA, True)})
        found = measure("organs.model_organ", [c["A"], c["B"], c["C"], c["D"]], START, END)
        assert found[c["A"]].value == 8 and score_of("organs.model_organ", found[c["A"]]).points == 10
        assert found[c["B"]].value == 2
        assert score_of("organs.model_organ", found[c["B"]]).points == Decimal("2.50")
        # last year's assessment does not count for this year
        assert found[c["C"]].value is None and not any(found[c["C"]].items.values())
        assert score_of("organs.model_organ", found[c["C"]]).points == 0
        assert "未开展自评" in score_of("organs.model_organ", found[c["C"]]).explanation
        assert found[c["D"]].value == 1 and "丁局机关党委" in found[c["D"]].evidence["source"]
        # weights over the criteria; an unknown criterion in the weights is refused
        weighted = score_of("organs.model_organ", found[c["B"]], params={"weights": {"政治建设作表率": 7}})
        assert weighted.points == Decimal("5.71")  # 8 of 14 weight
        from marshmallow import ValidationError

        with pytest.raises(ValidationError):
            measure("organs.model_organ", [c["A"]], START, END, params={"weights": {"不存在": 1}})


# -- 一机关一品牌 ---------------------------------------------------------------------------------


def _brand(org_id, milestones):
    brand = service.create_brand(org(org_id), {"name": f"品牌{org_id.hex[:4]}", "status": "active",
                                                "started_on": date(2023, 1, 1)})
    for title, due_on, done_on in milestones:
        service.add_milestone(brand, org(org_id), {"title": title, "due_on": due_on, "done_on": done_on,
                                                   "evidence": "佐证" if done_on else None})
    return brand


def test_brand(organs_city, tenant, in_tenant, measure, score_of):
    c = organs_city
    with in_tenant(tenant):
        _brand(c["A"], [("方案", date(2024, 3, 1), date(2024, 2, 20)),
                        ("挂牌", date(2024, 6, 1), date(2024, 6, 1)),
                        ("去年的", date(2023, 6, 1), None)])
        _brand(c["B"], [("方案", date(2024, 3, 1), date(2024, 3, 5)),  # late
                        ("挂牌", date(2024, 6, 1), None),  # never done
                        ("宣讲", date(2024, 9, 1), date(2024, 8, 1)),
                        ("评估", date(2024, 11, 1), date(2024, 10, 1))])
        _brand(c["P"], [])
        found = measure("organs.brand", [c["A"], c["B"], c["C"], c["D"]], START, END)
        assert found[c["A"]].value == 100 and score_of("organs.brand", found[c["A"]]).points == 10
        assert found[c["B"]].value == 50 and found[c["B"]].evidence["late"] == "方案、挂牌"
        assert score_of("organs.brand", found[c["B"]]).points == 5
        assert found[c["C"]].value == 0 and "未创建" in score_of("organs.brand", found[c["C"]]).explanation
        # the office branch shares 丁局's brand, which has nothing due: 100 %
        assert found[c["D"]].value == 100 and "丁局机关党委" in found[c["D"]].evidence["source"]
        # grace days make the late one on time
        graced = measure("organs.brand", [c["B"]], START, END, params={"grace_days": 5})
        assert graced[c["B"]].value == 75


# -- 党建与业务融合 --------------------------------------------------------------------------------


def _goal(org_id, status, measure_text="党员先锋岗", year=YEAR):
    service.create_goal(org(org_id), {"year": year, "business_goal": f"目标{status}",
                                      "party_measure": measure_text, "status": status,
                                      "reviewed_on": date(year, 12, 1) if status in ("done", "missed") else None})


def test_business_integration(organs_city, tenant, in_tenant, measure, score_of):
    c = organs_city
    with in_tenant(tenant):
        _goal(c["A"], "done")
        _goal(c["A"], "on_track")
        for status in ("done", "missed", "planned"):
            _goal(c["B"], status)
        _goal(c["B"], "done", measure_text="  ")  # no Party measure: does not count
        _goal(c["C"], "done", year=YEAR - 1)
        found = measure("organs.business_integration", [c["A"], c["B"], c["C"]], START, END)
        assert found[c["A"]].value == 100 and score_of("organs.business_integration", found[c["A"]]).points == 10
        assert found[c["B"]].value == 25 and found[c["B"]].evidence["with_measure"] == 3
        assert found[c["C"]].value == 0 and found[c["C"]].evidence["goals"] == 0
        assert score_of("organs.business_integration", found[c["C"]]).points == 0
        # a city asking for at least 4 goals: A's 2 goals are half of it
        assert measure("organs.business_integration", [c["A"]], START, END,
                       params={"min_goals": 4})[c["A"]].value == 50


# -- 党费财务人员 ----------------------------------------------------------------------------------


def test_dues_finance(organs_city, tenant, in_tenant, measure, score_of, add_member):
    c = organs_city
    with in_tenant(tenant):
        _attributes(c["B"], party_office_head="王会计")
        a1, a2 = add_member(org(c["A"])), add_member(org(c["A"]))
        finance.assign(org(c["A"]), role="accountant", since=date(2023, 1, 1), member_id=a1.id, qualified=True)
        finance.assign(org(c["A"]), role="cashier", since=date(2023, 1, 1), member_id=a2.id, qualified=True)
        # B: one person holds both (as an import may leave it), unqualified, and is the office head
        for role in ("accountant", "cashier"):
            db.session.add(FinanceRole(org_id=c["B"], role=role, person_name="王会计", qualified=False,
                                       since=date(2023, 1, 1)))
        # 丁局机关党委 keeps the dues for its branches; an ended role does not count
        finance.assign(org(c["P"]), role="accountant", since=date(2023, 1, 1), person_name="李", qualified=True)
        old = finance.assign(org(c["P"]), role="cashier", since=date(2023, 1, 1), person_name="赵", qualified=True)
        db.session.flush()
        finance.end(old, date(2024, 6, 30))
        db.session.flush()
        found = measure("organs.dues_finance", [c["A"], c["B"], c["C"], c["D"]], START, END)
        assert found[c["A"]].value == 5 and score_of("organs.dues_finance", found[c["A"]]).points == 5
        assert found[c["B"]].items == {"会计在岗": True, "出纳在岗": True, "会计出纳分设": False,
                                       "具备财务资格": False, "非党建办负责人兼任": False}
        assert found[c["C"]].value == 0 and found[c["C"]].evidence["accountant"] == "未配备"
        assert score_of("organs.dues_finance", found[c["C"]]).points == 0
        d = found[c["D"]]
        assert d.items["会计在岗"] and not d.items["出纳在岗"] and "丁局机关党委" in d.evidence["source"]
        # measured at the middle of the year, the cashier was still in post
        mid = measure("organs.dues_finance", [c["D"]], START, date(2024, 6, 1))[c["D"]]
        assert mid.value == 5


# -- statement counts --------------------------------------------------------------------------------

KEYS = ("organs.party_office_staffing", "organs.model_organ", "organs.brand",
        "organs.business_integration", "organs.dues_finance")


@pytest.fixture
def two_sizes(sector_tenant, tenant, in_tenant, make_org, add_member):
    sector_tenant(PLUGIN)
    with in_tenant(tenant):
        committee = make_org("工委", kind="committee", sector=PLUGIN)
        made = []
        for n in range(33):
            branch = make_org(f"第{n}局机关党支部", parent=committee, sector=PLUGIN,
                              attributes={"staff_total": 60 + n, "party_office_full_time": n % 2,
                                          "party_office_head": f"负责人{n}"})
            if n % 3 == 0:  # some under a 机关党委 of their own
                organ = make_org(f"第{n}局机关党委", kind="committee", parent=committee, sector=PLUGIN,
                                 attributes={"organ_name": f"第{n}局", "staff_total": 200})
                branch = make_org(f"第{n}局处室党支部", parent=organ, sector=PLUGIN)
            brand = service.create_brand(branch, {"name": f"品牌{n}", "status": "active",
                                                   "started_on": date(2023, 1, 1)})
            service.add_milestone(brand, branch, {"title": "节点", "due_on": date(2024, 5, 1),
                                                  "done_on": date(2024, 4, 1) if n % 2 else None,
                                                  "evidence": "佐证" if n % 2 else None})
            service.create_assessment(branch, {"year": YEAR, "criteria": {"组织建设": bool(n % 2)}})
            _goal(branch.id, "done" if n % 2 else "missed")
            member = add_member(branch)
            finance.assign(branch, role="accountant", since=date(2023, 1, 1), member_id=member.id)
            made.append(branch.id)
        db.session.commit()
    return made[:3], made[3:]


@pytest.mark.parametrize("key", KEYS)
def test_statements_do_not_grow_with_organisations(key, two_sizes, tenant, in_tenant, count_statements):
    from tests.assessment.conftest import prepare

    few, many = two_sizes
    with in_tenant(tenant):
        counts = []
        for ids in (few, many):
            indicator, ctx = prepare(key, ids)
            indicator.measure(ctx)  # warm-up
            with count_statements() as seen:
                found = indicator.measure(ctx)
            counts.append(len(seen))
            assert set(found) == set(ids)
        assert counts[0] == counts[1], counts
