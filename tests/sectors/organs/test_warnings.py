"""The organs warning rules fire on real records and clear when the records are put right
(``sweep`` twice), look only at active organs organisations, and run a fixed number of
statements whatever the number of organisations."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from core.orgs import tree
from plugins.organs import service
from tests.sectors.organs.conftest import PLUGIN, org


def _brand(org_id, **fields):
    return service.create_brand(org(org_id), {"name": "品牌", "status": "active",
                                              "started_on": date(2023, 1, 1), **fields})


def _orgs(found) -> set:
    return {org_id for org_id, _subject in found}


def test_brand_missing(organs_city, tenant, in_tenant, sweep, make_org):
    c = organs_city
    with in_tenant(tenant):
        _brand(c["A"])
        other = make_org("别的领域支部")  # no sector: never looked at
        db.session.commit()
        found = sweep("organs.brand_missing", date(2024, 5, 1))
        # organ organisations without a brand: B, C and 丁局机关党委 — not the 工委, not the
        # office branch under 丁局 (it shares 丁局's), not A, not another sector's branch
        assert _orgs(found) == {c["B"], c["C"], c["P"]} and other.id not in _orgs(found)
        assert "丁局尚未创建党建品牌" in found[(c["P"], None)]["_message"]
        _brand(c["B"])
        db.session.commit()
        assert _orgs(sweep("organs.brand_missing", date(2024, 5, 2))) == {c["C"], c["P"]}


def test_brand_milestone_overdue(organs_city, tenant, in_tenant, sweep):
    c = organs_city
    with in_tenant(tenant):
        brand = _brand(c["A"], name="红色账本")
        late = service.add_milestone(brand, org(c["A"]), {"title": "挂牌", "due_on": date(2024, 3, 1)})
        service.add_milestone(brand, org(c["A"]), {"title": "宣讲", "due_on": date(2024, 4, 1)})
        service.add_milestone(brand, org(c["A"]), {"title": "评估", "due_on": date(2024, 12, 1)})
        db.session.commit()
        found = sweep("organs.brand_milestone_overdue", date(2024, 4, 11))
        assert found[(c["A"], None)]["count"] == 2 and found[(c["A"], None)]["title"] == "挂牌"
        assert found[(c["A"], None)]["days"] == 41
        message = found[(c["A"], None)]["_message"]
        assert "“红色账本”有 2 个创建节点逾期" in message and "已逾期 41 天" in message
        service.update_milestone(late, brand, org(c["A"]), {"done_on": date(2024, 4, 12), "evidence": "挂牌照片"})
        db.session.commit()
        found = sweep("organs.brand_milestone_overdue", date(2024, 4, 12))
        assert found[(c["A"], None)]["count"] == 1 and found[(c["A"], None)]["title"] == "宣讲"
        service.update_milestone(service.milestones_of(brand)[1], brand, org(c["A"]),
                                 {"due_on": date(2024, 5, 1)})
        db.session.commit()
        assert sweep("organs.brand_milestone_overdue", date(2024, 4, 13)) == {}


def test_brand_milestone_grace(organs_city, tenant, in_tenant, sweep):
    from core.plugins import settings as plugin_settings

    c = organs_city
    with in_tenant(tenant):
        brand = _brand(c["A"])
        service.add_milestone(brand, org(c["A"]), {"title": "挂牌", "due_on": date(2024, 3, 1)})
        plugin_settings.set_overrides(PLUGIN, {"brand_milestone_grace_days": 10})
        db.session.commit()
        assert sweep("organs.brand_milestone_overdue", date(2024, 3, 5)) == {}
        assert set(sweep("organs.brand_milestone_overdue", date(2024, 3, 12))) == {(c["A"], None)}


def test_party_staff_short(organs_city, tenant, in_tenant, sweep):
    from core.sdk import set_org_attributes

    c = organs_city
    with in_tenant(tenant):
        set_org_attributes(org(c["A"]), {"staff_total": 120, "party_office_full_time": 1,
                                         "party_office_part_time": 2})
        set_org_attributes(org(c["B"]), {"staff_total": 30})  # small organ: part-time is enough
        set_org_attributes(org(c["P"]), {"staff_total": 80, "party_office_full_time": 1})
        db.session.commit()
        found = sweep("organs.party_staff_short", date(2024, 5, 1))
        assert set(found) == {(c["A"], None)}
        assert found[(c["A"], None)]["required"] == 2
        assert "在编 120 人，专职党务干部 1 人" in found[(c["A"], None)]["_message"]
        set_org_attributes(org(c["A"]), {"party_office_full_time": 2})
        db.session.commit()
        assert sweep("organs.party_staff_short", date(2024, 5, 2)) == {}


def test_business_goals_missing(organs_city, tenant, in_tenant, sweep):
    c = organs_city
    with in_tenant(tenant):
        for key in "ABC":
            service.create_goal(org(c[key]), {"year": 2024, "business_goal": "预算执行", "party_measure": "先锋岗"})
        service.create_goal(org(c["P"]), {"year": 2023, "business_goal": "去年的目标"})
        db.session.commit()
        assert sweep("organs.business_goals_missing", date(2024, 3, 31)) == {}  # still in time
        found = sweep("organs.business_goals_missing", date(2024, 4, 1))
        assert set(found) == {(c["P"], None)}
        assert "丁局2024 年的党建与业务融合目标应于 2024-03-31 前制定" in found[(c["P"], None)]["_message"]
        service.create_goal(org(c["P"]), {"year": 2024, "business_goal": "项目评审提速"})
        db.session.commit()
        assert sweep("organs.business_goals_missing", date(2024, 4, 2)) == {}


def test_business_goals_missed(organs_city, tenant, in_tenant, sweep):
    c = organs_city
    with in_tenant(tenant):
        missed = service.create_goal(org(c["A"]), {"year": 2024, "business_goal": "资产清查全覆盖",
                                                    "party_measure": "结对共建", "status": "missed",
                                                    "reviewed_on": date(2024, 6, 1)})
        service.create_goal(org(c["B"]), {"year": 2024, "business_goal": "预算执行", "status": "done"})
        db.session.commit()
        found = sweep("organs.business_goals_missed", date(2024, 6, 2))
        assert set(found) == {(c["A"], None)} and found[(c["A"], None)]["goals"] == "资产清查全覆盖"
        service.update_goal(missed, {"status": "on_track", "party_measure": "党员突击队续查"})
        db.session.commit()
        assert sweep("organs.business_goals_missed", date(2024, 6, 3)) == {}


def test_inactive_organisations_are_not_checked(organs_city, tenant, in_tenant, sweep):
    c = organs_city
    with in_tenant(tenant):
        service.create_goal(org(c["B"]), {"year": 2024, "business_goal": "预算执行", "status": "missed"})
        db.session.commit()
        assert c["B"] in _orgs(sweep("organs.brand_missing", date(2024, 5, 1)))
        assert c["B"] in _orgs(sweep("organs.business_goals_missed", date(2024, 5, 1)))
        tree.dissolve(org(c["B"]), date(2024, 5, 1), "机构改革")
        db.session.commit()
        assert c["B"] not in _orgs(sweep("organs.brand_missing", date(2024, 5, 2)))
        assert c["B"] not in _orgs(sweep("organs.business_goals_missed", date(2024, 5, 2)))


RULES = ("organs.brand_missing", "organs.brand_milestone_overdue", "organs.party_staff_short",
         "organs.business_goals_missing", "organs.business_goals_missed")


@pytest.mark.parametrize("key", RULES)
def test_checks_do_not_grow_with_organisations(key, sector_tenant, tenant, in_tenant, make_org, count_statements):
    from core.warnings import registry
    from core.warnings.rules import RuleContext

    sector_tenant(PLUGIN)
    counts = []
    with in_tenant(tenant):
        rule = registry.tenant_rules()[key]
        params = rule.params().load({}) if rule.params else {}
        committee = make_org("工委", kind="committee", sector=PLUGIN)
        made = 0
        for target in (3, 30):
            while made < target:
                branch = make_org(f"第{made}局机关党支部", parent=committee, sector=PLUGIN,
                                  attributes={"staff_total": 100, "party_office_full_time": made % 2})
                if made % 2:
                    brand = service.create_brand(branch, {"name": "品牌", "status": "active",
                                                           "started_on": date(2023, 1, 1)})
                    service.add_milestone(brand, branch, {"title": "节点", "due_on": date(2024, 1, 1)})
                    service.create_goal(branch, {"year": 2024, "business_goal": "目标", "status": "missed"})
                made += 1
            db.session.flush()
            ctx = RuleContext(tenant_id=tenant.id if hasattr(tenant, "id") else tenant,
                              today=date(2024, 6, 1), params=params)
            rule.check(ctx)  # warm-up
            with count_statements() as seen:
                found = list(rule.check(ctx))
            counts.append(len(seen))
            assert found
    assert counts[0] == counts[1], counts
