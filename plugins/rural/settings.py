"""Settings of the rural sector plugin (农村), with the national / common defaults.

Every number is a default a city may override (``dangjian plugins set rural ...``).
"""

from marshmallow import fields, validate

from core.sdk import FiveYearTermSettings


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
