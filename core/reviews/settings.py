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


def _number(default, check):
    return fields.Float(load_default=default, validate=check, allow_nan=False)


class ReviewsSettingsSchema(Schema):
    weight_members = _number(30, _weight)
    weight_peers = _number(30, _weight)
    weight_higher = _number(40, _weight)
    score_good = _number(100, _points)
    score_fairly_good = _number(85, _points)
    score_average = _number(70, _points)
    score_poor = _number(50, _points)
    assessment_weight = _number(0.3, validate.Range(min=0, max=1))
    warning_deduction = _number(2, validate.Range(min=0, max=100))
    warning_deduction_cap = _number(10, validate.Range(min=0, max=100))
    grade_good = _number(90, _points)
    grade_fairly_good = _number(80, _points)
    grade_average = _number(60, _points)

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
