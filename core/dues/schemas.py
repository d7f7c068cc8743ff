"""Request and response shapes of the dues API."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

from core.db.versioning import expected_version_field, version_field
from core.dues.models import CHANNELS, FINANCE_ROLES

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


class Month(fields.Field):
    """A month: ``"2024-03"`` or any day of it (``"2024-03-15"``) in, the first day out."""

    def _deserialize(self, value, attr, data, **kwargs):
        match = MONTH_RE.match(value) if isinstance(value, str) else None
        if match is None:
            raise ValidationError("Not a month: use YYYY-MM or YYYY-MM-DD.")
        try:
            return date(int(match[1]), int(match[2]), int(match[3] or 1)).replace(day=1)
        except ValueError:
            raise ValidationError("Not a valid date.") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat()


def Money(**kwargs):  # noqa: N802 - a field factory reads like a field class
    return fields.Decimal(as_string=True, places=2, rounding=ROUND_HALF_UP,
                          validate=validate.Range(min=0, max=10**10 - 1), **kwargs)


class BaseInputSchema(ma.Schema):
    effective_from = Month(required=True)
    base = Money(load_default=None, allow_none=True,
                 metadata={"description": "monthly after-tax pay (yuan)"})
    fixed_amount = Money(load_default=None, allow_none=True)
    fixed_reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))
    version = expected_version_field(
        "The version of this month's base you read (0: none yet); another one is a 409 "
        "naming version.")


class BaseSchema(ma.Schema):
    id = fields.UUID()
    effective_from = Month()
    base = fields.Decimal(as_string=True, allow_none=True)
    fixed_amount = fields.Decimal(as_string=True, allow_none=True)
    fixed_reason = fields.Str(allow_none=True)
    version = version_field()


class MemberBasesSchema(ma.Schema):
    member_id = fields.UUID()
    name = fields.Str()
    category = fields.Str(metadata={"description": "which rates apply: fixed, retired, farmer, "
                                                   "student, unemployed or in_service"})
    month = Month()
    amount = fields.Decimal(as_string=True, allow_none=True,
                            metadata={"description": "dues for month (null: no base recorded)"})
    bases = fields.List(fields.Nested(BaseSchema))


class PaymentInputSchema(ma.Schema):
    member_id = fields.UUID(required=True)
    month = Month(required=True)
    through = Month(load_default=None, allow_none=True,
                    metadata={"description": "last month covered (advance or back-payment of "
                                             "several months: one payment per month)"})
    amount = Money(load_default=None, allow_none=True,
                   metadata={"description": "per month; default: the computed amount"})
    channel = fields.Str(required=True, validate=validate.OneOf(CHANNELS))
    paid_on = fields.Date(load_default=None)
    override_reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))


class PaymentSchema(ma.Schema):
    id = fields.UUID()
    member_id = fields.UUID()
    member_name = fields.Str()
    org_id = fields.UUID()
    month = Month()
    amount = fields.Decimal(as_string=True)
    channel = fields.Str()
    paid_on = fields.Date()
    recorded_by = fields.Str()
    override_reason = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True)


class PaymentQuerySchema(ma.Schema):
    member_id = fields.UUID(load_default=None)
    subtree_of = fields.UUID(load_default=None, metadata={"description": "payments recorded in "
                                                                          "this organization and below"})
    month_from = Month(load_default=None)
    month_to = Month(load_default=None)


class ArrearsQuerySchema(ma.Schema):
    subtree_of = fields.UUID(load_default=None)
    as_of = fields.Date(load_default=None)


class MemberArrearsSchema(ma.Schema):
    member_id = fields.UUID()
    name = fields.Str()
    org_id = fields.UUID()
    months_due = fields.Int()
    months_paid = fields.Int()
    months_unpaid = fields.Int()
    consecutive_unpaid = fields.Int()
    last_paid_month = Month(allow_none=True)


class BranchArrearsSchema(ma.Schema):
    org_id = fields.UUID()
    org_name = fields.Str()
    members = fields.Int()
    members_in_arrears = fields.Int()
    months_unpaid = fields.Int()


class ArrearsSchema(ma.Schema):
    as_of = fields.Date()
    members = fields.List(fields.Nested(MemberArrearsSchema),
                          metadata={"description": "members with unpaid months"})
    branches = fields.List(fields.Nested(BranchArrearsSchema))
    months_unpaid = fields.Int()


class FinanceRoleInputSchema(ma.Schema):
    org_id = fields.UUID(required=True)
    role = fields.Str(required=True, validate=validate.OneOf(FINANCE_ROLES))
    member_id = fields.UUID(load_default=None, allow_none=True)
    person_name = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=50))
    qualified = fields.Bool(load_default=False)
    qualification_note = fields.Str(load_default=None, allow_none=True,
                                    validate=validate.Length(max=500))
    since = fields.Date(load_default=None)


class FinanceRoleEndSchema(ma.Schema):
    until = fields.Date(load_default=None)
    version = expected_version_field()


class FinanceRoleSchema(ma.Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    role = fields.Str()
    member_id = fields.UUID(allow_none=True)
    holder_name = fields.Str()
    qualified = fields.Bool()
    qualification_note = fields.Str(allow_none=True)
    since = fields.Date()
    until = fields.Date(allow_none=True)
    version = version_field()


class FinanceRoleQuerySchema(ma.Schema):
    org_id = fields.UUID(load_default=None)
    subtree_of = fields.UUID(load_default=None)
    include_ended = fields.Bool(load_default=False)
