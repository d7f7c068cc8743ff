"""The soe warning rules on real records: each fires, persists and clears when the data is
fixed (two sweeps), and looks only at the active enterprises of the soe sector."""

from __future__ import annotations

from datetime import date

from core.db import db
from core.orgs import tree
from core.plugins import settings as plugin_settings
from tests.sectors.soe import builders as b

TODAY = date(2026, 6, 15)


def _orgs(found: dict) -> set:
    return {org_id for org_id, _ in found}


def test_charter_missing(enterprises, tenant, in_tenant, org, sweep):
    with in_tenant(tenant):
        b.attributes(org("C"), **b.ENTERPRISE)
        b.attributes(org("J"), enterprise_level="second", has_board=True,
                     charter_includes_party_building=False)
        b.attributes(org("B"), enterprise_level="third")  # an independent subsidiary's branch
        b.attributes(org("A"), employees=40)  # a workshop branch: no enterprise level, not checked
        db.session.commit()
        found = sweep("soe.charter_missing", TODAY)
        assert _orgs(found) == {enterprises["J"], enterprises["B"]}  # not the regulator, not A
        assert found[(enterprises["J"], None)]["_message"] == (
            "市交投集团党委（设董事会）公司章程未写入党建工作要求，请按规定推进党建入章。")
        assert found[(enterprises["B"], None)]["_message"] == (
            "市城投集团第二党支部（未设董事会）公司章程未登记是否写入党建工作要求，请按规定推进党建入章。")
        assert sweep("soe.charter_missing", TODAY).keys() == found.keys()  # the same warnings
        # fixed: the charters amended
        b.attributes(org("J"), charter_includes_party_building=True, charter_amended_on="2026-05-20")
        b.attributes(org("B"), charter_includes_party_building=True)
        db.session.commit()
        assert sweep("soe.charter_missing", TODAY) == {}


def test_decision_without_review(enterprises, tenant, in_tenant, org, sweep):
    with in_tenant(tenant):
        c, j = org("C"), org("J")
        b.decision(c, "发展规划", date(2026, 3, 1), date(2026, 3, 8))
        unreviewed = b.decision(c, "发行中期票据", None, date(2026, 4, 1), category="large_fund")
        late = b.decision(c, "子公司班子调整", date(2026, 5, 12), date(2026, 5, 10))
        b.decision(j, "旧事项", None, date(2025, 1, 10))  # older than the 365 days looked at
        b.decision(org("O"), "非国企事项", None, date(2026, 4, 1))  # not a soe organisation
        db.session.commit()
        found = sweep("soe.decision_without_review", TODAY)
        assert _orgs(found) == {enterprises["C"]}
        figures = found[(enterprises["C"], None)]
        assert figures["count"] == 2
        assert figures["_message"] == (
            "近 365 天有 2 项“三重一大”事项未经党委前置研究讨论即作出决策（最近一项决策于 2026-05-10）："
            "“子公司班子调整”（2026-05-10，决策后才提交党委研究）、"
            "“发行中期票据”（2026-04-01，未经党委前置研究讨论）。请规范决策程序并整改。")
        # corrected: the committee had studied the bond issue (minutes found); the late one
        # was a typo in the dates
        unreviewed.party_reviewed_on, unreviewed.party_outcome = date(2026, 3, 25), "agreed"
        late.party_reviewed_on = date(2026, 5, 8)
        db.session.commit()
        assert sweep("soe.decision_without_review", TODAY) == {}
        # a city asking for three days between study and decision finds the same-week ones
        plugin_settings.set_overrides("soe", {"prior_review_min_days": 3})
        db.session.commit()
        assert sweep("soe.decision_without_review", TODAY)[(enterprises["C"], None)]["count"] == 1


def test_cross_appointment_gap(enterprises, tenant, in_tenant, org, sweep):
    with in_tenant(tenant):
        c, j = org("C"), org("J")
        b.attributes(c, **b.ENTERPRISE)
        b.full_leadership(c)
        b.attributes(j, enterprise_level="second", has_board=True, employees=1200)
        b.appoint(j, "赵书记", "secretary", None)
        chairman = b.appoint(j, "钱董事长", None, "chairman")
        db.session.commit()
        found = sweep("soe.cross_appointment_gap", TODAY)
        assert _orgs(found) == {enterprises["J"]}
        assert found[(enterprises["J"], None)]["_message"] == (
            "市交投集团党委：党委书记、董事长未由一人担任；进入董事会、经理层的党委委员（书记以外）"
            "不足 1 人；未配备专职副书记。")
        # the secretary becomes chairman (a second row of the same person), a full-time
        # deputy secretary is appointed
        chairman.ended_on = date(2026, 6, 1)
        b.appoint(j, "赵书记", None, "chairman", started_on=date(2026, 6, 1))
        b.appoint(j, "李专副", "full_time_deputy_secretary", None, started_on=date(2026, 6, 1))
        db.session.commit()
        assert sweep("soe.cross_appointment_gap", TODAY) == {(enterprises["J"], None): {
            "enterprise": "市交投集团党委", "problems": "进入董事会、经理层的党委委员（书记以外）不足 1 人",
            "_message": "市交投集团党委：进入董事会、经理层的党委委员（书记以外）不足 1 人。"}}
        # fixed: a committee member joins management
        b.appoint(j, "孙委员", "committee_member", "deputy_general_manager", started_on=date(2026, 6, 2))
        db.session.commit()
        assert sweep("soe.cross_appointment_gap", TODAY) == {}


def test_performance_link_missing(enterprises, tenant, in_tenant, org, sweep):
    with in_tenant(tenant):
        c, j = org("C"), org("J")
        b.attributes(c, enterprise_level="group")
        b.attributes(j, enterprise_level="second")
        b.link(c, 2025, "15")
        low = b.link(j, 2025, "8", salary=False)
        db.session.commit()
        found = sweep("soe.performance_link_missing", TODAY)
        assert _orgs(found) == {enterprises["J"]}
        assert found[(enterprises["J"], None)]["_message"] == (
            "市交投集团党委 2025 年：挂钩权重 8.00% 低于规定的 10%；考核结果未与领导人员薪酬挂钩。")
        low.link_weight_pct, low.salary_linked = 12, True
        db.session.commit()
        assert sweep("soe.performance_link_missing", TODAY) == {}
        # a new enterprise without a record; a dissolved one is not looked at
        b.attributes(org("A"), enterprise_level="third")
        tree.dissolve(org("J"), on=date(2026, 6, 1), reason="并入城投集团")
        db.session.commit()
        found = sweep("soe.performance_link_missing", TODAY)
        assert found == {(enterprises["A"], None): {
            "enterprise": "市城投集团第一党支部", "year": 2025,
            "problems": "未登记党建考核与经营业绩考核挂钩情况",
            "_message": "市城投集团第一党支部 2025 年：未登记党建考核与经营业绩考核挂钩情况。"}}
