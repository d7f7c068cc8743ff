"""Request and response shapes of the development API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.api.fields import UtcDateTime
from core.db.versioning import expected_version_field
from core.development.models import PERSON_STATUSES
from core.development.steps import LAST_CODE, STAGE_CODES
from core.members.ethnicities import ETHNICITY_VALUES
from core.members.models import EDUCATION_LEVELS, GENDERS
from core.members.validation import Day, IdNumberField, Name, Phone, Text

# Structured evidence a step may carry (read by the rules, kept in the step's ``details``).
DETAIL_FIELDS = ("contacts", "introducer_ids", "training_days", "training_hours",
                 "public_notice_from", "public_notice_to")


class _Override(ma.Schema):
    override_reason = Text(
        load_default=None, allow_none=True, validate=validate.Length(max=1000),
        metadata={"description": "record despite a broken rule (org_manager or higher); flagged for review"},
    )


class PersonInputSchema(_Override):
    org_id = fields.UUID(required=True, metadata={"description": "the branch developing the person"})
    name = Name(required=True)
    gender = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(GENDERS))
    birth_date = Day(load_default=None, allow_none=True)
    ethnicity = fields.Str(required=True, validate=validate.OneOf(sorted(ETHNICITY_VALUES)))
    id_number = IdNumberField(required=True)
    phone = Phone(load_default=None, allow_none=True)
    address = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    education = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(EDUCATION_LEVELS))
    work_unit = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    applied_on = Day(required=True, metadata={"description": "step 1: the day the application was handed in"})
    evidence = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    attachment = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))


class StepInputSchema(_Override):
    code = fields.Int(required=True, validate=validate.Range(min=2, max=LAST_CODE))
    done_on = Day(required=True)
    evidence = Text(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    attachment = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))
    contacts = fields.List(Text(validate=validate.Length(max=50)), load_default=None,
                           validate=validate.Length(max=10),
                           metadata={"description": "step 5: the 培养联系人 (names)"})
    introducer_ids = fields.List(fields.UUID(), load_default=None, validate=validate.Length(max=10),
                                 metadata={"description": "step 9: the introducers' member ids"})
    training_days = fields.Int(load_default=None, validate=validate.Range(min=0, max=365))
    training_hours = fields.Int(load_default=None, validate=validate.Range(min=0, max=2000))
    public_notice_from = Day(load_default=None, metadata={"description": "step 12: 公示 start"})
    public_notice_to = Day(load_default=None, metadata={"description": "step 12: 公示 end"})
    version = expected_version_field()


class ExtensionSchema(ma.Schema):
    months = fields.Int(required=True, validate=validate.Range(min=1, max=60))
    on = Day(required=True, metadata={"description": "the day the extension was decided"})
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class PersonStatusSchema(ma.Schema):
    status = fields.Str(required=True, validate=validate.OneOf(PERSON_STATUSES))
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class OverridesSchema(ma.Schema):
    """The tenant's overrides of the development numbers, checked by the settings module,
    and the settings' ``version`` you read (0: never changed)."""

    class Meta:
        unknown = ma.INCLUDE

    version = expected_version_field()


class ReviewSchema(ma.Schema):
    note = Text(required=True, validate=validate.Length(min=1, max=1000))


class PersonQuerySchema(ma.Schema):
    stage = fields.Str(load_default=None, validate=validate.OneOf(STAGE_CODES))
    status = fields.Str(load_default=None, validate=validate.OneOf(PERSON_STATUSES))
    org_id = fields.UUID(load_default=None)
    subtree_of = fields.UUID(load_default=None)


class ViolationQuerySchema(ma.Schema):
    subtree_of = fields.UUID(load_default=None)
    include_reviewed = fields.Bool(load_default=False)


class StepSchema(ma.Schema):
    id = fields.UUID()
    person_id = fields.UUID()
    code = fields.Int()
    name = fields.Str()
    done_on = fields.Date()
    actor_label = fields.Str()
    evidence = fields.Str(allow_none=True)
    attachment = fields.Str(allow_none=True)
    details = fields.Dict(allow_none=True)
    override = fields.Bool()
    override_reason = fields.Str(allow_none=True)
    overridden_by = fields.Str(allow_none=True)
    violated_rules = fields.List(fields.Str(), allow_none=True)
    flagged_for_review = fields.Bool()
    reviewed_by = fields.Str(allow_none=True)
    reviewed_at = UtcDateTime(allow_none=True)
    review_note = fields.Str(allow_none=True)
    created_at = UtcDateTime()


class PersonSchema(ma.Schema):
    """A person in the pipeline; ``id_number``, ``phone`` and ``address`` are masked unless
    ``personal_masked`` is false."""

    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    name = fields.Str()
    gender = fields.Str()
    birth_date = fields.Date()
    ethnicity = fields.Str()
    id_number = fields.Str()
    phone = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    education = fields.Str(allow_none=True)
    work_unit = fields.Str(allow_none=True)
    personal_masked = fields.Bool()
    stage = fields.Str()
    stage_name = fields.Str()
    status = fields.Str()
    status_reason = fields.Str(allow_none=True)
    member_id = fields.UUID(allow_none=True)
    extension_months = fields.Int(allow_none=True)
    extension_on = fields.Date(allow_none=True)
    extension_reason = fields.Str(allow_none=True)
    probation_ends_on = fields.Date(allow_none=True)
    steps = fields.List(fields.Nested(StepSchema))
    created_at = UtcDateTime()


class ViolationSchema(StepSchema):
    person_name = fields.Str()
    org_id = fields.UUID()


class RuleDefSchema(ma.Schema):
    code = fields.Str()
    name = fields.Str()


class StepDefSchema(ma.Schema):
    code = fields.Int()
    name = fields.Str()
    stage = fields.Int()
    stage_title = fields.Str()
    enters = fields.Str(allow_none=True)
    enters_name = fields.Str(allow_none=True)
    repeatable = fields.Bool()
    rules = fields.List(fields.Nested(RuleDefSchema))
