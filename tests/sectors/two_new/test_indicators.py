"""The two_new indicators on real register data: for each, an organisation meeting the
target, one falling short and one with no data, scored as a cycle scores them; and a fixed
number of statements whatever the number of organisations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from core.db import db
from core.orgs import service as orgs
from core.orgs import units as org_units
from plugins.two_new.attributes import NINE_HAVES
from tests.sectors.two_new.conftest import TODAY, credit_code, make_comprehensive, org

START, END = date(TODAY.year, 1, 1), TODAY


def test_nine_haves_checklist(area, in_tenant, tenant, measure, score_of):
    from core.sdk import set_org_attributes

    with in_tenant(tenant):
        set_org_attributes(org("XB", area), {"nine_haves": list(NINE_HAVES)})
        set_org_attributes(org("JB", area), {"nine_haves": ["有党旗", "有党建制度", "有会议桌椅"]})
        found = measure("two_new.nine_haves", [area["XB"], area["JB"], area["QB"]], START, END)
        assert area["QB"] not in found  # nothing recorded: no data
        full = score_of("two_new.nine_haves", found[area["XB"]], weight=18)
        assert full.points == Decimal("18.00") and found[area["XB"]].value == 9
        part = score_of("two_new.nine_haves", found[area["JB"]], weight=18)
        assert part.points == Decimal("6.00")
        assert "有党员活动室" in part.explanation and "3/9 项达标" in part.explanation
        weighted = score_of("two_new.nine_haves", found[area["JB"]], weight=18,
                            params={"weights": {"有党旗": 7}})
        assert weighted.points == Decimal("10.80")  # (7 + 1 + 1) of 15 weights, of 18


def test_org_coverage_counts_own_and_small_joint_units_and_rolls_up(area, in_tenant, tenant, unit,
                                                                     measure, score_of):
    with in_tenant(tenant):
        unit(name="甲公司", party_members=6, full_members=5, covered_by_org_id=area["XB"])
        unit(name="乙公司", party_members=2, covered_by_org_id=area["JB"])  # small: joint is fine
        unit(name="丙公司", party_members=4, covered_by_org_id=area["JB"])  # 4 full: needs its own
        unit(name="丁公司", party_members=0)  # no members: not counted
        unit("QX", name="戊公司", party_members=3, covered_by_org_id=area["QB"])
        unit("OT", name="己协会", kind="social_organisation", party_members=0)
        found = measure("two_new.org_coverage", [area["LX"], area["QX"], area["OT"]], START, END)
        assert area["OT"] not in found  # no unit with members: no data
        assert found[area["QX"]].value == 100.0
        lx = found[area["LX"]]
        assert (lx.value, lx.evidence["units"], lx.evidence["covered"]) == (75.0, 4, 3)
        assert "丙公司" in lx.evidence["missing"]
        scored = score_of("two_new.org_coverage", lx, weight=20)
        assert scored.points == Decimal("15.00") and "丙公司" in scored.explanation
        assert score_of("two_new.org_coverage", found[area["QX"]], weight=20).points == Decimal("20.00")
        # a city that lets units of 5 form a joint branch: 丙 is covered as asked
        lenient = measure("two_new.org_coverage", [area["LX"]], START, END, params={"min_full_members": 5})
        assert lenient[area["LX"]].value == 100.0


def test_work_coverage_counts_instructors_in_post(area, in_tenant, tenant, unit, instructor,
                                                  measure, score_of):
    with in_tenant(tenant):
        zhang = instructor(person_name="张指导")
        wang = instructor(person_name="王指导")
        unit(name="甲公司", party_members=3, covered_by_org_id=area["XB"])
        unit(name="乙公司", instructor_id=zhang.id)
        unit(name="丙公司", instructor_id=wang.id)
        unit(name="丁公司")
        unit(name="戊公司", closed_on=TODAY - timedelta(days=1))  # closed: out of the counts
        wang.ended_on = TODAY - timedelta(days=10)
        unit("QX", name="区企业", covered_by_org_id=area["QB"])
        unit("OT", name="己公司", kind="social_organisation")
        db.session.flush()
        found = measure("two_new.work_coverage", [area["LX"], area["QX"], area["OT"], area["XB"]],
                        START, END)
        assert area["XB"] not in found  # keeps no register: no data
        assert found[area["QX"]].value == 100.0
        assert score_of("two_new.work_coverage", found[area["OT"]], weight=10).points == 0
        lx = found[area["LX"]]  # 区企业 below counts too
        assert (lx.value, lx.evidence["units"], lx.evidence["covered"]) == (60.0, 5, 3)
        assert score_of("two_new.work_coverage", lx, weight=10).points == Decimal("6.00")
        # measured as of a day when 王 was still in post (丙 counts) and 戊 not yet closed
        earlier = measure("two_new.work_coverage", [area["LX"]], START, TODAY - timedelta(days=20))
        assert (earlier[area["LX"]].value, earlier[area["LX"]].evidence["units"]) == (round(400 / 6, 2), 6)


def test_group_coverage(area, in_tenant, tenant, group, measure, score_of):
    with in_tenant(tenant):
        make_comprehensive(area, "LX", covers=["courier"])
        make_comprehensive(area, "QX")
        group(name="某快递", kind="courier", covering_org_id=area["LX"], workers=300)
        group(name="某外卖", kind="delivery_rider", workers=500)
        group("QX", name="区网约车", kind="ride_hailing", covering_org_id=area["QX"], workers=80)
        found = measure("two_new.group_coverage", [area["LX"], area["QX"], area["OT"]], START, END)
        assert area["OT"] not in found
        lx = found[area["LX"]]
        assert (lx.value, lx.evidence["groups"], lx.evidence["covered"]) == (round(200 / 3, 2), 3, 2)
        assert lx.evidence["missing"] == "某外卖"
        assert score_of("two_new.group_coverage", found[area["QX"]], weight=10).points == Decimal("10.00")
        # the committee stops being comprehensive: its groups are no longer covered
        from core.sdk import set_org_attributes

        set_org_attributes(org("QX", area), {"comprehensive": False, "covers_groups": []})
        again = measure("two_new.group_coverage", [area["QX"]], START, END)
        assert again[area["QX"]].value == 0


def test_instructor_in_post(area, in_tenant, tenant, unit, instructor, measure, score_of):
    with in_tenant(tenant):
        zhang = instructor(person_name="张指导")
        li = instructor(person_name="李指导")
        unit(name="甲公司", covered_by_org_id=area["XB"], instructor_id=zhang.id)
        unit(name="乙公司", covered_by_org_id=area["JB"], instructor_id=li.id)
        unit(name="丙公司", covered_by_org_id=area["JB"])
        li.ended_on = TODAY - timedelta(days=5)
        db.session.flush()
        found = measure("two_new.instructor", [area["XB"], area["JB"], area["QB"]], START, END)
        assert area["QB"] not in found  # covers no registered unit
        met = score_of("two_new.instructor", found[area["XB"]], weight=6)
        assert met.points == Decimal("6.00") and "张指导" in met.explanation
        short = score_of("two_new.instructor", found[area["JB"]], weight=6)
        assert short.points == 0 and found[area["JB"]].evidence["units"] == 2


def test_joint_branch_size_counts_register_and_core_units_once(area, in_tenant, tenant, unit,
                                                               measure, score_of):
    with in_tenant(tenant):
        for n in range(5):
            unit(name=f"园区企业{n}", credit_code=credit_code(n + 1), covered_by_org_id=area["JB"])
        joint = org("JB", area)
        # one core unit is a register unit again (same code), one is not in the register
        org_units.create(joint, name="园区企业0（重复）", unit_type="enterprise", credit_code=credit_code(1))
        org_units.create(joint, name="园区外卖站", unit_type="enterprise")
        unit(name="星光科技", covered_by_org_id=area["XB"])
        db.session.flush()
        found = measure("two_new.joint_branch_size", [area["JB"], area["XB"], area["QB"]], START, END)
        assert area["QB"] not in found
        assert (found[area["JB"]].value, found[area["JB"]].evidence["units"]) == (1, 6)
        assert score_of("two_new.joint_branch_size", found[area["JB"]], weight=6).points == Decimal("1.00")
        assert score_of("two_new.joint_branch_size", found[area["XB"]], weight=6).points == Decimal("6.00")
        roomy = measure("two_new.joint_branch_size", [area["JB"]], START, END, params={"max_units": 6})
        assert roomy[area["JB"]].value == 0


def test_role_played_is_scored_by_the_assessor(area, in_tenant, tenant, score_of):
    from core.assessment import registry

    with in_tenant(tenant):
        indicator = registry.tenant_indicators()["two_new.role_played"]
        assert indicator.scoring == "manual" and indicator.measure is None


def test_indicators_use_a_fixed_number_of_statements(area, in_tenant, tenant, unit, instructor,
                                                     group, measure, count_statements):
    from core.sdk import set_org_attributes

    with in_tenant(tenant):
        committees, branches = [], []
        lx = org("LX", area)
        zhang = instructor(person_name="张指导")
        for n in range(30):
            committee = orgs.create(name=f"综合党委{n}", code=f"C{n}", kind="committee", parent=lx,
                                    sector="two_new", attributes={"comprehensive": True})
            branch = orgs.create(name=f"企业党支部{n}", code=f"B{n}", kind="joint_branch",
                                 parent=committee, sector="two_new",
                                 attributes={"nine_haves": list(NINE_HAVES[: n % 9])})
            db.session.flush()
            for k in range(2):
                unit(committee.id, name=f"企业{n}-{k}", party_members=k + 2,
                     covered_by_org_id=branch.id if k else None, instructor_id=zhang.id)
            org_units.create(branch, name=f"站点{n}", unit_type="enterprise")
            group(committee.id, name=f"骑手{n}", kind="delivery_rider", covering_org_id=committee.id)
            committees.append(committee.id)
            branches.append(branch.id)
        set_org_attributes(org("XB", area), {"nine_haves": ["有党旗"]})
        db.session.flush()
        keys = {"two_new.nine_haves": branches, "two_new.org_coverage": committees,
                "two_new.work_coverage": committees, "two_new.group_coverage": committees,
                "two_new.instructor": branches, "two_new.joint_branch_size": branches}
        for key, ids in keys.items():
            measure(key, ids[:3], START, END)  # warm any per-tenant cache
            with count_statements() as few:
                small = measure(key, ids[:3], START, END)
            with count_statements() as many:
                large = measure(key, ids, START, END)
            assert len(few) == len(many), (key, few, many)
            assert len(large) >= len(small), key
