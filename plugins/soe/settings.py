"""Settings of the soe sector plugin (国企): the national term lengths and the rules of SOE
Party building that a city may set differently.

Every number is a default a city may override (``dangjian plugins set soe ...``). The
indicator and warning parameters that share a meaning with a setting (the link weight, the
cross-appointment expectations, the days of prior review) take the setting as their
default, so a city changes it once.

Sources: 《中国共产党国有企业基层组织工作条例（试行）》(2019) — 党建工作要求写入公司章程, 党委
研究讨论是董事会、经理层决策重大问题的前置程序, 党委班子成员与董事会、经理层成员双向进入、交叉任职,
党委书记、董事长一般由一人担任, 党员总经理一般担任副书记, 党建工作考核结果与领导人员薪酬、奖惩挂钩.
The numbers below (the link weight, the headcount from which a full-time deputy secretary is
expected) are not fixed nationally; the defaults are common local practice.
"""

from marshmallow import fields, validate

from core.sdk import TermSettings, plugin_settings

PLUGIN = "soe"


class SoeSettings(TermSettings):
    """SOEs use the national terms: committee 5 years, general branch and branch 3; plus the
    expectations the soe indicators and warnings check."""

    performance_link_min_weight_pct = fields.Float(
        load_default=10.0,
        validate=validate.Range(min=0, max=100),
        metadata={
            "description": "Least weight, in %, the Party-building assessment must carry in the "
            "enterprise leaders' yearly performance assessment (党建工作考核结果与经营业绩考核挂钩"
            "的权重). No national figure: 10 % is a common local floor."
        },
    )
    performance_link_salary_required = fields.Bool(
        load_default=True,
        metadata={
            "description": "The Party-building assessment result must also bear on the leaders' "
            "pay (党建考核结果与企业领导人员薪酬挂钩)."
        },
    )
    prior_review_min_days = fields.Int(
        load_default=0,
        validate=validate.Range(min=0, max=90),
        metadata={
            "description": "Days the Party committee's prior study (前置研究讨论) must come before "
            "the board or management decides; 0: on the same day or earlier."
        },
    )
    secretary_chairman_same_person = fields.Bool(
        load_default=True,
        metadata={
            "description": "In an enterprise with a board, the Party secretary is expected to be "
            "the chairman (党委书记、董事长一般由一人担任，“一肩挑”)."
        },
    )
    full_time_deputy_secretary_min_employees = fields.Int(
        load_default=1000,
        validate=validate.Range(min=0),
        metadata={
            "description": "Employees from which an enterprise is expected to have a full-time "
            "deputy Party secretary (专职副书记); local practice, 1,000 by default."
        },
    )
    cross_appointment_min_members = fields.Int(
        load_default=1,
        validate=validate.Range(min=0, max=50),
        metadata={
            "description": "Party committee members other than the secretary expected to sit on "
            "the board or in management (双向进入、交叉任职)."
        },
    )


def settings() -> dict:
    """The soe settings in effect for the current tenant."""
    return plugin_settings(PLUGIN)


def setting(name: str):
    """One setting in effect (for the current tenant; outside any tenant, where an
    indicator's parameter defaults may be read, the default and global value)."""
    return settings()[name]
