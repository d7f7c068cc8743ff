"""Cycles at the service level: a run over each scoring kind, the frozen standard, the
explanation adding up, stars, the cap, the veto, ranks, changes since the last cycle,
statement counts, failing and unavailable indicators, and the state machine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api.errors import ApiError
from core.assessment import cycles, evaluate, rating
from core.assessment import standards as standard_service
from core.assessment.models.cycles import OrgResult
from core.db import db
from core.orgs import service as orgs
from core.plugins import service as plugin_service
from core.plugins.settings import set_overrides
from tests.assessment import cycle_helpers as h

D = Decimal
PLUGIN = "core.assessment.plugin"


@pytest.fixture
def city(tenant, in_tenant, indicator_plugin):
    """R (committee) → C1 (committee) → A (5 full), B (2 full, 1 lost contact), C (10 full,
    no contact or phone); R → C2 → D (no members). One standard over the five CT indicators.

    Scores before any review: A 65 (2★), B 54 (1★), C 70 (3★), D 30 (1★)."""
    indicator_plugin(h.CT_INDICATORS, tenants=[tenant])
    h.CALLS.clear()
    with in_tenant(tenant):
        root = h.make_org(kind="committee", code="R")
        c1 = h.make_org(root, kind="committee", code="C1")
        c2 = h.make_org(root, kind="committee", code="C2")
        a = h.make_org(c1, code="A")
        b = h.make_org(c1, code="B")
        c = h.make_org(c1, code="C", contact=None, phone=None)
        d = h.make_org(c2, code="D")
        h.add_members(a, 5)
        h.add_members(b, 2)
        h.add_members(b, 1, status="lost_contact")
        h.add_members(c, 10)
        standard = h.make_standard()
        db.session.commit()
        return {"R": root.id, "C1": c1.id, "C2": c2.id, "A": a.id, "B": b.id, "C": c.id,
                "D": d.id, "standard": standard.id}


def _cycle(city, **kwargs):
    return h.open_cycle(orgs.get(city["R"]), **kwargs)


def _scores(cycle, city, codes="ABCD"):
    found = h.results(cycle)
    return {code: found[city[code]].score for code in codes}


def _stars(cycle, city, codes="ABCD"):
    found = h.results(cycle)
    return {code: found[city[code]].stars for code in codes}


def test_each_scoring_kind_flows_through_a_run(city, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = _cycle(city)
        summary = h.run(cycle)
        assert summary["orgs"] == 4 and summary["not_assessed"] == 3  # committees have no standard
        assert cycle.state == "evaluated"
        a, b, c, d = (h.item_results(cycle, city[x]) for x in "ABCD")
        # threshold: ≥ 3 members, full points or none (no data: none)
        assert (a["ct.members"].points, b["ct.members"].points, d["ct.members"].points) == (D(20), D(20), D(0))
        assert "达标" in a["ct.members"].explanation and a["ct.members"].evidence == {"members": 5}
        # proportional: members / 10 of 30 points
        assert (a["ct.size"].points, b["ct.size"].points, c["ct.size"].points) == (D(15), D(9), D(30))
        assert a["ct.size"].value == D(5)
        # checklist: 3 of 3 items, 1 of 3 (no contact, no phone)
        assert (a["ct.records"].points, c["ct.records"].points) == (D(15), D(5))
        assert "联系人" in c["ct.records"].explanation
        # deduction: 5 per lost-contact member from 15
        assert (a["ct.lost"].points, b["ct.lost"].points) == (D(15), D(10))
        # manual: nobody has scored it yet
        assert a["ct.review"].points == 0 and "待评分" in a["ct.review"].explanation
        assert _scores(cycle, city) == {"A": D(65), "B": D(54), "C": D(70), "D": D(30)}
        assert _stars(cycle, city) == {"A": 2, "B": 1, "C": 3, "D": 1}

        cycles.set_manual_score(cycle, city["A"], "ct.review", "18.5", "群众满意度高")
        db.session.commit()
        review = h.item_results(cycle, city["A"])["ct.review"]
        assert review.points == D("18.5") and "群众满意度高" in review.explanation
        assert h.results(cycle)[city["A"]].score == D("83.5")
        assert h.results(cycle)[city["A"]].stars == 4


def test_each_indicator_is_measured_once_per_parameters(city, tenant, in_tenant):
    """Two standards (branches; joint branches) share ct.members with the same parameters:
    measured once. They use ct.size with different targets: measured twice."""
    with in_tenant(tenant):
        h.make_org(orgs.get(city["C2"]), kind="joint_branch", code="J")
        joint = h.make_standard("联合支部标准", kinds=["joint_branch"], params={"ct.size": {"target": 20}})
        branch = standard_service.get_standard(city["standard"])
        standard_service.update_standard(branch.id, kinds=["branch"])
        cycle = _cycle(city)
        summary = h.run(cycle)
        assert summary["orgs"] == 5
        assert h.CALLS["ct.members"] == 1 and h.CALLS["ct.records"] == 1 and h.CALLS["ct.lost"] == 1
        assert h.CALLS["ct.size"] == 2
        assert summary["measurements"] == 5
        found = h.results(cycle)
        joint_org = orgs.by_code("J")
        assert found[joint_org.id].standard_id == joint.id
        assert found[city["A"]].standard_id == branch.id


def test_the_cycle_keeps_the_version_it_was_opened_with(city, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = _cycle(city)
        standard = standard_service.get_standard(city["standard"])
        v1 = standard_service.latest_version(standard)
        standard_service.update_standard(
            standard.id, items=h.items({"ct.members": 40, "ct.size": 10, "ct.records": 15,
                                        "ct.lost": 15, "ct.review": 20}),
        )
        db.session.commit()
        assert standard_service.get_standard(standard.id).current_version == 2
        h.run(cycle)
        a = h.item_results(cycle, city["A"])
        assert a["ct.members"].weight == D(20) and a["ct.size"].weight == D(30)
        assert h.results(cycle)[city["A"]].version_id == v1.id
        assert _scores(cycle, city)["A"] == D(65)
        # a cycle opened now freezes version 2
        later = _cycle(city, name="2025年度", year=2025)
        h.run(later)
        a2 = h.item_results(later, city["A"])
        assert a2["ct.members"].weight == D(40)
        assert _scores(later, city)["A"] == D(40 + 5 + 15 + 15)


def test_explanations_add_up_to_the_score_for_every_organisation(city, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = _cycle(city)
        h.run(cycle)
        cycles.set_manual_score(cycle, city["A"], "ct.review", 18, "好")
        cycles.add_adjustment(cycle, city["A"], "30", "获评市级先进")  # 83 + 30 → kept at 100
        cycles.add_adjustment(cycle, city["D"], "-40.5", "通报批评")  # 30 − 40.5 → kept at 0
        cycles.add_adjustment(cycle, city["B"], "2.25", "加分")
        db.session.commit()
        found = h.results(cycle)
        assert found[city["A"]].score == D(100) and found[city["A"]].clamp == D(-13)
        assert found[city["D"]].score == D(0) and found[city["D"]].clamp == D("10.5")
        assert found[city["B"]].score == D("56.25") and found[city["B"]].clamp == 0
        for result in found.values():
            assert h.breakdown_total(cycle, result) == result.score, result.org_id
            assert result.items_total + result.adjustments_total + result.clamp == result.score
        # a re-run recomputes the items and keeps the manual score and adjustments
        h.run(cycle)
        again = h.results(cycle)
        assert again[city["A"]].score == D(100) and again[city["D"]].score == D(0)
        assert h.item_results(cycle, city["A"])["ct.review"].points == D(18)
        for result in again.values():
            assert h.breakdown_total(cycle, result) == result.score


def test_star_thresholds_are_the_tenants(city, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = _cycle(city)
        h.run(cycle)
        assert _stars(cycle, city) == {"A": 2, "B": 1, "C": 3, "D": 1}
        set_overrides(PLUGIN, {"star_thresholds": ["80", "65", "54", "30.01"]})
        changed = rating.recompute(cycle)
        assert changed == {city[x] for x in "ABCD"}  # D's stars stay, its note changes
        assert _stars(cycle, city) == {"A": 4, "B": 3, "C": 4, "D": 1}
        notes = h.results(cycle)[city["A"]].notes
        assert notes == ["得分 65，不低于 65 分，评为 4 星"]
        assert "低于 30.01 分" in h.results(cycle)[city["D"]].notes[0]


def test_the_five_star_cap_keeps_the_best_and_breaks_ties_by_code(city, tenant, in_tenant):
    with in_tenant(tenant):
        set_overrides(PLUGIN, {"five_star_cap": "0.5"})
        cycle = _cycle(city)
        h.run(cycle)
        for code, points in (("A", 35), ("B", 46), ("C", 30), ("D", 70)):
            cycles.add_adjustment(cycle, city[code], points, "冲刺")  # everyone at 100
        found = h.results(cycle)
        assert {found[city[x]].score for x in "ABCD"} == {D(100)}
        assert _stars(cycle, city) == {"A": 5, "B": 5, "C": 4, "D": 4}  # 4 × 0.5 = 2 places
        assert found[city["C"]].capped and found[city["C"]].score_stars == 5
        assert "同分按组织编码先后排序" in found[city["C"]].notes[-1]
        assert "五星比例上限 50%" in found[city["C"]].notes[-1]
        assert "保留五星" in found[city["B"]].notes[-1]

        # distinct scores: the best keep five stars, whatever the code
        set_overrides(PLUGIN, {"five_star_cap": "0.25"})
        cycles.add_adjustment(cycle, city["A"], "-9", "扣分")  # 91
        cycles.add_adjustment(cycle, city["B"], "-5", "扣分")  # 95
        assert _stars(cycle, city) == {"A": 4, "B": 4, "C": 5, "D": 4}
        found = h.results(cycle)
        assert found[city["A"]].capped and "排第 4 位" in found[city["A"]].notes[-1]
        assert "同分" not in found[city["A"]].notes[-1]

        # a vetoed organisation takes no five-star place
        cycles.set_veto(cycle, city["C"], "发生严重违纪违法案件")
        stars = _stars(cycle, city)
        assert stars["C"] == 1 and sorted(stars.values()) == [1, 4, 4, 5]

        # no cap: everyone at ≥ 90 has five stars
        set_overrides(PLUGIN, {})
        rating.recompute(cycle)
        assert _stars(cycle, city) == {"A": 5, "B": 5, "C": 1, "D": 5}


def test_one_vote_veto(city, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = _cycle(city)
        h.run(cycle)
        cycles.set_veto(cycle, city["C"], "发生严重违纪违法案件", "支部书记受到留党察看处分")
        result = h.results(cycle)[city["C"]]
        assert (result.score, result.score_stars, result.stars, result.vetoed) == (D(70), 3, 1, True)
        assert result.notes[-1] == "一票否决：发生严重违纪违法案件，评为 1 星"
        with pytest.raises(ApiError) as refused:
            cycles.set_veto(cycle, city["A"], "迟到")
        assert refused.value.status == 422 and set(refused.value.errors) == {"reason"}
        # the tenant's own list and stars
        set_overrides(PLUGIN, {"veto_reasons": ["迟到"], "veto_stars": 2})
        cycles.set_veto(cycle, city["A"], "迟到")
        cycles.set_veto(cycle, city["D"], "迟到")
        found = h.results(cycle)
        assert (found[city["A"]].stars, found[city["D"]].stars) == (2, 1)  # a veto never raises stars
        assert found[city["C"]].stars == 2  # recomputed with the new veto_stars
        cycles.clear_veto(cycle, city["A"])
        assert h.results(cycle)[city["A"]].stars == 2 and not h.results(cycle)[city["A"]].vetoed
        # the veto survives a re-run
        h.run(cycle)
        assert h.results(cycle)[city["C"]].vetoed


def test_ranks_among_peers_and_within_the_parent(city, tenant, in_tenant):
    with in_tenant(tenant):
        h.make_org(orgs.get(city["C2"]), kind="joint_branch", code="J", contact=None, phone=None)
        cycle = _cycle(city)
        h.run(cycle)
        cycles.add_adjustment(cycle, city["B"], 11, "加分")  # B 65 = A 65
        found = h.results(cycle)
        peers = {x: (found[city[x]].rank_peers, found[city[x]].peers_count) for x in "ABCD"}
        assert peers == {"A": (2, 4), "B": (2, 4), "C": (1, 4), "D": (4, 4)}
        parent = {x: (found[city[x]].rank_parent, found[city[x]].parent_count) for x in "ABCD"}
        assert parent == {"A": (2, 3), "B": (2, 3), "C": (1, 3), "D": (1, 2)}
        joint = found[orgs.by_code("J").id]
        assert (joint.rank_peers, joint.peers_count) == (1, 1)  # another kind: its own peers
        assert (joint.rank_parent, joint.parent_count) == (2, 2)  # beside D under C2 (20 vs 30)


def test_stars_up_and_down_since_the_previous_published_cycle(city, tenant, in_tenant):
    with in_tenant(tenant):
        first = _cycle(city, name="2023年度", year=2023)
        h.run(first)
        cycles.publish(first)
        # neither a quarter nor an unpublished year is "the previous cycle"
        quarter = _cycle(city, name="2023四季度", period="quarter", year=2023, part=4)
        h.run(quarter)
        cycles.add_adjustment(quarter, city["A"], 35, "季度加分")  # 5★ in the quarter
        cycles.publish(quarter)
        draft = _cycle(city, name="2023年度（草稿）", year=2023)
        h.run(draft)
        cycles.add_adjustment(draft, city["D"], 70, "草稿")
        new_org = h.make_org(orgs.get(city["C2"]), code="E")
        second = _cycle(city, name="2024年度", year=2024)
        h.run(second)
        cycles.set_manual_score(second, city["A"], "ct.review", 20, "优秀")  # 85 → 4★ (was 2★)
        cycles.add_adjustment(second, city["B"], -10, "扣分")  # 44 → 1★ (was 1★)
        cycles.set_veto(second, city["C"], "发生严重违纪违法案件")  # 1★ (was 3★)
        found = h.results(second)
        change = {x: (found[city[x]].previous_stars, found[city[x]].stars, found[city[x]].change)
                  for x in "ABCD"}
        assert change == {"A": (2, 4, "up"), "B": (1, 1, "same"), "C": (3, 1, "down"),
                          "D": (1, 1, "same")}
        assert found[city["A"]].previous_cycle_id == first.id
        assert (found[new_org.id].previous_stars, found[new_org.id].change) == (None, "new")
        # reopening the earlier cycle withdraws it as "the previous one" at the next rating
        cycles.reopen(first, "复核")
        rating.recompute(second)
        assert h.results(second)[city["A"]].change == "new"


def test_statements_do_not_grow_with_the_number_of_organisations(
    tenant, in_tenant, indicator_plugin, count_statements
):
    indicator_plugin(h.CT_INDICATORS, tenants=[tenant])
    with in_tenant(tenant):
        h.make_standard()
        roots = {}
        for size in (3, 40):
            root = h.make_org(kind="committee", code=f"ROOT{size}")
            middle = h.make_org(root, kind="committee", code=f"MID{size}")
            for n in range(size):
                branch = h.make_org(middle, code=f"S{size}-{n}", contact=None if n % 2 else "x")
                members = h.add_members(branch, n % 4 + 1)
                h.add_members(branch, n % 2, status="lost_contact")
                h.give_points(members[0], n + 1)
            roots[size] = root
        db.session.commit()
        counted = {}
        for size, root in roots.items():
            cycle = h.open_cycle(root, name=f"{size}")
            runs = []
            for _ in range(2):  # the first run, and a re-run replacing it
                with count_statements() as seen:
                    summary = evaluate.run(cycle)
                assert summary["orgs"] == size
                runs.append(len(seen))
            with count_statements() as seen:
                cycles.add_adjustment(cycle, db.session.scalar(
                    select(OrgResult.org_id).where(OrgResult.cycle_id == cycle.id).limit(1)), 5, "加分")
            runs.append(len(seen))
            counted[size] = runs
            assert sum(len(r.items) for r in h.results(cycle).values()) == size * 5
        assert counted[3] == counted[40], counted


def test_a_failing_indicator_fails_the_run_and_writes_nothing(city, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = _cycle(city)
        h.run(cycle)
        db.session.commit()
        before = _scores(cycle, city)
        broken = h.make_standard("坏标准", weights={"ct.broken": 50, "ct.members": 50})
        bad = _cycle(city, name="坏周期", standard_ids=[broken.id])
        db.session.commit()
        with pytest.raises(evaluate.EvaluationError, match=r"ct\.broken（坏指标）计算出错.*数据源不可用"):
            evaluate.run(bad)
        db.session.rollback()
        assert cycles.get(bad.id).state == "open"
        assert cycles.count_results(cycles.get(bad.id)) == 0
        assert _scores(cycles.get(cycle.id), city) == before


def test_an_indicator_the_tenant_no_longer_has_scores_zero_and_is_reported(
    city, tenant, in_tenant
):
    with in_tenant(tenant):
        cycle = _cycle(city)
        plugin_service.set_enabled("test_indicators", False)
        db.session.commit()
        summary = h.run(cycle)
        assert summary["unavailable"] == [
            {"indicator": key, "standards": ["测试标准"]}
            for key in ("ct.lost", "ct.members", "ct.records", "ct.review", "ct.size")
        ]
        a = h.item_results(cycle, city["A"])
        assert all(i.points == 0 and "指标不可用" in i.explanation for i in a.values())
        assert a["ct.size"].weight == D(30)
        assert _scores(cycle, city) == {x: D(0) for x in "ABCD"}


def test_a_sector_standard_beats_a_general_one_and_unmatched_orgs_are_not_assessed(
    city, tenant, in_tenant
):
    with in_tenant(tenant):
        plugin_service.set_enabled("rural", True)
        village = h.make_org(orgs.get(city["C2"]), sector="rural", code="V")
        h.add_members(village, 4)
        h.make_org(orgs.get(city["C2"]), kind="group", code="G")  # no standard rates groups
        rural = h.make_standard("农村标准", sector="rural", weights={"ct.members": 50, "ct.size": 50})
        cycle = _cycle(city)
        summary = h.run(cycle)
        found = h.results(cycle)
        assert found[village.id].standard_id == rural.id
        assert found[village.id].score == D(50 + 20)
        assert found[city["A"]].standard_id == city["standard"]
        assert orgs.by_code("G").id not in found
        assert summary["not_assessed"] == 4  # R, C1, C2 and the group
        assert found[village.id].peers_count == 1  # rural branches are not the others' peers


def test_the_state_machine(city, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = _cycle(city)
        db.session.commit()
        with pytest.raises(ApiError) as refused:
            cycles.publish(cycle)
        assert refused.value.status == 409
        with pytest.raises(ApiError) as refused:
            cycles.set_manual_score(cycle, city["A"], "ct.review", 10, "好")
        assert refused.value.status == 409
        cycles.add_adjustment(cycle, city["A"], 5, "提前录入")  # allowed while open
        h.run(cycle)
        db.session.commit()
        assert h.results(cycle)[city["A"]].score == D(70)
        with pytest.raises(ApiError) as refused:
            cycles.publish(cycle, expected_version=cycle.version - 1)
        assert refused.value.status == 409 and "version" in refused.value.errors
        db.session.rollback()
        cycle = cycles.get(cycle.id)
        cycles.publish(cycle, expected_version=cycle.version)
        assert cycle.state == "published" and cycle.published_at is not None
        for attempt in (
            lambda: evaluate.run(cycle),
            lambda: cycles.add_adjustment(cycle, city["A"], 5, "x"),
            lambda: cycles.set_veto(cycle, city["A"], "发生严重违纪违法案件"),
            lambda: cycles.set_manual_score(cycle, city["A"], "ct.review", 5, "x"),
            lambda: cycles.publish(cycle),
        ):
            with pytest.raises(ApiError) as refused:
                attempt()
            assert refused.value.status == 409
        with pytest.raises(ApiError) as refused:
            cycles.reopen(cycle, "  ")
        assert refused.value.status == 422 and set(refused.value.errors) == {"reason"}
        cycles.reopen(cycle, "发现数据错误")
        assert (cycle.state, cycle.reopen_reason) == ("evaluated", "发现数据错误")
        cycles.set_manual_score(cycle, city["A"], "ct.review", 5, "复核")
        h.run(cycle)
        assert h.results(cycle)[city["A"]].score == D(75)


def test_review_input_is_checked(city, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = _cycle(city)
        h.run(cycle)
        cases = [
            (lambda: cycles.set_manual_score(cycle, city["A"], "ct.review", "20.01", "x"), "points"),
            (lambda: cycles.set_manual_score(cycle, city["A"], "ct.review", -1, "x"), "points"),
            (lambda: cycles.set_manual_score(cycle, city["A"], "ct.size", 5, "x"), "indicator_key"),
            (lambda: cycles.set_manual_score(cycle, city["A"], "ct.review", 5, " "), "reason"),
            (lambda: cycles.set_manual_score(cycle, city["A"], "ct.review", "1.234", "x"), "points"),
            (lambda: cycles.add_adjustment(cycle, city["A"], 0, "x"), "points"),
            (lambda: cycles.add_adjustment(cycle, city["A"], "101", "x"), "points"),
            (lambda: cycles.add_adjustment(cycle, city["A"], "NaN", "x"), "points"),
        ]
        for attempt, field in cases:
            with pytest.raises(ApiError) as refused:
                attempt()
            assert refused.value.status == 422 and set(refused.value.errors) == {field}
        for attempt in (
            lambda: cycles.add_adjustment(cycle, city["C1"], 5, "不参评"),
            lambda: cycles.delete_adjustment(cycle, city["A"], "no-such-id"),
            lambda: cycles.clear_veto(cycle, city["A"]),
        ):
            with pytest.raises(ApiError) as refused:
                attempt()
            assert refused.value.status == 404
        assert _scores(cycle, city)["A"] == D(65)


def test_period_dates():
    assert cycles.period_dates("year", 2024) == (date(2024, 1, 1), date(2024, 12, 31))
    assert cycles.period_dates("half", 2024, 2) == (date(2024, 7, 1), date(2024, 12, 31))
    assert cycles.period_dates("quarter", 2024, 1) == (date(2024, 1, 1), date(2024, 3, 31))
    assert cycles.period_dates("quarter", 2024, 4) == (date(2024, 10, 1), date(2024, 12, 31))
    for args, field in ((("month", 2024, 1), "period"), (("half", 2024, 3), "part"),
                        (("year", 1999, 1), "year")):
        with pytest.raises(ApiError) as refused:
            cycles.period_dates(*args)
        assert set(refused.value.errors) == {field}
