"""Request and response shapes of the warnings API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.api.fields import UtcDateTime
from core.db.versioning import expected_version_field, version_field
from core.warnings.models import STATES
from core.warnings.rules import SEVERITIES, SUBJECTS


class WarningSchema(ma.Schema):
    id = fields.UUID()
    rule_key = fields.Str()
    rule_name = fields.Str(allow_none=True)
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    subject_type = fields.Str(allow_none=True)
    subject_id = fields.UUID(allow_none=True)
    severity = fields.Str()
    message = fields.Str()
    figures = fields.Dict()
    state = fields.Str()
    opened_at = UtcDateTime()
    last_seen_at = UtcDateTime()
    resolved_at = UtcDateTime(allow_none=True)
    acknowledged_at = UtcDateTime(allow_none=True)
    acknowledged_by = fields.Str(allow_none=True)
    acknowledged_by_user_id = fields.UUID(allow_none=True)
    acknowledgement_note = fields.Str(allow_none=True)
    version = version_field()


class WarningQuerySchema(ma.Schema):
    subtree_of = fields.UUID(load_default=None, metadata={"description": "an organisation and all below it"})
    org_id = fields.UUID(load_default=None)
    rule = fields.Str(load_default=None, validate=validate.Length(max=100))
    severity = fields.Str(load_default=None, validate=validate.OneOf(SEVERITIES))
    state = fields.Str(load_default="open", validate=validate.OneOf(STATES))
    subject_type = fields.Str(load_default=None, validate=validate.OneOf(SUBJECTS))


class AcknowledgeSchema(ma.Schema):
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    version = expected_version_field()


class SweepRequestSchema(ma.Schema):
    today = fields.Date(load_default=None, metadata={"description": "check as of this day (default today)"})
    rules = fields.List(fields.Str(validate=validate.Length(min=1, max=100)), load_default=None)


class JobStartedSchema(ma.Schema):
    job_id = fields.UUID()
    state = fields.Str()


class RuleSchema(ma.Schema):
    key = fields.Str()
    name = fields.Str()
    severity = fields.Str()
    subject = fields.Str()
    sectors = fields.List(fields.Str())
    message = fields.Str()
    enabled = fields.Bool()
    defaults = fields.Dict()
    overrides = fields.Dict()
    params = fields.Dict(allow_none=True, metadata={"description": "effective parameters"})
    error = fields.Str(allow_none=True, metadata={"description": "why stored overrides are invalid"})
    version = version_field()


class RuleUpdateSchema(ma.Schema):
    enabled = fields.Bool(load_default=None)
    params = fields.Dict(load_default=None, metadata={"description": "overrides; {} restores the defaults"})
    version = expected_version_field()


class RankingQuerySchema(ma.Schema):
    subtree_of = fields.UUID(load_default=None)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    kind = fields.Str(
        load_default="branch",
        validate=validate.OneOf(("committee", "general_branch", "branch", "joint_branch", "group")),
    )
    limit = fields.Int(load_default=10, validate=validate.Range(min=1, max=500))
    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "xlsx")))

    @ma.validates_schema
    def _period(self, data, **kwargs):
        if data["period_end"] < data["period_start"]:
            raise ma.ValidationError("period_end is before period_start.", "period_end")


class RankingRowSchema(ma.Schema):
    org_id = fields.UUID()
    name = fields.Str()
    code = fields.Str()
    score = fields.Int()
    warnings = fields.Int()
    serious = fields.Int()
    warning = fields.Int()
    info = fields.Int()


class RankingSchema(ma.Schema):
    best = fields.List(fields.Nested(RankingRowSchema), metadata={"description": "红榜"})
    worst = fields.List(fields.Nested(RankingRowSchema), metadata={"description": "黑榜"})
