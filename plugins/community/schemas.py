"""API schemas of the community records (marshmallow 4).

Inputs refuse unknown fields and name each bad one; a PATCH changes only what is sent.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.sdk import UtcDateTime, expected_version_field, version_field
from plugins.community.models import SERVICE_CATEGORIES

_name = validate.Length(min=1, max=50)
_text = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000))
_count = validate.Range(min=0, max=1_000_000)


def _opt(field_cls=fields.Str, **kwargs):
    return field_cls(load_default=None, allow_none=True, **kwargs)


# -- queries -------------------------------------------------------------------------------------


class _Scope(Schema):
    org_id = fields.UUID(load_default=None, metadata={"description": "records of this organisation"})
    subtree_of = fields.UUID(load_default=None, metadata={"description": "records of this organisation's subtree"})


class CommunityGridQuerySchema(_Scope):
    include_ended = fields.Bool(load_default=False, metadata={"description": "also grids that ended"})


class CommunityCompanyQuerySchema(_Scope):
    include_left = fields.Bool(load_default=False, metadata={"description": "also companies that left"})


class CommunityRegistrationQuerySchema(_Scope):
    state = fields.Str(load_default="current", validate=validate.OneOf(("current", "ended", "all")))
    member_id = fields.UUID(load_default=None)
    grid_id = fields.UUID(load_default=None)


class CommunityServiceQuerySchema(Schema):
    year = fields.Int(load_default=None, validate=validate.Range(min=2000, max=2100))


class CommunityOverviewQuerySchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "a community or street organisation"})
    year = fields.Int(load_default=None, validate=validate.Range(min=2000, max=2100),
                      metadata={"description": "the year measured (default: this year, up to today)"})


# -- grids ---------------------------------------------------------------------------------------


class CommunityGridInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the community organisation"})
    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    code = _opt(validate=validate.Length(max=50))
    households = _opt(fields.Int, validate=_count)
    grid_worker_name = _opt(validate=_name)
    branch_org_id = _opt(fields.UUID, metadata={"description": "网格党支部（党小组）: a branch or group of the community"})
    ended_on = _opt(fields.Date)
    note = _text


class CommunityGridPatchSchema(Schema):
    name = fields.Str(validate=validate.Length(min=1, max=100))
    code = fields.Str(allow_none=True, validate=validate.Length(max=50))
    households = fields.Int(allow_none=True, validate=_count)
    grid_worker_name = fields.Str(allow_none=True, validate=_name)
    branch_org_id = fields.UUID(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    note = fields.Str(allow_none=True, validate=validate.Length(max=5000))
    version = expected_version_field()


class CommunityGridSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    name = fields.Str()
    code = fields.Str(allow_none=True)
    households = fields.Int(allow_none=True)
    grid_worker_name = fields.Str(allow_none=True)
    branch_org_id = fields.UUID(allow_none=True)
    branch_name = fields.Str(allow_none=True)
    covered = fields.Bool(metadata={"description": "an active branch or group covers the grid"})
    ended_on = fields.Date(allow_none=True)
    note = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


# -- property companies --------------------------------------------------------------------------


class CommunityCompanyInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the community organisation"})
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    credit_code = _opt(validate=validate.Length(max=30), metadata={"description": "统一社会信用代码"})
    compounds_served = _opt(fields.Int, validate=validate.Range(min=0, max=10_000))
    has_party_org = _opt(fields.Bool, metadata={"description": "default: whether party_org_id is given"})
    party_org_id = _opt(fields.UUID, metadata={"description": "the company's Party organisation, if in the register"})
    agreement_signed_on = _opt(fields.Date, metadata={"description": "党建共建协议签订日期"})
    agreement_ends_on = _opt(fields.Date, metadata={"description": "共建协议到期日期 (none: open-ended)"})
    started_on = _opt(fields.Date)
    left_on = _opt(fields.Date)
    note = _text


class CommunityCompanyPatchSchema(Schema):
    name = fields.Str(validate=validate.Length(min=1, max=200))
    credit_code = fields.Str(allow_none=True, validate=validate.Length(max=30))
    compounds_served = fields.Int(allow_none=True, validate=validate.Range(min=0, max=10_000))
    has_party_org = fields.Bool()
    party_org_id = fields.UUID(allow_none=True)
    agreement_signed_on = fields.Date(allow_none=True)
    agreement_ends_on = fields.Date(allow_none=True)
    started_on = fields.Date(allow_none=True)
    left_on = fields.Date(allow_none=True)
    note = fields.Str(allow_none=True, validate=validate.Length(max=5000))
    version = expected_version_field()


class CommunityCompanySchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    name = fields.Str()
    credit_code = fields.Str(allow_none=True)
    compounds_served = fields.Int(allow_none=True)
    has_party_org = fields.Bool()
    party_org_id = fields.UUID(allow_none=True)
    agreement_signed_on = fields.Date(allow_none=True)
    agreement_ends_on = fields.Date(allow_none=True)
    agreement_valid = fields.Bool(metadata={"description": "the agreement is in force today"})
    red_property = fields.Bool(metadata={"description": "红色物业 today: own Party organisation or valid agreement"})
    started_on = fields.Date(allow_none=True)
    left_on = fields.Date(allow_none=True)
    note = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


# -- registrations and services ------------------------------------------------------------------


class CommunityRegistrationInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the community organisation"})
    member_id = _opt(fields.UUID, metadata={"description": "a member of another organisation"})
    person_name = _opt(validate=_name, metadata={"description": "someone outside the register"})
    work_unit = _opt(validate=validate.Length(min=1, max=200),
                     metadata={"description": "default for a member: their organisation's name"})
    grid_id = _opt(fields.UUID, metadata={"description": "the grid they serve in"})
    registered_on = fields.Date(required=True)
    ended_on = _opt(fields.Date)
    end_reason = _opt(validate=validate.Length(max=200))
    note = _text


class CommunityRegistrationPatchSchema(Schema):
    work_unit = fields.Str(allow_none=True, validate=validate.Length(min=1, max=200))
    grid_id = fields.UUID(allow_none=True)
    registered_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.Str(allow_none=True, validate=validate.Length(max=200))
    note = fields.Str(allow_none=True, validate=validate.Length(max=5000))
    version = expected_version_field()


class CommunityRegistrationSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    member_id = fields.UUID(allow_none=True)
    name = fields.Str(metadata={"description": "the member's or the person's name"})
    in_register = fields.Bool()
    work_unit = fields.Str(allow_none=True)
    grid_id = fields.UUID(allow_none=True)
    registered_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True)
    services_this_year = fields.Int()
    last_served_on = fields.Date(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


class CommunityServiceInputSchema(Schema):
    served_on = fields.Date(required=True)
    hours = _opt(fields.Decimal, places=1, as_string=False,
                 validate=validate.Range(min=0, max=24, min_inclusive=False))
    category = fields.Str(load_default="volunteer", validate=validate.OneOf(SERVICE_CATEGORIES))
    activity = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    note = _text


class CommunityServiceSchema(Schema):
    id = fields.UUID()
    registration_id = fields.UUID()
    org_id = fields.UUID()
    served_on = fields.Date()
    hours = fields.Float(allow_none=True)
    category = fields.Str()
    category_label = fields.Str()
    activity = fields.Str()
    note = fields.Str(allow_none=True)
    created_at = UtcDateTime()


# -- overview ------------------------------------------------------------------------------------


class CommunityOverviewItemSchema(Schema):
    indicator = fields.Str()
    name = fields.Str()
    value = fields.Float(allow_none=True)
    unit = fields.Str()
    target = fields.Float(allow_none=True)
    met = fields.Bool(allow_none=True)
    explanation = fields.Str()
    evidence = fields.Dict()


class CommunityOverviewSchema(Schema):
    org_id = fields.UUID()
    org_name = fields.Str()
    year = fields.Int()
    start = fields.Date()
    end = fields.Date()
    attributes = fields.Dict(metadata={"description": "the community figures counted (summed for a street)"})
    communities = fields.Int()
    items = fields.List(fields.Nested(CommunityOverviewItemSchema))
