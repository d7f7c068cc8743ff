"""API schemas of the secretaries' yearly review (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.fields import UtcDateTime
from core.reviews.models import CYCLE_STATES, ITEM_KINDS, RATINGS

_version = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=0),
                      metadata={"description": "the version you read; a stale one is a 409"})


class ReviewCycleInputSchema(Schema):
    root_org_id = fields.UUID(required=True, metadata={"description": "the reviewing level: its "
                                                       "committees and branches below are reviewed"})
    year = fields.Int(required=True, validate=validate.Range(min=2000, max=2100))
    name = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=10_000))


class ReviewCyclePatchSchema(Schema):
    version = fields.Int(required=True, validate=validate.Range(min=1))
    name = fields.Str(validate=validate.Length(min=1, max=200))
    note = fields.Str(allow_none=True, validate=validate.Length(max=10_000))


class ReviewCycleQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "cycles rooted in this subtree"})
    year = fields.Int(load_default=None, validate=validate.Range(min=2000, max=2100))
    state = fields.Str(load_default=None, validate=validate.OneOf(CYCLE_STATES))


class ReviewStepSchema(Schema):
    version = _version


class ReviewPublishSchema(Schema):
    org_id = fields.UUID(load_default=None, allow_none=True,
                         metadata={"description": "the subtree to publish (default: the whole cycle)"})
    version = _version


class ReviewReportSchema(Schema):
    version = _version
    report = fields.Str(required=True, allow_none=True, validate=validate.Length(max=50_000))


class ReviewSubmitSchema(Schema):
    version = _version
    report = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=50_000))


class ReviewItemInputSchema(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(ITEM_KINDS))
    title = fields.Str(required=True, validate=validate.Length(min=1, max=500))
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5_000))


class ReviewItemPatchSchema(Schema):
    version = fields.Int(required=True, validate=validate.Range(min=1))
    title = fields.Str(validate=validate.Length(min=1, max=500))
    done = fields.Bool(allow_none=True)
    note = fields.Str(allow_none=True, validate=validate.Length(max=5_000))


class ReviewRatingInputSchema(Schema):
    rating = fields.Str(required=True, validate=validate.OneOf(RATINGS),
                        metadata={"description": "good 好 / fairly_good 较好 / average 一般 / poor 差"})
    comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2_000))
    version = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=0),
                         metadata={"description": "the version of your earlier rating (0 or none: "
                                   "you have none); a stale one is a 409"})


class ReviewAttachmentFormSchema(Schema):
    file = fields.Raw(load_default=None, metadata={"type": "string", "format": "binary"})


class ReviewCycleSchema(Schema):
    id = fields.UUID()
    root_org_id = fields.UUID(allow_none=True, metadata={"description": "null when you do not see it"})
    root_name = fields.Str(allow_none=True)
    year = fields.Int()
    name = fields.Str()
    note = fields.Str(allow_none=True)
    state = fields.Str()
    state_label = fields.Str()
    reporting_at = UtcDateTime(allow_none=True)
    rating_at = UtcDateTime(allow_none=True)
    published_at = UtcDateTime(allow_none=True)
    created_by = fields.Str()
    created_at = UtcDateTime()
    version = fields.Int()


class ReviewEntrySchema(Schema):
    id = fields.UUID()
    cycle_id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    secretary_member_id = fields.UUID(allow_none=True)
    secretary_name = fields.Str(allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    submitted_at = UtcDateTime(allow_none=True)
    items_total = fields.Int()
    items_done = fields.Int()
    items_not_done = fields.Int()
    score = fields.Decimal(as_string=True, allow_none=True)
    grade = fields.Str(allow_none=True)
    grade_label = fields.Str(allow_none=True)
    published_at = UtcDateTime(allow_none=True)
    problem_id = fields.UUID(allow_none=True)
    version = fields.Int()


class ReviewCycleDetailSchema(ReviewCycleSchema):
    may_manage = fields.Bool()
    entries = fields.List(fields.Nested(ReviewEntrySchema))


class ReviewItemSchema(Schema):
    id = fields.UUID()
    entry_id = fields.UUID()
    kind = fields.Str()
    kind_label = fields.Str()
    title = fields.Str()
    done = fields.Bool(allow_none=True)
    note = fields.Str(allow_none=True)
    carried_from_id = fields.UUID(allow_none=True)
    created_by = fields.Str()
    version = fields.Int()


class ReviewAttachmentSchema(Schema):
    id = fields.UUID()
    entry_id = fields.UUID()
    original_name = fields.Str()
    file_type = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    uploaded_by = fields.Str()
    created_at = UtcDateTime()


class ReviewRatingSchema(Schema):
    id = fields.UUID()
    entry_id = fields.UUID()
    rater_group = fields.Str()
    rating = fields.Str()
    comment = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    version = fields.Int()


class ReviewEntryDetailSchema(ReviewEntrySchema):
    cycle_name = fields.Str()
    cycle_state = fields.Str()
    year = fields.Int()
    report = fields.Str(allow_none=True)
    submitted_by = fields.Str(allow_none=True)
    items = fields.List(fields.Nested(ReviewItemSchema))
    attachments = fields.List(fields.Nested(ReviewAttachmentSchema))
    ratings = fields.Dict(keys=fields.Str(), values=fields.Dict(keys=fields.Str(), values=fields.Int()),
                          metadata={"description": "rater group → rating → count"})
    my_rating = fields.Nested(ReviewRatingSchema, allow_none=True)
    my_group = fields.Str(allow_none=True, metadata={"description": "the group you rate in, if any"})
    may_report = fields.Bool()
    may_assign = fields.Bool()
    breakdown = fields.Dict(allow_none=True, metadata={"description": "how the grade was computed"})
