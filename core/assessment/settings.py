"""Being written for issue 5."""

from marshmallow import Schema


class AssessmentSettingsSchema(Schema):
    pass
