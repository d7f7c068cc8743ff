"""Request and response shapes of the member API (the record itself is validated by
:mod:`core.members.validation`)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.api.fields import UtcDateTime
from core.members.models import EDUCATION_LEVELS, GENDERS, LOST_CONTACT_REASONS, STATUSES
from core.members.service import SORT_KEYS
from core.members.validation import Day, Text


class MemberSchema(ma.Schema):
    """A member as the API shows it; ``id_number``, ``phone`` and ``address`` are masked
    unless ``personal_masked`` is false."""

    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    name = fields.Str()
    name_initials = fields.Str()
    gender = fields.Str()
    ethnicity = fields.Str()
    birth_date = fields.Date()
    id_number = fields.Str()
    phone = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    personal_masked = fields.Bool()
    education = fields.Str(allow_none=True)
    job = fields.Str(allow_none=True)
    work_unit = fields.Str(allow_none=True)
    joined_on = fields.Date()
    full_on = fields.Date(allow_none=True)
    status = fields.Str()
    is_retired = fields.Bool()
    is_farmer = fields.Bool()
    is_student = fields.Bool()
    is_unemployed = fields.Bool()
    community_registered = fields.Bool()
    lost_contact_since = fields.Date(allow_none=True)
    lost_contact_reason = fields.Str(allow_none=True)
    mobile_since = fields.Date(allow_none=True)
    mobile_destination = fields.Str(allow_none=True)
    version = fields.Int()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class MemberQuerySchema(ma.Schema):
    org_id = fields.UUID(load_default=None, metadata={"description": "members of this organization"})
    subtree_of = fields.UUID(
        load_default=None, metadata={"description": "members of this organization and all below it"}
    )
    status = fields.List(
        fields.Str(validate=validate.OneOf(STATUSES)), load_default=None,
        metadata={"description": "repeat for several (status=full&status=mobile)"},
    )
    gender = fields.Str(load_default=None, validate=validate.OneOf(GENDERS))
    education = fields.Str(load_default=None, validate=validate.OneOf(EDUCATION_LEVELS))
    q = fields.Str(
        load_default=None, validate=validate.Length(max=50),
        metadata={"description": "part of the name, or the start of its pinyin initials (zs)"},
    )
    sort = fields.Str(load_default="name", validate=validate.OneOf(SORT_KEYS))
    order = fields.Str(load_default="asc", validate=validate.OneOf(("asc", "desc")))


class StatusChangeSchema(ma.Schema):
    status = fields.Str(required=True, validate=validate.OneOf(STATUSES))
    on = Day(required=True, metadata={"description": "the day the change took effect"})
    reason = Text(required=True, validate=validate.Length(min=1, max=500))
    lost_contact_reason = fields.Str(
        load_default=None, allow_none=True, validate=validate.OneOf(LOST_CONTACT_REASONS)
    )
    mobile_destination = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    version = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1))


class MoveSchema(ma.Schema):
    org_id = fields.UUID(required=True)
    on = Day(required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=500))
    version = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1))


class MemberEventSchema(ma.Schema):
    id = fields.UUID()
    kind = fields.Str()
    occurred_on = fields.Date()
    reason = fields.Str(allow_none=True)
    from_org_id = fields.UUID(allow_none=True)
    to_org_id = fields.UUID(allow_none=True)
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str(allow_none=True)
    details = fields.Dict(allow_none=True)
    actor_label = fields.Str()
    created_at = UtcDateTime()
