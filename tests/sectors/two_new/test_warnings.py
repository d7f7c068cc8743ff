"""The two_new warning rules fire on real register data and clear when it is fixed (each
swept twice), only for active two_new organisations; and they take a fixed number of
statements whatever the size of the register."""

from __future__ import annotations

from datetime import timedelta

from core.db import db
from core.orgs import service as orgs
from core.orgs import tree
from core.orgs import units as org_units
from plugins.two_new import service
from tests.sectors.two_new.conftest import TODAY, make_comprehensive, org


def test_should_form_branch(area, in_tenant, tenant, unit, sweep):
    with in_tenant(tenant):
        big = unit(name="恒通物流", party_members=5, full_members=4)
        joint = unit(name="仁爱养老", kind="social_organisation", party_members=3,
                     covered_by_org_id=area["JB"])
        unit(name="小微企业", party_members=2, full_members=2)
        unit(name="星光科技", party_members=8, covered_by_org_id=area["XB"])
        db.session.commit()
        found = sweep("two_new.should_form_branch", TODAY)
        assert set(found) == {(area["LX"], None)}
        figures = found[(area["LX"], None)]
        assert figures["count"] == 2 and figures["min_full_members"] == 3
        assert "恒通物流（正式党员 4 人）" in figures["units"] and "仁爱养老" in figures["units"]
        assert "恒通物流" in figures["_message"] and "应建尽建" in figures["_message"]
        # 恒通 forms its own branch; 仁爱's members drop to 2 (a joint branch is then enough)
        own = orgs.create(name="恒通物流党支部", code="HT", kind="branch", parent=org("LX", area),
                          sector="two_new")
        db.session.flush()
        service.update_unit(big, org("LX", area), {"covered_by_org_id": own.id})
        service.update_unit(joint, org("LX", area), {"party_members": 2, "full_members": 2})
        db.session.commit()
        assert sweep("two_new.should_form_branch", TODAY) == {}


def test_uncovered_units(area, in_tenant, tenant, unit, instructor, sweep):
    with in_tenant(tenant):
        bare = unit(name="博远教育")
        unit(name="星光科技", covered_by_org_id=area["XB"])
        unit("OT", name="另一单位")
        db.session.commit()
        found = sweep("two_new.uncovered", TODAY)
        assert set(found) == {(area["LX"], None), (area["OT"], None)}
        assert found[(area["LX"], None)]["units"] == "博远教育"
        zhang = instructor(person_name="张指导")
        service.update_unit(bare, org("LX", area), {"instructor_id": zhang.id})
        # the other committee is dissolved: its register is no longer checked
        tree.dissolve(org("OT", area), on=TODAY, reason="撤销")
        db.session.commit()
        assert sweep("two_new.uncovered", TODAY) == {}


def test_joint_branch_oversize(area, in_tenant, tenant, unit, sweep):
    with in_tenant(tenant):
        made = [unit(name=f"园区企业{n}", covered_by_org_id=area["JB"]) for n in range(5)]
        org_units.create(org("JB", area), name="园区外卖站", unit_type="enterprise")
        db.session.commit()
        found = sweep("two_new.joint_branch_oversize", TODAY)
        assert set(found) == {(area["JB"], None)}
        assert (found[(area["JB"], None)]["units"], found[(area["JB"], None)]["max_units"]) == (6, 5)
        service.update_unit(made[0], org("LX", area), {"covered_by_org_id": area["XB"]})
        db.session.commit()
        assert sweep("two_new.joint_branch_oversize", TODAY) == {}


def test_group_uncovered(area, in_tenant, tenant, group, sweep):
    with in_tenant(tenant):
        make_comprehensive(area, "LX", covers=["courier"])
        group(name="某快递", kind="courier", covering_org_id=area["LX"], workers=300)
        riders = group(name="某外卖", kind="delivery_rider", workers=500)
        db.session.commit()
        found = sweep("two_new.group_uncovered", TODAY)
        assert set(found) == {(area["LX"], None)}
        assert found[(area["LX"], None)]["workers"] == 500
        assert "某外卖（500 人）" in found[(area["LX"], None)]["_message"]
        make_comprehensive(area, "LX", covers=["courier", "delivery_rider"])
        service.update_group(riders, org("LX", area), {"covering_org_id": area["LX"]})
        db.session.commit()
        assert sweep("two_new.group_uncovered", TODAY) == {}


def test_instructor_no_successor(area, in_tenant, tenant, unit, instructor, sweep):
    with in_tenant(tenant):
        liu = instructor(person_name="刘志刚")
        association = unit(name="青年创业协会", kind="social_organisation", instructor_id=liu.id)
        service.update_instructor(liu, {"ended_on": TODAY - timedelta(days=10)})
        db.session.commit()
        assert sweep("two_new.instructor_no_successor", TODAY) == {}  # within the 30 days' grace
        service.update_instructor(liu, {"ended_on": TODAY - timedelta(days=45)})
        db.session.commit()
        found = sweep("two_new.instructor_no_successor", TODAY)
        assert set(found) == {(area["LX"], None)}
        assert "青年创业协会（刘志刚" in found[(area["LX"], None)]["units"]
        successor = instructor(person_name="陈接任")
        service.update_unit(association, org("LX", area), {"instructor_id": successor.id})
        db.session.commit()
        assert sweep("two_new.instructor_no_successor", TODAY) == {}


def test_register_stale(area, in_tenant, tenant, unit, group, sweep):
    with in_tenant(tenant):
        old = TODAY - timedelta(days=400)
        stale = unit(name="博远教育", surveyed_on=old)
        riders = group(name="某外卖", kind="delivery_rider", surveyed_on=old)
        unit(name="星光科技")
        db.session.commit()
        found = sweep("two_new.register_stale", TODAY)
        figures = found[(area["LX"], None)]
        assert (figures["units"], figures["groups"], figures["oldest"]) == (1, 1, old.isoformat())
        service.update_unit(stale, org("LX", area), {"surveyed_on": TODAY})
        service.update_group(riders, org("LX", area), {"surveyed_on": TODAY})
        db.session.commit()
        assert sweep("two_new.register_stale", TODAY) == {}


def test_rules_use_a_fixed_number_of_statements(area, in_tenant, tenant, unit, instructor, group,
                                                count_statements):
    from core.warnings.rules import RuleContext
    from plugins.two_new.warnings import rules

    def statements(checks) -> dict:
        counts = {}
        for rule in checks:
            params = rule.params().load({}) if rule.params else {}
            with count_statements() as seen:
                list(rule.check(RuleContext(tenant_id=0, today=TODAY, params=params)))
            counts[rule.key] = len(seen)
        return counts

    with in_tenant(tenant):
        checks = rules()
        liu = instructor(person_name="刘志刚")
        unit(name="单位0", party_members=4, instructor_id=liu.id)
        group(name="骑手0", kind="delivery_rider")
        db.session.flush()
        statements(checks)  # warm any per-tenant cache
        small = statements(checks)
        lx = org("LX", area)
        for n in range(1, 30):
            committee = orgs.create(name=f"综合党委{n}", code=f"C{n}", kind="committee", parent=lx,
                                    sector="two_new")
            joint = orgs.create(name=f"联合党支部{n}", code=f"J{n}", kind="joint_branch",
                                parent=committee, sector="two_new")
            db.session.flush()
            unit(committee.id, name=f"单位{n}", party_members=4, instructor_id=liu.id,
                 covered_by_org_id=joint.id, surveyed_on=TODAY - timedelta(days=500))
            for k in range(6):
                org_units.create(joint, name=f"站点{n}-{k}", unit_type="enterprise")
            group(committee.id, name=f"骑手{n}", kind="delivery_rider")
        service.update_instructor(liu, {"ended_on": TODAY - timedelta(days=60)})
        db.session.flush()
        assert statements(checks) == small
