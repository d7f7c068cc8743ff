"""The grade formula (core.reviews.grading) with exact numbers: every rater group, missing
groups, no assessment result, no rating, open warnings and their cap, tenant settings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.reviews import grading
from core.reviews.settings import ReviewsSettingsSchema

DEFAULTS = ReviewsSettingsSchema().load({})


def settings(**changes) -> dict:
    return {**DEFAULTS, **changes}


def test_defaults_are_the_documented_ones():
    assert DEFAULTS["weight_members"] == 30 and DEFAULTS["weight_peers"] == 30
    assert DEFAULTS["weight_higher"] == 40 and DEFAULTS["assessment_weight"] == 0.3
    assert (DEFAULTS["score_good"], DEFAULTS["score_fairly_good"], DEFAULTS["score_average"],
            DEFAULTS["score_poor"]) == (100, 85, 70, 50)
    assert (DEFAULTS["grade_good"], DEFAULTS["grade_fairly_good"], DEFAULTS["grade_average"]) == (90, 80, 60)


def test_every_group_and_an_assessment_result():
    # members (100 + 85) / 2 = 92.5, peers 70, higher 100
    # R = (30·92.5 + 30·70 + 40·100) / 100 = 88.75; base = 0.7·88.75 + 0.3·80 = 86.125
    result = grading.compute({"members": ["good", "fairly_good"], "peers": ["average"], "higher": ["good"]},
                             Decimal("80"), 0, settings())
    assert result.score == Decimal("86.13")
    assert result.grade == "fairly_good"
    assert result.breakdown["rating_score"] == "88.75"
    assert result.breakdown["base"] == "86.13"
    assert result.breakdown["groups"]["members"] == {"count": 2, "average": "92.50", "weight": "30", "used": True}
    assert result.breakdown["assessment_weight"] == "0.3"


def test_a_missing_group_shares_its_weight_and_a_warning_deducts():
    # R = (30·100 + 40·85) / 70 = 91.428571…; no assessment: base = R; one warning: − 2
    result = grading.compute({"members": ["good"], "higher": ["fairly_good"]}, None, 1, settings())
    assert result.score == Decimal("89.43")
    assert result.grade == "fairly_good"  # 91.43 before the deduction would have been 好
    assert result.breakdown["groups"]["peers"]["used"] is False
    assert result.breakdown["assessment_score"] is None and result.breakdown["assessment_weight"] is None
    assert result.breakdown["deduction"] == "2.00"


def test_only_an_assessment_result():
    result = grading.compute({}, Decimal("95"), 0, settings())
    assert (result.score, result.grade) == (Decimal("95.00"), "good")
    assert result.breakdown["rating_score"] is None


def test_the_warning_deduction_is_capped():
    # base = 0.7·100 + 0.3·55 = 86.5; 7 warnings · 2 = 14, capped at 10 → 76.5
    result = grading.compute({"higher": ["good"]}, Decimal("55"), 7, settings())
    assert (result.score, result.grade) == (Decimal("76.50"), "average")
    assert result.breakdown["open_warnings"] == 7


def test_poor_and_the_floor_at_zero():
    assert grading.compute({"higher": ["poor", "poor"]}, None, 0, settings()).grade == "poor"
    floored = grading.compute({"higher": ["poor"]}, None, 40, settings(warning_deduction=5, warning_deduction_cap=100))
    assert floored.score == Decimal("0.00")


def test_neither_ratings_nor_assessment_cannot_be_graded():
    with pytest.raises(grading.Ungradable):
        grading.compute({}, None, 3, settings())


def test_tenant_settings_change_the_grade():
    # members weigh nothing: their 差 does not count; the assessment result (70) is all
    result = grading.compute({"members": ["poor"]}, Decimal("70"), 0, settings(weight_members=0))
    assert (result.score, result.grade) == (Decimal("70.00"), "average")
    # other points per rating and thresholds: 较好 = 92, 好 from 95
    custom = settings(score_fairly_good=92, grade_good=95, grade_fairly_good=85, assessment_weight=0)
    result = grading.compute({"higher": ["fairly_good"], "peers": ["good"]}, Decimal("10"), 0, custom)
    # R = (40·92 + 30·100) / 70 = 95.428571… → 95.43 ≥ 95
    assert (result.score, result.grade) == (Decimal("95.43"), "good")


def test_an_assessment_score_above_100_is_clamped():
    assert grading.compute({}, Decimal("120"), 0, settings()).score == Decimal("100.00")


def test_settings_refuse_inconsistent_thresholds_and_weights():
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as refused:
        ReviewsSettingsSchema().load({"grade_good": 70, "grade_fairly_good": 80})
    assert "grade_good" in refused.value.messages
    with pytest.raises(ValidationError) as refused:
        ReviewsSettingsSchema().load({"weight_members": 0, "weight_peers": 0, "weight_higher": 0})
    assert "weight_higher" in refused.value.messages
