"""Settings of the community sector plugin (社区), with the national default.

Every number is a default a city may override (``dangjian plugins set community ...``).
"""

from marshmallow import Schema, fields, validate


class CommunitySettings(Schema):
    term_years = fields.Int(
        load_default=5,
        validate=validate.Range(min=1, max=10),
        metadata={
            "description": "Term of a community Party organisation, in years (社区党组织 5 年)."
        },
    )
