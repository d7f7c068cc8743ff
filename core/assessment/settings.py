"""The tenant's assessment settings (评星定级): star thresholds, the five-star cap, the veto
list and the two index formulas.

Declared as core.assessment.plugin's settings schema, read with
``effective_settings("core.assessment.plugin")`` (:func:`current`), written by a tenant
administrator through ``PUT /api/v1/cycles/settings`` (``set_overrides``: a bad value is a
422 naming the setting, nothing written).

Every number is local practice; the defaults are the common scheme (DESIGN.md): ≥ 90 five
stars, ≥ 80 four, ≥ 70 three, ≥ 60 two, else one; no cap; a veto gives one star.

The formulas are expressions over named figures (see :mod:`core.assessment.indices` for the
names), evaluated with ``simpleeval``; each is checked when written: a syntax error, an
unknown name or function, or a formula that cannot be computed on sample figures is refused
naming ``fortress_formula`` / ``vanguard_formula``.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates

PLUGIN = "core.assessment.plugin"

DEFAULT_THRESHOLDS = [Decimal("90"), Decimal("80"), Decimal("70"), Decimal("60")]
DEFAULT_VETO_REASONS = [
    "发生严重违纪违法案件",
    "发生重大安全责任事故或群体性事件",
    "党组织书记受到党纪政务处分",
    "出现违规发展党员问题",
    "意识形态领域出现严重问题",
]
DEFAULT_FORTRESS = "score"
DEFAULT_VANGUARD = "points"


class AssessmentSettingsSchema(Schema):
    star_thresholds = fields.List(
        fields.Decimal(places=2, validate=validate.Range(min=0, max=100), as_string=True),
        load_default=lambda: list(DEFAULT_THRESHOLDS),
        validate=validate.Length(equal=4),
        metadata={"description": "五星、四星、三星、二星的最低得分（从高到低，4 个数）；低于最后一个为一星"},
    )
    five_star_cap = fields.Decimal(
        places=4, as_string=True, allow_none=True, load_default=None,
        validate=validate.Range(min=0, max=1),
        metadata={"description": "五星组织占参评组织的最高比例（0–1，如 0.2）；空：不限"},
    )
    veto_reasons = fields.List(
        fields.Str(validate=[validate.Length(min=1, max=200), validate.Regexp(r"^[^\x00]*$")]),
        load_default=lambda: list(DEFAULT_VETO_REASONS),
        validate=validate.Length(min=1, max=100),
        metadata={"description": "一票否决事项"},
    )
    veto_stars = fields.Int(
        load_default=1, validate=validate.Range(min=1, max=5),
        metadata={"description": "一票否决后的星级"},
    )
    fortress_formula = fields.Str(
        load_default=DEFAULT_FORTRESS, validate=validate.Length(min=1, max=1000),
        metadata={"description": "战斗堡垒指数公式（score, stars, members, avg_points, ind_<指标>…）"},
    )
    vanguard_formula = fields.Str(
        load_default=DEFAULT_VANGUARD, validate=validate.Length(min=1, max=1000),
        metadata={"description": "先锋指数公式（points, branch_score, branch_stars, rank_in_branch, branch_size）"},
    )

    @validates("star_thresholds")
    def _descending(self, value, **kwargs):
        if any(value[i] <= value[i + 1] for i in range(len(value) - 1)):
            raise ValidationError("The thresholds must go strictly down: five stars first.")

    @validates("veto_reasons")
    def _distinct(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("A veto reason is listed twice.")

    @validates("fortress_formula")
    def _fortress(self, value, **kwargs):
        from core.assessment.indices import FORTRESS, check_formula

        check_formula(value, FORTRESS)

    @validates("vanguard_formula")
    def _vanguard(self, value, **kwargs):
        from core.assessment.indices import VANGUARD, check_formula

        check_formula(value, VANGUARD)


def current() -> dict:
    """The current tenant's effective assessment settings."""
    from core.plugins.settings import effective_settings

    return effective_settings(PLUGIN)
