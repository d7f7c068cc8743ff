"""Settings of the two_new sector plugin (两新: non-public enterprises and social
organisations), with the national defaults for terms, for 应建尽建 (a branch wherever there
are enough members) and for joint branches, and the local practice for the register's
survey (摸排) interval.

Every number is a default a city may override (``dangjian plugins set two_new ...``).
"""

from marshmallow import fields, validate

from core.sdk import TermSettings


class TwoNewSettings(TermSettings):
    """National terms plus the 应建尽建 thresholds and the register's survey interval."""

    branch_min_full_members = fields.Int(
        load_default=3,
        validate=validate.Range(min=1),
        metadata={
            "description": "Full members from which a unit must form its own branch "
            "(正式党员 3 人以上应单独建支部); fewer → a joint branch."
        },
    )
    joint_branch_max_units = fields.Int(
        load_default=5,
        validate=validate.Range(min=2),
        metadata={"description": "Most units one joint branch may cover (联合支部 ≤ 5 个单位)."},
    )
    survey_interval_months = fields.Int(
        load_default=12,
        validate=validate.Range(min=1, max=120),
        metadata={
            "description": "Months after which a unit's or a new-employment group's figures in "
            "the register are out of date and should be surveyed again (摸清底数, 每年摸排)."
        },
    )
