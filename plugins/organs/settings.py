"""Settings of the organs sector plugin (机关): the national term lengths plus the organs'
own numbers, each a default a city may override (``dangjian plugins set organs ...``).

* Party-work staffing (机关党务干部配备): full-time Party-work staff (专职党务干部) of at
  least ``party_staff_ratio_percent`` (1) % of the organ's staff (在编人数), rounded up, and
  at least one for an organ of ``party_staff_min_organ_size`` (50) staff or more; a smaller
  organ may do its Party work part-time. The common rule of the 机关基层组织工作条例 and
  the local implementing rules.
* 模范机关 criteria (``model_organ_criteria``): the fixed list a self-assessment ticks — the
  three 表率 of the 中央和国家机关党的建设工作会议 (seed 001), the five areas of Party
  building, and 党建与业务融合. A city may replace the list with its own.
* 一机关一品牌: ``brand_milestone_grace_days`` (0) a milestone may be done after its due day
  and still count as on time.
* 党建与业务融合: ``business_goals_due_month`` (3) — the year's goals are set by the end of
  this month.

Indicator and warning parameters that mean the same thing default to these settings (a
parameter left unset reads the setting when measured), so a city changes a number once.
"""

from marshmallow import ValidationError, fields, validate

from core.sdk import TermSettings, plugin_settings

PLUGIN = "organs"

# 模范机关创建: 三个表率 (seed 001) + 五大建设 + 制度建设 + 党建业务融合.
DEFAULT_MODEL_CRITERIA = (
    "政治建设作表率",  # 在始终同党中央保持高度一致上作表率
    "理论武装作表率",  # 在深入学习贯彻新时代中国特色社会主义思想上作表率
    "贯彻落实作表率",  # 在坚决贯彻落实党中央各项决策部署上作表率
    "组织建设",
    "作风建设",
    "纪律建设",
    "制度建设",
    "党建业务融合",
)


def _distinct(values: list) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("Criteria must not repeat.")


class OrgansSettings(TermSettings):
    """Organs use the national terms (committee 5 years, general branch and branch 3) and
    the staffing, 模范机关, brand and business-goal numbers below."""

    party_staff_ratio_percent = fields.Float(
        load_default=1.0,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "Full-time Party-work staff (专职党务干部) an organ needs, in % "
                                 "of its staff (在编人数), rounded up (机关党务干部按不低于 1% 配备)."},
    )
    party_staff_min_organ_size = fields.Int(
        load_default=50,
        validate=validate.Range(min=1, max=1_000_000),
        metadata={"description": "Staff from which an organ must have at least one full-time "
                                 "Party-work cadre (and the ratio applies); smaller organs may "
                                 "do Party work part-time (兼职)."},
    )
    model_organ_criteria = fields.List(
        fields.Str(validate=validate.Length(min=1, max=50)),
        load_default=lambda: list(DEFAULT_MODEL_CRITERIA),
        validate=[validate.Length(min=1, max=30), _distinct],
        metadata={"description": "The criteria a 模范机关 self-assessment ticks (创建模范机关评价项); "
                                 "the model_organ indicator scores them as a checklist."},
    )
    brand_milestone_grace_days = fields.Int(
        load_default=0,
        validate=validate.Range(min=0, max=365),
        metadata={"description": "Days after its due day a brand milestone (一机关一品牌创建节点) "
                                 "may be done and still count as on time; the overdue warning "
                                 "waits as long."},
    )
    business_goals_due_month = fields.Int(
        load_default=3,
        validate=validate.Range(min=1, max=12),
        metadata={"description": "Month by whose end an organ sets the year's business goals "
                                 "with their Party measures (党建与业务融合目标, 每年一季度制定)."},
    )


def settings() -> dict:
    """The organs settings in effect for the current tenant."""
    return plugin_settings(PLUGIN)
