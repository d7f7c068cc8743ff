"""API schemas of pairings, their tasks and joint activities (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.fields import UtcDateTime
from core.db.versioning import expected_version_field, version_field
from core.pairings.models import ACTIVITY_KINDS, STATUSES

_text = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=10_000))
_count = fields.Int(load_default=0, validate=validate.Range(min=0, max=100_000))


class PairingInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={
        "description": "the initiating side: an organ, SOE or enterprise organisation (机关、国企、两新)"})
    partner_org_id = fields.UUID(required=True, metadata={
        "description": "the village or community organisation (村、社区)"})
    started_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "default: today"})
    goals = _text
    contact = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=50))


class PairingPatchSchema(Schema):
    version = expected_version_field()
    started_on = fields.Date()
    goals = fields.Str(allow_none=True, validate=validate.Length(max=10_000))
    contact = fields.Str(allow_none=True, validate=validate.Length(max=50))


class PairingDissolveSchema(Schema):
    version = expected_version_field()
    ended_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "default: today"})
    end_reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class PairingQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={
        "description": "pairings with either side in this organisation's subtree"})
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))


class PairingSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    partner_org_id = fields.UUID()
    partner_name = fields.Str()
    started_on = fields.Date()
    goals = fields.Str(allow_none=True)
    contact = fields.Str(allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.Str(allow_none=True)
    created_by = fields.Str()
    ended_by = fields.Str(allow_none=True)
    activities = fields.Int(metadata={"description": "joint activities recorded"})
    last_activity_on = fields.Date(allow_none=True)
    tasks = fields.Int()
    tasks_done = fields.Int()
    created_at = UtcDateTime()
    version = version_field()


class PairingTaskInputSchema(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    due_on = fields.Date(load_default=None, allow_none=True)
    done = fields.Bool(load_default=False)
    done_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "default for a task done: today"})
    result = _text


class PairingTaskPatchSchema(Schema):
    version = expected_version_field()
    title = fields.Str(validate=validate.Length(min=1, max=200))
    due_on = fields.Date(allow_none=True)
    done = fields.Bool()
    done_on = fields.Date(allow_none=True)
    result = fields.Str(allow_none=True, validate=validate.Length(max=10_000))


class PairingTaskSchema(Schema):
    id = fields.UUID()
    pairing_id = fields.UUID()
    title = fields.Str()
    due_on = fields.Date(allow_none=True)
    done = fields.Bool()
    done_on = fields.Date(allow_none=True)
    result = fields.Str(allow_none=True)
    overdue = fields.Bool()
    version = version_field()


class PairingActivityInputSchema(Schema):
    held_on = fields.Date(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    topic = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    org_participants = _count
    partner_participants = _count
    participants_note = _text
    results = _text
    meeting_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "a joint org-life meeting (kind joint_meeting): the meeting one side held "
                       "that day; it then counts for the other side too"})


class PairingActivityPatchSchema(Schema):
    version = expected_version_field()
    held_on = fields.Date()
    kind = fields.Str(validate=validate.OneOf(ACTIVITY_KINDS))
    topic = fields.Str(validate=validate.Length(min=1, max=300))
    org_participants = fields.Int(validate=validate.Range(min=0, max=100_000))
    partner_participants = fields.Int(validate=validate.Range(min=0, max=100_000))
    participants_note = fields.Str(allow_none=True, validate=validate.Length(max=10_000))
    results = fields.Str(allow_none=True, validate=validate.Length(max=10_000))
    meeting_id = fields.UUID(allow_none=True)


class PairingActivitySchema(Schema):
    id = fields.UUID()
    pairing_id = fields.UUID()
    held_on = fields.Date()
    kind = fields.Str()
    kind_label = fields.Str()
    topic = fields.Str()
    org_participants = fields.Int()
    partner_participants = fields.Int()
    participants_note = fields.Str(allow_none=True)
    results = fields.Str(allow_none=True)
    meeting_id = fields.UUID(allow_none=True)
    meeting_org_id = fields.UUID(allow_none=True, metadata={"description": "the side that held the meeting"})
    credited_org_id = fields.UUID(allow_none=True, metadata={"description": "the side it also counts for"})
    created_by = fields.Str()
    version = version_field()


class PairingDetailSchema(PairingSchema):
    task_list = fields.List(fields.Nested(PairingTaskSchema), data_key="task_list")
    activity_list = fields.List(fields.Nested(PairingActivitySchema), data_key="activity_list")


class PairingFiguresQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the subtree; default: all you see"})
    months = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=36),
                        metadata={"description": "the activity window; default: the setting figure_months"})


class PairingFiguresSchema(Schema):
    today = fields.Date()
    months = fields.Int()
    since = fields.Date()
    villages = fields.Int(metadata={"description": "village and community organisations"})
    villages_paired = fields.Int()
    villages_share = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "%"})
    pairings = fields.Int(metadata={"description": "active pairings"})
    pairings_recent = fields.Int(metadata={"description": "with a joint activity in the window"})
    pairings_recent_share = fields.Decimal(as_string=True, allow_none=True)
    activities = fields.Int(metadata={"description": "joint activities in the window"})
    activities_per_pairing = fields.Decimal(as_string=True, allow_none=True)
    tasks = fields.Int()
    tasks_done = fields.Int()
    tasks_done_share = fields.Decimal(as_string=True, allow_none=True)
