"""Input and output schemas of the rural API (``/api/v1/rural``).

Inputs refuse what they do not declare and name each bad field (422). A PATCH changes only
what it sends; the organisation and the member of a record never change (record anew).
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from core.sdk import UtcDateTime, expected_version_field, version_field
from plugins.rural.models import CHANNELS, INITIATORS, STATION_ROLES

MAX_WAN = 10_000_000  # 万元: a thousand billion yuan is no village's income


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def _text(max_length: int, required: bool = False, **kwargs):
    """A name-like text: not blank, at most ``max_length`` characters."""
    return fields.Str(required=required, validate=validate.And(
        validate.Length(min=1, max=max_length), _not_blank), **kwargs)


def _note(**kwargs):
    return fields.Str(allow_none=True, validate=validate.Length(max=5000), **kwargs)


def _wan(**kwargs):
    return fields.Decimal(places=2, allow_nan=False, validate=validate.Range(min=0, max=MAX_WAN),
                          **kwargs)


_PHONE = validate.Regexp(r"^[0-9+\- ()]{3,30}$", error="Not a phone number.")


# -- collective income -------------------------------------------------------------------------


class IncomeInputSchema(Schema):
    org_id = fields.UUID(required=True)
    year = fields.Int(required=True, validate=validate.Range(min=1949, max=2100))
    operating_income_wan = _wan(required=True, metadata={"description": "经营性收入（万元）"})
    total_income_wan = _wan(load_default=None, allow_none=True,
                            metadata={"description": "总收入（万元）, ≥ the operating income"})
    note = _note(load_default=None, metadata={"description": "收入来源、项目"})


class IncomePatchSchema(Schema):
    operating_income_wan = _wan()
    total_income_wan = _wan(allow_none=True)
    note = _note()
    version = expected_version_field()


class IncomeQuerySchema(Schema):
    org_id = fields.UUID(load_default=None)
    subtree_of = fields.UUID(load_default=None, metadata={"description": "an organisation and its subtree"})
    year = fields.Int(load_default=None, validate=validate.Range(min=1949, max=2100))


class IncomeSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    year = fields.Int()
    operating_income_wan = fields.Decimal(places=2, as_string=True)
    total_income_wan = fields.Decimal(places=2, as_string=True, allow_none=True)
    note = fields.Str(allow_none=True)
    target_wan = fields.Float(metadata={"description": "the tenant's target (setting)"})
    met = fields.Bool(metadata={"description": "operating income ≥ target"})
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


# -- stationings ---------------------------------------------------------------------------------


class StationingInputSchema(Schema):
    org_id = fields.UUID(required=True)
    person_name = _text(50, required=True)
    role = fields.Str(required=True, validate=validate.OneOf(STATION_ROLES))
    dispatched_by = _text(200, required=True, metadata={"description": "派出单位"})
    phone = fields.Str(load_default=None, allow_none=True, validate=_PHONE)
    started_on = fields.Date(required=True)
    ended_on = fields.Date(load_default=None, allow_none=True)
    note = _note(load_default=None)


class StationingPatchSchema(Schema):
    person_name = _text(50, required=False)
    role = fields.Str(validate=validate.OneOf(STATION_ROLES))
    dispatched_by = _text(200, required=False)
    phone = fields.Str(allow_none=True, validate=_PHONE)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    note = _note()
    version = expected_version_field()


class StationingQuerySchema(Schema):
    org_id = fields.UUID(load_default=None)
    subtree_of = fields.UUID(load_default=None)
    role = fields.Str(load_default=None, validate=validate.OneOf(STATION_ROLES))
    current = fields.Bool(load_default=None, metadata={"description": "stationed today"})


class StationingSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    person_name = fields.Str()
    role = fields.Str()
    role_label = fields.Str()
    dispatched_by = fields.Str()
    phone = fields.Str(allow_none=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    current = fields.Bool()
    note = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


# -- duty posts -----------------------------------------------------------------------------------


class DutyInputSchema(Schema):
    org_id = fields.UUID(required=True)
    member_id = fields.UUID(required=True)
    duty = _text(50, required=True, metadata={"description": "岗位, e.g. 政策宣传岗 (see /options)"})
    responsibilities = _note(load_default=None, metadata={"description": "岗位职责"})
    started_on = fields.Date(required=True)
    ended_on = fields.Date(load_default=None, allow_none=True)


class DutyPatchSchema(Schema):
    duty = _text(50, required=False)
    responsibilities = _note()
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    version = expected_version_field()


class DutyQuerySchema(Schema):
    org_id = fields.UUID(load_default=None)
    subtree_of = fields.UUID(load_default=None)
    member_id = fields.UUID(load_default=None)
    current = fields.Bool(load_default=None, metadata={"description": "held today"})


class DutySchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    member_id = fields.UUID()
    member_name = fields.Str()
    duty = fields.Str()
    responsibilities = fields.Str(allow_none=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    current = fields.Bool()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


# -- contacts with mobile members --------------------------------------------------------------


class ContactInputSchema(Schema):
    org_id = fields.UUID(required=True)
    member_id = fields.UUID(required=True)
    contacted_on = fields.Date(required=True)
    channel = fields.Str(required=True, validate=validate.OneOf(CHANNELS))
    initiated_by = fields.Str(load_default="branch", validate=validate.OneOf(INITIATORS),
                              metadata={"description": "branch: the organisation reached out; "
                                                       "member: the member reported in"})
    note = _note(load_default=None)


class ContactPatchSchema(Schema):
    contacted_on = fields.Date()
    channel = fields.Str(validate=validate.OneOf(CHANNELS))
    initiated_by = fields.Str(validate=validate.OneOf(INITIATORS))
    note = _note()
    version = expected_version_field()


class ContactQuerySchema(Schema):
    org_id = fields.UUID(load_default=None)
    subtree_of = fields.UUID(load_default=None)
    member_id = fields.UUID(load_default=None)
    since = fields.Date(load_default=None)
    until = fields.Date(load_default=None)


class ContactSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    member_id = fields.UUID()
    member_name = fields.Str()
    contacted_on = fields.Date()
    channel = fields.Str()
    channel_label = fields.Str()
    initiated_by = fields.Str()
    initiated_by_label = fields.Str()
    note = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


# -- options ---------------------------------------------------------------------------------------


class OptionsSchema(Schema):
    duty_posts = fields.List(fields.Str())
    service_centre_functions = fields.List(fields.Str())
    roles = fields.Dict(keys=fields.Str(), values=fields.Str())
    channels = fields.Dict(keys=fields.Str(), values=fields.Str())
    initiators = fields.Dict(keys=fields.Str(), values=fields.Str())
    collective_income_target_wan = fields.Float()
    no_recruit_years_warning = fields.Int()
    village_committee_term_years = fields.Int()
