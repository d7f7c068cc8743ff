"""Settings of the organs sector plugin (机关), with the national defaults for terms.

Every number is a default a city may override (``dangjian plugins set organs ...``).
"""

from marshmallow import Schema, fields, validate


class OrgansSettings(Schema):
    committee_term_years = fields.Int(
        load_default=5,
        validate=validate.Range(min=1, max=10),
        metadata={"description": "Term of a primary Party committee, in years (基层党委 5 年)."},
    )
    branch_term_years = fields.Int(
        load_default=3,
        validate=validate.Range(min=1, max=10),
        metadata={
            "description": "Term of a general branch or a branch, in years (总支、支部 3 年)."
        },
    )
