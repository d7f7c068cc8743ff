"""Each scoring kind of core.assessment.indicators.score: the points, the clamping and the
explanation carrying the figures. No database: scoring is pure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import Schema, fields

from core.assessment.indicators import Indicator, Measurement, score, to_points


def _measure(ctx):
    return {}


class TargetParams(Schema):
    target = fields.Float(load_default=12)
    op = fields.Str(load_default=">=")


class DeductionParams(Schema):
    per_unit = fields.Float(load_default=2)


class ChecklistParams(Schema):
    weights = fields.Dict(load_default=dict)


def indicator(scoring: str, **more) -> Indicator:
    params = {"threshold": TargetParams, "proportional": TargetParams,
              "deduction": DeductionParams, "checklist": ChecklistParams}.get(scoring)
    return Indicator(key=f"test.{scoring}", name="测试指标", scoring=scoring, max_points=10,
                     measure=None if scoring == "manual" else _measure, params=params,
                     unit="次", **more)


# -- threshold ---------------------------------------------------------------------------


def test_threshold_at_least():
    ind = indicator("threshold", explain="全年召开 {value} 次")
    met = score(ind, Measurement(12), {"target": 12}, 8)
    assert met.points == Decimal("8.00") and met.weight == Decimal("8.00")
    assert "全年召开 12 次" in met.explanation and "≥ 12次" in met.explanation
    assert "达标" in met.explanation and "8/8" in met.explanation
    short = score(ind, Measurement(11), {"target": 12}, 8)
    assert short.points == Decimal("0.00")
    assert "全年召开 11 次" in short.explanation and "未达标" in short.explanation


def test_threshold_at_most():
    ind = indicator("threshold")
    assert score(ind, Measurement(3), {"target": 3, "op": "<="}, 5).points == Decimal("5.00")
    over = score(ind, Measurement(Decimal("3.5")), {"target": 3, "op": "<="}, 5)
    assert over.points == 0 and "≤ 3次" in over.explanation and "3.50" in over.explanation


def test_threshold_without_data_is_never_met():
    ind = indicator("threshold")
    none = score(ind, Measurement(None), {"target": 3, "op": "<="}, 5)
    assert none.points == 0 and "无数据" in none.explanation
    assert score(ind, Measurement(None), {"target": 0}, 5).points == 0


# -- proportional ------------------------------------------------------------------------


def test_proportional_share_and_cap():
    ind = indicator("proportional", explain="召开 {value} 次")
    half = score(ind, Measurement(6), {"target": 12}, 10)
    assert half.points == Decimal("5.00")
    assert "召开 6 次" in half.explanation and "完成 50%" in half.explanation and "5/10" in half.explanation
    capped = score(ind, Measurement(30), {"target": 12}, 10)
    assert capped.points == Decimal("10.00") and "完成 100%" in capped.explanation
    third = score(ind, Measurement(4), {"target": 12}, 10)
    assert third.points == Decimal("3.33")
    assert score(ind, Measurement(None), {"target": 12}, 10).points == 0
    assert score(ind, Measurement(-3), {"target": 12}, 10).points == 0


# -- checklist ---------------------------------------------------------------------------


def test_checklist_equal_weights():
    ind = indicator("checklist")
    result = score(ind, Measurement(items={"书记在任": True, "按期换届": False, "规模": True, "支委会": True}),
                   {}, 12)
    assert result.points == Decimal("9.00")
    assert "3/4 项达标" in result.explanation and "未达项：按期换届" in result.explanation


def test_checklist_with_weights():
    ind = indicator("checklist")
    items = {"a": True, "b": False, "c": False}
    result = score(ind, Measurement(items=items), {"weights": {"a": 3, "b": 1}}, 10)
    # a (3) of 3 + 1 + 1 (c has the default weight 1) → 3/5 of 10
    assert result.points == Decimal("6.00")
    assert "未达项：b、c" in result.explanation
    assert score(ind, Measurement(items={}), {}, 10).points == 0


# -- manual ------------------------------------------------------------------------------


def test_manual_unscored_scored_and_clamped():
    ind = indicator("manual")
    waiting = score(ind, Measurement(), {}, 10)
    assert waiting.points == 0 and "待评分" in waiting.explanation and "10" in waiting.explanation
    scored = score(ind, Measurement(), {}, 10, manual_points=Decimal("7.5"), manual_reason="材料齐全")
    assert scored.points == Decimal("7.50")
    assert "7.50/10" in scored.explanation and "材料齐全" in scored.explanation
    assert score(ind, Measurement(), {}, 10, manual_points=15).points == Decimal("10.00")
    assert score(ind, Measurement(), {}, 10, manual_points=-3).points == Decimal("0.00")


# -- deduction ---------------------------------------------------------------------------


def test_deduction_per_unit_never_below_zero():
    ind = indicator("deduction", explain="严重预警 {value} 条")
    two = score(ind, Measurement(2), {"per_unit": 2}, 10)
    assert two.points == Decimal("6.00")
    assert "严重预警 2 条" in two.explanation and "扣 4 分" in two.explanation and "6/10" in two.explanation
    many = score(ind, Measurement(9), {"per_unit": 2}, 10)
    assert many.points == Decimal("0.00") and "扣 10 分" in many.explanation
    assert score(ind, Measurement(0), {"per_unit": 2}, 10).points == Decimal("10.00")
    assert score(ind, Measurement(None), {"per_unit": 2}, 10).points == Decimal("10.00")
    assert score(ind, Measurement(-4), {"per_unit": 2}, 10).points == Decimal("10.00")


# -- explanations ------------------------------------------------------------------------


def test_explanation_uses_evidence_and_params_and_survives_bad_templates():
    ind = indicator("proportional", explain="{meetings} 次会议，目标 {target}，缺 {missing}")
    result = score(ind, Measurement(3, evidence={"meetings": 3}), {"target": 12}, 4)
    assert result.explanation.startswith("3 次会议，目标 12，缺 {missing}")
    assert result.evidence == {"meetings": 3}
    broken = indicator("proportional", explain="坏模板 {0")
    assert score(broken, Measurement(1), {"target": 2}, 4).explanation.startswith("坏模板 {0")


def test_item_scores_add_up_exactly():
    ind = indicator("proportional")
    parts = [score(ind, Measurement(v), {"target": 3}, w) for v, w in ((1, 10), (2, 10), (1, 7))]
    assert sum(p.points for p in parts) == Decimal("3.33") + Decimal("6.67") + Decimal("2.33")
    assert all(p.points == p.points.quantize(Decimal("0.01")) for p in parts)


@pytest.mark.parametrize("bad", [
    dict(key="nodot", scoring="threshold"),
    dict(key="t.x", scoring="bogus"),
    dict(key="t.x", scoring="threshold", max_points=0),
    dict(key="t.x", scoring="manual", measure=_measure),
    dict(key="t.x", scoring="threshold", params=None),
    dict(key="t.x", scoring="threshold", kinds=("village",)),
])
def test_indicator_declarations_are_checked(bad):
    values = dict(name="x", max_points=5, measure=_measure, params=TargetParams) | bad
    with pytest.raises(ValueError):
        Indicator(**values)


def test_to_points_goes_through_str():
    assert to_points(0.1 + 0.2) == Decimal("0.30")
    assert to_points(Decimal("2.345")) == Decimal("2.35")
