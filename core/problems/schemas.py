"""API schemas of the problem ledger and weak-and-lax organisations (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.fields import UtcDateTime
from core.problems.models import SEVERITIES, SOURCES, STATUSES, WEAK_STATUSES

_name = validate.Length(max=50)
_comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
_version = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1),
                      metadata={"description": "the version you read; a stale one is a 409"})


class ProblemInputSchema(Schema):
    org_id = fields.UUID(load_default=None, allow_none=True,
                         metadata={"description": "omit for source=warning: the warning's organisation"})
    source = fields.Str(required=True, validate=validate.OneOf(SOURCES))
    source_ref = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=100),
                            metadata={"description": "a warning id (source=warning), a cycle id, a document number"})
    category = fields.Str(required=True, validate=validate.Length(min=1, max=50))
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    description = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=10_000))
    severity = fields.Str(load_default="general", validate=validate.OneOf(SEVERITIES))
    found_on = fields.Date(load_default=None, allow_none=True)
    deadline = fields.Date(required=True)
    responsible_member_id = fields.UUID(load_default=None, allow_none=True)
    responsible_name = fields.Str(load_default=None, allow_none=True, validate=_name)
    designation_id = fields.UUID(load_default=None, allow_none=True)


class ProblemFromWarningSchema(Schema):
    category = fields.Str(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50))
    title = fields.Str(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    description = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=10_000))
    severity = fields.Str(load_default="general", validate=validate.OneOf(SEVERITIES))
    deadline = fields.Date(load_default=None, allow_none=True)
    responsible_member_id = fields.UUID(load_default=None, allow_none=True)
    responsible_name = fields.Str(load_default=None, allow_none=True, validate=_name)


class ProblemPatchSchema(Schema):
    """Only what is sent changes; ``version`` is required. A new ``deadline`` needs a
    ``deadline_reason``."""

    version = fields.Int(required=True, validate=validate.Range(min=1))
    category = fields.Str(validate=validate.Length(min=1, max=50))
    title = fields.Str(validate=validate.Length(min=1, max=200))
    description = fields.Str(allow_none=True, validate=validate.Length(max=10_000))
    severity = fields.Str(validate=validate.OneOf(SEVERITIES))
    source_ref = fields.Str(allow_none=True, validate=validate.Length(max=100))
    deadline = fields.Date()
    deadline_reason = fields.Str(validate=validate.Length(max=2000))
    responsible_member_id = fields.UUID(allow_none=True)
    responsible_name = fields.Str(allow_none=True, validate=_name)
    designation_id = fields.UUID(allow_none=True)


class ProblemStepSchema(Schema):
    comment = _comment
    version = _version


class ProblemSubmitSchema(ProblemStepSchema):
    rectification = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20_000),
                               metadata={"description": "整改措施 (required unless written before)"})


class ProblemReasonSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    version = _version


class ProblemReopenSchema(ProblemReasonSchema):
    deadline = fields.Date(load_default=None, allow_none=True)


class ProblemQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    source = fields.Str(load_default=None, validate=validate.OneOf(SOURCES))
    overdue = fields.Bool(load_default=None)
    year = fields.Int(load_default=None, validate=validate.Range(min=2000, max=2100))
    designation_id = fields.UUID(load_default=None)


class ProblemLedgerQuerySchema(Schema):
    org = fields.UUID(load_default=None)
    year = fields.Int(load_default=None, validate=validate.Range(min=2000, max=2100))


class ProblemEventSchema(Schema):
    id = fields.UUID()
    kind = fields.Str()
    label = fields.Str()
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str(allow_none=True)
    comment = fields.Str(allow_none=True)
    details = fields.Dict(allow_none=True)
    actor_label = fields.Str()
    actor_user_id = fields.UUID(allow_none=True)
    created_at = UtcDateTime()


class ProblemEvidenceSchema(Schema):
    id = fields.UUID()
    problem_id = fields.UUID()
    text = fields.Str(allow_none=True)
    has_file = fields.Bool()
    original_name = fields.Str(allow_none=True)
    file_type = fields.Str(allow_none=True)
    content_type = fields.Str(allow_none=True)
    size = fields.Int(allow_none=True)
    uploaded_by = fields.Str()
    created_at = UtcDateTime()


class ProblemEvidenceFormSchema(Schema):
    """A multipart form: ``text`` and/or ``file`` (the file is read from the upload itself)."""

    text = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20_000))
    file = fields.Raw(load_default=None, metadata={"type": "string", "format": "binary"})


class ProblemSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    source = fields.Str()
    source_ref = fields.Str(allow_none=True)
    warning_id = fields.UUID(allow_none=True)
    designation_id = fields.UUID(allow_none=True)
    category = fields.Str()
    title = fields.Str()
    description = fields.Str(allow_none=True)
    severity = fields.Str()
    found_on = fields.Date()
    deadline = fields.Date()
    responsible_member_id = fields.UUID(allow_none=True)
    responsible_name = fields.Str(allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    overdue = fields.Bool()
    days_overdue = fields.Int()
    rectification = fields.Str(allow_none=True)
    submitted_at = UtcDateTime(allow_none=True)
    submitted_by = fields.Str(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    closed_by = fields.Str(allow_none=True)
    created_by = fields.Str()
    created_at = UtcDateTime()
    version = fields.Int()


class ProblemDetailSchema(ProblemSchema):
    can_close = fields.Bool(metadata={"description": "may the current user approve it now"})
    events = fields.List(fields.Nested(ProblemEventSchema))
    evidence = fields.List(fields.Nested(ProblemEvidenceSchema))


class WeakDesignationInputSchema(Schema):
    org_id = fields.UUID(required=True)
    year = fields.Int(required=True, validate=validate.Range(min=2000, max=2100))
    reason_category = fields.Str(required=True, validate=validate.Length(min=1, max=50))
    description = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=10_000))
    rectification_plan = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20_000))
    leader_name = fields.Str(load_default=None, allow_none=True, validate=_name)
    instructor_name = fields.Str(load_default=None, allow_none=True, validate=_name)
    designated_on = fields.Date(load_default=None, allow_none=True)
    problem_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=500))


class WeakDesignationPatchSchema(Schema):
    version = fields.Int(required=True, validate=validate.Range(min=1))
    year = fields.Int(validate=validate.Range(min=2000, max=2100))
    reason_category = fields.Str(validate=validate.Length(min=1, max=50))
    description = fields.Str(allow_none=True, validate=validate.Length(max=10_000))
    rectification_plan = fields.Str(allow_none=True, validate=validate.Length(max=20_000))
    leader_name = fields.Str(allow_none=True, validate=_name)
    instructor_name = fields.Str(allow_none=True, validate=_name)


class WeakDesignationQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    status = fields.Str(load_default=None, validate=validate.OneOf(WEAK_STATUSES))
    year = fields.Int(load_default=None, validate=validate.Range(min=2000, max=2100))
    active = fields.Bool(load_default=None, metadata={"description": "not de-listed"})


class WeakDesignationSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    year = fields.Int()
    reason_category = fields.Str()
    description = fields.Str(allow_none=True)
    rectification_plan = fields.Str(allow_none=True)
    leader_name = fields.Str(allow_none=True)
    instructor_name = fields.Str(allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    designated_on = fields.Date()
    designated_by = fields.Str()
    started_at = UtcDateTime(allow_none=True)
    delisted_on = fields.Date(allow_none=True)
    delisted_by = fields.Str(allow_none=True)
    delisting_comment = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    version = fields.Int()


class LinkedProblemSchema(Schema):
    id = fields.UUID()
    title = fields.Str()
    status = fields.Str()
    deadline = fields.Date()
    overdue = fields.Bool()


class WeakDesignationDetailSchema(WeakDesignationSchema):
    problems = fields.List(fields.Nested(LinkedProblemSchema))
    events = fields.List(fields.Nested(ProblemEventSchema))
    history = fields.List(fields.Nested(WeakDesignationSchema),
                          metadata={"description": "every designation of the organisation"})
