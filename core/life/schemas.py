"""API schemas of meetings (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.fields import UtcDateTime
from core.db.versioning import expected_version_field, version_field
from core.life.models import GRADES, KINDS

_text = validate.Length(max=200)


class AbsenceSchema(Schema):
    member_id = fields.UUID(required=True)
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))


class GradeSchema(Schema):
    member_id = fields.UUID(required=True)
    grade = fields.Str(required=True, validate=validate.OneOf(GRADES),
                       metadata={"description": "优秀 excellent / 合格 qualified / 基本合格 "
                                                "basically_qualified / 不合格 unqualified"})


class AttendanceInputSchema(Schema):
    present_member_ids = fields.List(fields.UUID(), load_default=list)
    absences = fields.List(fields.Nested(AbsenceSchema), load_default=list)
    late_member_ids = fields.List(fields.UUID(), load_default=list)


class AttendancePutSchema(AttendanceInputSchema):
    """The whole attendance of a meeting, with the meeting's ``version`` you read."""

    version = expected_version_field()


class MeetingInputSchema(AttendanceInputSchema):
    kind = fields.Str(required=True, validate=validate.OneOf(KINDS))
    org_id = fields.UUID(required=True)
    held_on = fields.Date(required=True)
    starts_at = fields.Time(load_default=None, allow_none=True)
    ends_at = fields.Time(load_default=None, allow_none=True)
    topic = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    host = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=50))
    lecturer = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=50))
    location = fields.Str(load_default=None, allow_none=True, validate=_text)
    minutes = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=100_000))
    is_election = fields.Bool(load_default=False)
    grades = fields.List(fields.Nested(GradeSchema), load_default=list)


class MeetingPatchSchema(Schema):
    """Only what is sent changes; ``present_member_ids`` replaces the whole attendance."""

    held_on = fields.Date()
    starts_at = fields.Time(allow_none=True)
    ends_at = fields.Time(allow_none=True)
    topic = fields.Str(validate=validate.Length(min=1, max=300))
    host = fields.Str(allow_none=True, validate=validate.Length(max=50))
    lecturer = fields.Str(allow_none=True, validate=validate.Length(max=50))
    location = fields.Str(allow_none=True, validate=_text)
    minutes = fields.Str(allow_none=True, validate=validate.Length(max=100_000))
    present_member_ids = fields.List(fields.UUID())
    absences = fields.List(fields.Nested(AbsenceSchema))
    late_member_ids = fields.List(fields.UUID())
    grades = fields.List(fields.Nested(GradeSchema))
    version = expected_version_field()


class MeetingQuerySchema(Schema):
    kind = fields.Str(load_default=None, validate=validate.OneOf(KINDS))
    org_id = fields.UUID(load_default=None)
    subtree_of = fields.UUID(load_default=None)
    date_from = fields.Date(load_default=None, data_key="from")
    date_to = fields.Date(load_default=None, data_key="to")


class RatesQuerySchema(Schema):
    subtree_of = fields.UUID(load_default=None)
    date_from = fields.Date(required=True, data_key="from")
    date_to = fields.Date(required=True, data_key="to")


class AttendanceSchema(Schema):
    member_id = fields.UUID()
    name = fields.Str()
    present = fields.Bool()
    late = fields.Bool()
    absence_reason = fields.Str(allow_none=True)


class GradeOutSchema(Schema):
    member_id = fields.UUID()
    grade = fields.Str()


class MeetingSchema(Schema):
    id = fields.UUID()
    kind = fields.Str()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    held_on = fields.Date()
    starts_at = fields.Time(allow_none=True)
    ends_at = fields.Time(allow_none=True)
    topic = fields.Str()
    host = fields.Str(allow_none=True)
    lecturer = fields.Str(allow_none=True)
    location = fields.Str(allow_none=True)
    minutes = fields.Str(allow_none=True)
    is_election = fields.Bool()
    eligible_count = fields.Int()
    present_count = fields.Int()
    voting_count = fields.Int()
    voting_present = fields.Int()
    attendance_rate = fields.Float(allow_none=True)
    quorum_met = fields.Bool(allow_none=True)
    election_valid = fields.Bool(allow_none=True)
    created_by = fields.Str()
    created_at = UtcDateTime()
    notices = fields.List(fields.Str())
    version = version_field()


class MeetingDetailSchema(MeetingSchema):
    attendance = fields.List(fields.Nested(AttendanceSchema))
    grades = fields.List(fields.Nested(GradeOutSchema))


class MemberRateSchema(Schema):
    member_id = fields.UUID()
    name = fields.Str()
    org_id = fields.UUID()
    expected = fields.Int()
    attended = fields.Int()
    rate = fields.Float(allow_none=True)


class AttachmentFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class AttachmentSchema(Schema):
    id = fields.UUID()
    meeting_id = fields.UUID()
    original_name = fields.Str()
    file_type = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    uploaded_by = fields.Str()
    created_at = UtcDateTime()
