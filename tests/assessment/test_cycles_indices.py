"""The two indices (双指数) with the tenant's formulas: the fortress index per organisation
and the vanguard index per member, from points in the ledger, refreshed after a review;
formulas checked when the setting is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.assessment import cycles
from core.assessment.indices import EXEMPT_NOTE
from core.assessment.models.cycles import MemberIndex
from core.db import db
from core.orgs import service as orgs
from core.plugins.settings import PluginSettingsError, set_overrides
from tests.assessment import cycle_helpers as h

D = Decimal
PLUGIN = "core.assessment.plugin"


@pytest.fixture
def branches(tenant, in_tenant, indicator_plugin):
    """R → A (5 full members with 10, 20, 20, 5 and 0 points in 2024), B (2 full with 8 and 4,
    1 lost contact with 50: exempt from ranking). Scores: A 65 (2★), B 54 (1★)."""
    indicator_plugin(h.CT_INDICATORS, tenants=[tenant])
    with in_tenant(tenant):
        root = h.make_org(kind="committee", code="R")
        a = h.make_org(root, code="A")
        b = h.make_org(root, code="B")
        members = {}
        for name, (org, points) in {
            "a10": (a, 10), "a20": (a, 20), "a20b": (a, 20), "a5": (a, 5), "a0": (a, None),
            "b8": (b, 8), "b4": (b, 4),
        }.items():
            members[name] = h.add_members(org, 1)[0]
            if points is not None:
                h.give_points(members[name], points)
        members["lost"] = h.add_members(b, 1, status="lost_contact")[0]
        h.give_points(members["lost"], 50)
        h.give_points(members["a0"], 99, on=date(2023, 12, 31))  # before the period
        h.give_points(members["a0"], 99, status="pending")  # not approved
        h.make_standard()
        db.session.commit()
        return {"R": root.id, "A": a.id, "B": b.id, **{k: m.id for k, m in members.items()}}


def _indices(cycle) -> dict:
    db.session.expire_all()
    return {m.member_id: m for m in db.session.scalars(select(MemberIndex).where(MemberIndex.cycle_id == cycle.id))}


def test_default_formulas_are_the_score_and_the_points(branches, tenant, in_tenant):
    with in_tenant(tenant):
        cycle = h.open_cycle(orgs.get(branches["R"]))
        summary = h.run(cycle)
        assert summary["members"] == 8 and summary["points_note"] is None
        found = h.results(cycle)
        a, b = found[branches["A"]], found[branches["B"]]
        assert (a.fortress_index, b.fortress_index) == (D(65), D(54))
        assert (a.member_count, a.avg_points) == (5, D(11))
        assert (b.member_count, b.avg_points) == (3, D(6))  # the exempt member is not averaged
        members = _indices(cycle)
        assert members[branches["a20"]].vanguard_index == D(20)
        assert members[branches["a0"]].points == 0  # 2023 and pending points do not count
        ranks = {k: (members[branches[k]].rank_in_branch, members[branches[k]].branch_size)
                 for k in ("a20", "a20b", "a10", "a5", "a0", "b8", "b4")}
        assert ranks == {"a20": (1, 5), "a20b": (1, 5), "a10": (3, 5), "a5": (4, 5), "a0": (5, 5),
                         "b8": (1, 2), "b4": (2, 2)}
        lost = members[branches["lost"]]
        assert (lost.exempt, lost.rank_in_branch, lost.vanguard_index, lost.index_note) == (
            True, None, None, EXEMPT_NOTE)
        assert lost.points == D(50)


def test_custom_formulas_and_their_refresh_after_review(branches, tenant, in_tenant):
    with in_tenant(tenant):
        set_overrides(PLUGIN, {
            "fortress_formula": "score * 0.6 + avg_points + ind_ct_size / 2 + val_ct_members",
            "vanguard_formula": "points * 2 + branch_stars * 10 - rank_in_branch + branch_size / 10",
        })
        cycle = h.open_cycle(orgs.get(branches["R"]))
        h.run(cycle)
        a = h.results(cycle)[branches["A"]]
        assert a.fortress_index == D("62.5")  # 39 + 11 + 15 / 2 + 5 members
        members = _indices(cycle)
        assert members[branches["a20"]].vanguard_index == D("59.5")  # 40 + 20 − 1 + 0.5
        assert members[branches["a10"]].vanguard_index == D("37.5")  # 20 + 20 − 3 + 0.5
        assert members[branches["a0"]].vanguard_index == D("15.5")
        b8 = members[branches["b8"]].vanguard_index

        cycles.add_adjustment(cycle, branches["A"], 15, "获评先进")  # 80 → 4★
        db.session.commit()
        a = h.results(cycle)[branches["A"]]
        assert (a.score, a.stars, a.fortress_index) == (D(80), 4, D("71.5"))
        members = _indices(cycle)
        assert members[branches["a20"]].vanguard_index == D("79.5")  # 40 + 40 − 1 + 0.5
        assert members[branches["b8"]].vanguard_index == b8  # B did not change


def test_a_formula_that_divides_by_zero_leaves_that_index_empty(branches, tenant, in_tenant):
    with in_tenant(tenant):
        set_overrides(PLUGIN, {"vanguard_formula": "points / (rank_in_branch - 1)"})
        cycle = h.open_cycle(orgs.get(branches["R"]))
        h.run(cycle)
        members = _indices(cycle)
        assert members[branches["a20"]].vanguard_index is None
        assert members[branches["a20"]].index_note == "公式无法计算：除数为 0"
        assert members[branches["a10"]].vanguard_index == D(5)  # 10 / (3 − 1)


@pytest.mark.parametrize("setting, formula", [
    ("fortress_formula", "score +"),
    ("fortress_formula", "points"),  # a vanguard name
    ("fortress_formula", "sqrt(score)"),
    ("fortress_formula", "score.real"),
    ("fortress_formula", "'x' * 3"),
    ("fortress_formula", "score / 0"),
    ("vanguard_formula", "members"),  # a fortress name
    ("vanguard_formula", "__import__('os')"),
    ("vanguard_formula", "[points]"),
])
def test_a_bad_formula_is_refused_naming_the_setting(tenant, in_tenant, setting, formula):
    with in_tenant(tenant):
        with pytest.raises(PluginSettingsError) as refused:
            set_overrides(PLUGIN, {setting: formula})
        assert refused.value.status == 422 and set(refused.value.errors) == {setting}
        assert setting in refused.value.message


def test_other_settings_are_checked(tenant, in_tenant):
    with in_tenant(tenant):
        for values, field in (
            ({"star_thresholds": [60, 70, 80, 90]}, "star_thresholds"),
            ({"star_thresholds": [90, 80, 70]}, "star_thresholds"),
            ({"star_thresholds": [101, 80, 70, 60]}, "star_thresholds"),
            ({"five_star_cap": "1.5"}, "five_star_cap"),
            ({"veto_stars": 0}, "veto_stars"),
            ({"veto_reasons": ["a", "a"]}, "veto_reasons"),
            ({"veto_reasons": []}, "veto_reasons"),
        ):
            with pytest.raises(PluginSettingsError) as refused:
                set_overrides(PLUGIN, values)
            assert set(refused.value.errors) == {field}, values
        assert set_overrides(PLUGIN, {"fortress_formula": "max(score, 60) if stars >= 3 else score"})
