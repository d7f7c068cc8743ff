"""Settings of the rural sector plugin (农村), with the national / common defaults.

Every number is a default a city may override (``dangjian plugins set rural ...``). The
indicator and warning parameters that share a meaning with a setting (the income target, the
years without recruiting) take the setting as their default, so a city changes it once.
"""

from marshmallow import fields, validate

from core.sdk import FiveYearTermSettings, plugin_settings

PLUGIN = "rural"

# 无职党员设岗定责: the posts the seeds name (政策宣传、纠纷调解、民意报告、村务监督、扶贫济困、
# 科普辅导、信息传递、产品推销、义务家长) and two common ones; a suggestion list, not a limit.
DEFAULT_DUTY_POSTS = (
    "政策宣传岗", "纠纷调解岗", "民意报告岗", "村务监督岗", "扶贫济困岗", "科普辅导岗",
    "信息传递岗", "产品推销岗", "义务家长岗", "环境监督岗", "治安巡逻岗",
)


class RuralSettings(FiveYearTermSettings):
    """Village terms (5 years) plus the rural targets."""

    collective_income_target_wan = fields.Float(
        load_default=5.0,
        validate=validate.Range(min=0),
        metadata={
            "description": "Yearly operating income every village collective should reach, "
            "in 万元 (村级集体经济经营性收入 ≥ 5万元)."
        },
    )
    no_recruit_years_warning = fields.Int(
        load_default=3,
        validate=validate.Range(min=1, max=10),
        metadata={
            "description": "Years without recruiting a member after which a village is "
            "flagged (3年以上未发展党员村)."
        },
    )
    village_committee_term_years = fields.Int(
        load_default=5,
        validate=validate.Range(min=1, max=10),
        metadata={
            "description": "Term of a villagers' committee (村民委员会), in years (5 年, "
            "elected together with the village Party organisation: 村“两委”同步换届)."
        },
    )
    duty_posts = fields.List(
        fields.Str(validate=validate.Length(min=1, max=50)),
        load_default=lambda: list(DEFAULT_DUTY_POSTS),
        validate=validate.Length(max=100),
        metadata={
            "description": "The duty posts suggested to villages for members without a post "
            "(无职党员设岗定责); villages may name others."
        },
    )


def settings() -> dict:
    """The rural settings in effect for the current tenant."""
    return plugin_settings(PLUGIN)
