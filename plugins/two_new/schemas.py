"""API schemas of the two_new register (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.sdk import UtcDateTime, expected_version_field, version_field
from plugins.two_new.models import COVERAGES, GROUP_KINDS, INSTRUCTOR_ROLES, UNIT_KINDS

_name = validate.Length(min=1, max=200)
_short = validate.Length(min=1, max=50)
_count = validate.Range(min=0, max=10_000_000)
_notes = validate.Length(max=5000)


# -- units -----------------------------------------------------------------------------------


class TwoNewUnitInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the supervising organisation"})
    name = fields.Str(required=True, validate=_name)
    credit_code = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=30),
                             metadata={"description": "统一社会信用代码, 18 characters"})
    kind = fields.Str(required=True, validate=validate.OneOf(UNIT_KINDS))
    industry = fields.Str(load_default=None, allow_none=True, validate=_short)
    employees = fields.Int(load_default=None, allow_none=True, validate=_count)
    party_members = fields.Int(load_default=0, validate=_count)
    full_members = fields.Int(load_default=None, allow_none=True, validate=_count,
                              metadata={"description": "正式党员; default party_members"})
    covered_by_org_id = fields.UUID(load_default=None, allow_none=True,
                                    metadata={"description": "its own or a joint Party organisation"})
    instructor_id = fields.UUID(load_default=None, allow_none=True)
    surveyed_on = fields.Date(load_default=None, allow_none=True,
                              metadata={"description": "date of the figures (摸排); default today"})
    closed_on = fields.Date(load_default=None, allow_none=True,
                            metadata={"description": "注销、迁出: out of the counts from this day"})
    notes = fields.Str(load_default=None, allow_none=True, validate=_notes)


class TwoNewUnitPatchSchema(Schema):
    """Only what is sent changes."""

    name = fields.Str(validate=_name)
    credit_code = fields.Str(allow_none=True, validate=validate.Length(max=30))
    kind = fields.Str(validate=validate.OneOf(UNIT_KINDS))
    industry = fields.Str(allow_none=True, validate=_short)
    employees = fields.Int(allow_none=True, validate=_count)
    party_members = fields.Int(validate=_count)
    full_members = fields.Int(validate=_count)
    covered_by_org_id = fields.UUID(allow_none=True)
    instructor_id = fields.UUID(allow_none=True)
    surveyed_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    notes = fields.Str(allow_none=True, validate=_notes)
    version = expected_version_field()


class TwoNewUnitQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the supervising organisation and its subtree"})
    kind = fields.Str(load_default=None, validate=validate.OneOf(UNIT_KINDS))
    coverage = fields.Str(load_default=None, validate=validate.OneOf(COVERAGES))
    should_form = fields.Bool(load_default=None, metadata={"description": "应建尽建: enough full "
                              "members for an own organisation and none yet"})
    include_closed = fields.Bool(load_default=False)


class TwoNewUnitSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    name = fields.Str()
    credit_code = fields.Str(allow_none=True)
    kind = fields.Str()
    kind_label = fields.Str()
    industry = fields.Str(allow_none=True)
    employees = fields.Int(allow_none=True)
    party_members = fields.Int()
    full_members = fields.Int()
    covered_by_org_id = fields.UUID(allow_none=True)
    covered_by_name = fields.Str(allow_none=True)
    instructor_id = fields.UUID(allow_none=True)
    instructor_name = fields.Str(allow_none=True)
    coverage = fields.Str(metadata={"description": ", ".join(COVERAGES)})
    coverage_label = fields.Str()
    should_form_own = fields.Bool(metadata={"description": "应建尽建 flag"})
    surveyed_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    notes = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


# -- instructors -------------------------------------------------------------------------------


class TwoNewInstructorInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the organisation sending them"})
    person_name = fields.Str(load_default=None, allow_none=True, validate=_short,
                             metadata={"description": "default: the member's name"})
    member_id = fields.UUID(load_default=None, allow_none=True)
    role = fields.Str(load_default="instructor", validate=validate.OneOf(INSTRUCTOR_ROLES))
    employer = fields.Str(load_default=None, allow_none=True, validate=_name,
                          metadata={"description": "派出单位"})
    phone = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=30))
    started_on = fields.Date(required=True)
    ended_on = fields.Date(load_default=None, allow_none=True)
    end_reason = fields.Str(load_default=None, allow_none=True, validate=_notes)


class TwoNewInstructorPatchSchema(Schema):
    person_name = fields.Str(validate=_short)
    member_id = fields.UUID(allow_none=True)
    role = fields.Str(validate=validate.OneOf(INSTRUCTOR_ROLES))
    employer = fields.Str(allow_none=True, validate=_name)
    phone = fields.Str(allow_none=True, validate=validate.Length(max=30))
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.Str(allow_none=True, validate=_notes)
    version = expected_version_field()


class TwoNewInstructorQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    role = fields.Str(load_default=None, validate=validate.OneOf(INSTRUCTOR_ROLES))
    in_post = fields.Bool(load_default=None, metadata={"description": "in post today"})


class TwoNewInstructorSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    person_name = fields.Str()
    member_id = fields.UUID(allow_none=True)
    role = fields.Str()
    role_label = fields.Str()
    employer = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.Str(allow_none=True)
    in_post = fields.Bool()
    units = fields.Int(metadata={"description": "registered units naming them"})
    created_at = UtcDateTime()
    version = version_field()


# -- groups ------------------------------------------------------------------------------------


class TwoNewGroupInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the supervising organisation"})
    kind = fields.Str(required=True, validate=validate.OneOf(GROUP_KINDS))
    name = fields.Str(required=True, validate=_name, metadata={"description": "platform or company"})
    workers = fields.Int(required=True, validate=_count)
    party_members = fields.Int(load_default=0, validate=_count)
    covering_org_id = fields.UUID(load_default=None, allow_none=True,
                                  metadata={"description": "the comprehensive committee (综合党委)"})
    surveyed_on = fields.Date(load_default=None, allow_none=True)
    notes = fields.Str(load_default=None, allow_none=True, validate=_notes)


class TwoNewGroupPatchSchema(Schema):
    kind = fields.Str(validate=validate.OneOf(GROUP_KINDS))
    name = fields.Str(validate=_name)
    workers = fields.Int(validate=_count)
    party_members = fields.Int(validate=_count)
    covering_org_id = fields.UUID(allow_none=True)
    surveyed_on = fields.Date()
    notes = fields.Str(allow_none=True, validate=_notes)
    version = expected_version_field()


class TwoNewGroupQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    kind = fields.Str(load_default=None, validate=validate.OneOf(GROUP_KINDS))
    covered = fields.Bool(load_default=None)


class TwoNewGroupSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    kind = fields.Str()
    kind_label = fields.Str()
    name = fields.Str()
    workers = fields.Int()
    party_members = fields.Int()
    covering_org_id = fields.UUID(allow_none=True)
    covering_name = fields.Str(allow_none=True)
    covered = fields.Bool()
    surveyed_on = fields.Date()
    notes = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    version = version_field()


# -- coverage ----------------------------------------------------------------------------------


class TwoNewCoverageQuerySchema(Schema):
    org = fields.UUID(required=True, metadata={"description": "the organisation and its subtree"})


class TwoNewNamedUnitSchema(Schema):
    id = fields.UUID()
    name = fields.Str()
    party_members = fields.Int()
    full_members = fields.Int()
    coverage = fields.Str()


class TwoNewCoverageSchema(Schema):
    org_id = fields.UUID()
    as_of = fields.Date()
    units = fields.Int()
    by_coverage = fields.Dict(keys=fields.Str(), values=fields.Int())
    with_members = fields.Int()
    organisation_covered = fields.Int()
    organisation_coverage_rate = fields.Float(allow_none=True, metadata={"description": "%"})
    work_covered = fields.Int()
    work_coverage_rate = fields.Float(allow_none=True, metadata={"description": "%"})
    should_form = fields.List(fields.Nested(TwoNewNamedUnitSchema), metadata={"description": "应建尽建"})
    uncovered = fields.List(fields.Nested(TwoNewNamedUnitSchema))
    groups = fields.Int()
    groups_covered = fields.Int()
    group_workers = fields.Int()
    group_workers_covered = fields.Int()
    instructors_in_post = fields.Int()
