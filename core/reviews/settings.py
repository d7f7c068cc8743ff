"""The secretaries' review's tenant settings (``core.reviews.plugin``), read with
:func:`core.plugins.settings.effective_settings` (global defaults, then the tenant's
overrides). How they combine into a grade is :mod:`core.reviews.grading`.

* ``weight_members``, ``weight_peers``, ``weight_higher`` — the weight of each rater group
  (党员评议, 同级书记互评, 上级党组织评议); a group nobody in rated drops out and the others
  share its weight.
* ``score_good``, ``score_fairly_good``, ``score_average``, ``score_poor`` — the points one
  rating of 好 / 较好 / 一般 / 差 is worth (0–100).
* ``assessment_weight`` — the share (0–1) of the organisation's result in that year's
  published star-rating cycle (评星定级) in the grade; the ratings have the rest.
* ``warning_deduction`` — points taken off per warning of the organisation still open at
  publication, at most ``warning_deduction_cap`` in all.
* ``grade_good``, ``grade_fairly_good``, ``grade_average`` — the lowest score of each grade
  (好 / 较好 / 一般); below ``grade_average`` is 差.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

PLUGIN = "core.reviews.plugin"

_weight = validate.Range(min=0, max=100)
_points = validate.Range(min=0, max=100)


def _number(default, check, description):
    return fields.Float(load_default=default, validate=check, allow_nan=False,
                        metadata={"description": description})


class ReviewsSettingsSchema(Schema):
    weight_members = _number(30, _weight, "党员评议的权重（无人评议时由其他评议主体分担）")
    weight_peers = _number(30, _weight, "同级书记互评的权重")
    weight_higher = _number(40, _weight, "上级党组织评议的权重")
    score_good = _number(100, _points, "一票“好”折合的分数（0–100）")
    score_fairly_good = _number(85, _points, "一票“较好”折合的分数")
    score_average = _number(70, _points, "一票“一般”折合的分数")
    score_poor = _number(50, _points, "一票“差”折合的分数")
    assessment_weight = _number(0.3, validate.Range(min=0, max=1),
                                "当年评星定级得分在综合得分中所占比例（0–1），其余为测评得分")
    warning_deduction = _number(2, validate.Range(min=0, max=100), "公布时每条未处理预警扣减的分数")
    warning_deduction_cap = _number(10, validate.Range(min=0, max=100), "预警扣分的上限")
    grade_good = _number(90, _points, "评为“好”的最低分")
    grade_fairly_good = _number(80, _points, "评为“较好”的最低分")
    grade_average = _number(60, _points, "评为“一般”的最低分，低于此分为“差”")

    @validates_schema
    def _consistent(self, data, **kwargs):
        weights = [data.get(k, 0) for k in ("weight_members", "weight_peers", "weight_higher")]
        if sum(weights) <= 0:
            raise ValidationError("At least one rater group needs a weight above 0.", "weight_higher")
        good, fair, average = (data.get("grade_good"), data.get("grade_fairly_good"),
                               data.get("grade_average"))
        if None not in (good, fair, average) and not good > fair > average:
            raise ValidationError("Must be above grade_fairly_good, which must be above grade_average.",
                                  "grade_good")


def settings() -> dict:
    """The current tenant's effective settings."""
    from core.plugins.settings import effective_settings

    return effective_settings(PLUGIN)
