"""Request and response shapes of the points API (``/api/v1/points``, ``/api/v1/cards``)."""

from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.api.fields import UtcDateTime
from core.db.versioning import expected_version_field, version_field
from core.points.models import LEVELS, STATUSES
from core.points.rules import CATEGORIES

MAX_POINTS = Decimal("10000")
RULE_KEY = re.compile(r"^tenant\.[a-z0-9_]{2,60}$")


def _points(value: Decimal) -> None:
    if value == 0:
        raise ValidationError("Must not be 0.")
    if abs(value) > MAX_POINTS:
        raise ValidationError(f"Must be between -{MAX_POINTS} and {MAX_POINTS}.")


def _cap(value: Decimal | None) -> None:
    if value is not None and not Decimal("0") < value <= MAX_POINTS * 100:
        raise ValidationError("Must be positive (or null for no cap).")


def Points(**kwargs):  # noqa: N802 - a field factory
    return fields.Decimal(places=2, as_string=True, allow_nan=False, **kwargs)


# -- rules -----------------------------------------------------------------------------------


class PointRuleSchema(Schema):
    key = fields.Str()
    name = fields.Str()
    points = Points()
    category = fields.Str()
    yearly_cap = Points(allow_none=True)
    evidence_required = fields.Bool()
    description = fields.Str()
    active = fields.Bool()
    source = fields.Str(metadata={"description": "plugin or tenant"})
    plugin = fields.Str(allow_none=True)
    collected = fields.Bool(metadata={"description": "fed by existing records"})
    overridden = fields.List(fields.Str())
    default_points = Points(allow_none=True)
    default_yearly_cap = Points(allow_none=True)
    version = version_field()


class PointRuleCreateSchema(Schema):
    key = fields.Str(required=True, metadata={"description": "tenant.<slug>: a-z, 0-9, _"})
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    points = Points(required=True, validate=_points)
    category = fields.Str(load_default="other", validate=validate.OneOf(CATEGORIES))
    yearly_cap = Points(load_default=None, allow_none=True, validate=_cap)
    evidence_required = fields.Bool(load_default=False)
    description = fields.Str(load_default="", validate=validate.Length(max=2000))

    @validates("key")
    def _key(self, value, **kwargs):
        if not RULE_KEY.match(value):
            raise ValidationError("Must be tenant.<slug> (2–60 of a-z, 0-9, _).")


class PointRuleUpdateSchema(Schema):
    """For a tenant's rule any field; for a plugin's rule ``active``, ``points``,
    ``yearly_cap`` (null: no cap) or ``reset`` (back to the plugin's numbers)."""

    name = fields.Str(validate=validate.Length(min=1, max=200))
    points = Points(validate=_points)
    category = fields.Str(validate=validate.OneOf(CATEGORIES))
    yearly_cap = Points(allow_none=True, validate=_cap)
    evidence_required = fields.Bool()
    description = fields.Str(validate=validate.Length(max=2000))
    active = fields.Bool()
    reset = fields.Bool()
    version = expected_version_field()


# -- entries ---------------------------------------------------------------------------------


class PointEntrySchema(Schema):
    id = fields.UUID()
    member_id = fields.UUID()
    member_name = fields.Str()
    org_id = fields.UUID()
    rule_key = fields.Str()
    rule_name = fields.Str()
    category = fields.Str()
    requested_points = Points()
    points = Points(allow_none=True, metadata={"description": "awarded; null until approved"})
    cap_note = fields.Str(allow_none=True)
    occurred_on = fields.Date()
    evidence = fields.Str(allow_none=True)
    details = fields.Dict(allow_none=True)
    source_ref = fields.Str(allow_none=True)
    attachment_name = fields.Str(attribute="attachment_original_name", allow_none=True)
    status = fields.Str()
    recorded_by = fields.Str()
    recorded_by_user_id = fields.UUID(allow_none=True)
    approved_by = fields.Str(allow_none=True)
    approved_by_user_id = fields.UUID(allow_none=True)
    approved_at = UtcDateTime(allow_none=True)
    rejection_reason = fields.Str(allow_none=True)
    created_at = UtcDateTime()


class PointEntryCreateSchema(Schema):
    member_id = fields.UUID(required=True)
    rule_key = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    occurred_on = fields.Date(required=True)
    evidence = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    approve = fields.Bool(load_default=False, metadata={
        "description": "approve at once (only where the tenant allows self_approve)"})


class PointEntryQuerySchema(Schema):
    member_id = fields.UUID(load_default=None)
    org_id = fields.UUID(load_default=None, metadata={"description": "the org's subtree"})
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    rule_key = fields.Str(load_default=None, validate=validate.Length(max=100))
    year = fields.Int(load_default=None, validate=validate.Range(min=1950, max=2200))


class RejectSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class EntryAttachmentFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


# -- standings -------------------------------------------------------------------------------


class PointsYearQuerySchema(Schema):
    year = fields.Int(load_default=None, validate=validate.Range(min=1950, max=2200))
    subtree_of = fields.UUID(load_default=None, metadata={
        "description": "rank within this organisation's subtree (default: the branch's parent)"})


class RankingQuerySchema(Schema):
    org = fields.UUID(required=True)
    year = fields.Int(load_default=None, validate=validate.Range(min=1950, max=2200))


class StandingSchema(Schema):
    member_id = fields.UUID()
    name = fields.Str()
    org_id = fields.UUID()
    org_name = fields.Str()
    branch_id = fields.UUID()
    total = Points()
    exempt = fields.Bool()
    branch_rank = fields.Int(allow_none=True)
    branch_ranked = fields.Int(allow_none=True)
    subtree_rank = fields.Int(allow_none=True)
    subtree_ranked = fields.Int(allow_none=True)


class PointAccountSchema(Schema):
    earned = Points()
    redeemed = Points()
    balance = Points()
    level = fields.Str(allow_none=True, metadata={"description": "silver, gold or null"})


class MemberPointsSchema(Schema):
    member_id = fields.UUID()
    name = fields.Str()
    org_id = fields.UUID()
    year = fields.Int()
    total = Points()
    exempt = fields.Bool()
    rank_in_branch = fields.Str(allow_none=True, metadata={"description": "n/m"})
    rank_in_subtree = fields.Str(allow_none=True, metadata={"description": "n/m"})
    subtree_org_id = fields.UUID(allow_none=True)
    account = fields.Nested(PointAccountSchema)
    ledger = fields.List(fields.Nested(PointEntrySchema))
    has_card = fields.Bool()


# -- cards -----------------------------------------------------------------------------------


class CardIssuedSchema(Schema):
    url = fields.Str()
    png_url = fields.Str()
    issued_at = UtcDateTime()


class PublicCardSchema(Schema):
    name = fields.Str()
    branch = fields.Str()
    year = fields.Int()
    total = Points()
    rank = fields.Str(allow_none=True, metadata={"description": "rank in the branch, n/m"})


# -- redemption ------------------------------------------------------------------------------


class PartnerSchema(Schema):
    id = fields.UUID()
    name = fields.Str()
    contact = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    description = fields.Str(allow_none=True)
    active = fields.Bool()
    created_at = UtcDateTime()
    version = version_field()


class PartnerWithKeySchema(PartnerSchema):
    verify_key = fields.Str(metadata={"description": "shown once: the merchant's X-Partner-Key"})


class PartnerInputSchema(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    contact = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=50))
    phone = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=30))
    address = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=300))
    description = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    active = fields.Bool(load_default=True)


class PartnerUpdateSchema(Schema):
    name = fields.Str(validate=validate.Length(min=1, max=200))
    contact = fields.Str(allow_none=True, validate=validate.Length(max=50))
    phone = fields.Str(allow_none=True, validate=validate.Length(max=30))
    address = fields.Str(allow_none=True, validate=validate.Length(max=300))
    description = fields.Str(allow_none=True, validate=validate.Length(max=2000))
    active = fields.Bool()
    version = expected_version_field()


def _cost(value: Decimal) -> None:
    if not Decimal("0") < value <= MAX_POINTS:
        raise ValidationError(f"Must be above 0 and at most {MAX_POINTS}.")


class OfferSchema(Schema):
    id = fields.UUID()
    partner_id = fields.UUID()
    partner_name = fields.Str()
    name = fields.Str()
    description = fields.Str(allow_none=True)
    cost = Points()
    stock = fields.Int(allow_none=True)
    active = fields.Bool()
    valid_until = fields.Date(allow_none=True)
    min_level = fields.Str(allow_none=True)
    version = version_field()


class OfferInputSchema(Schema):
    partner_id = fields.UUID(required=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    description = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    cost = Points(required=True, validate=_cost)
    stock = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=0, max=10**7))
    active = fields.Bool(load_default=True)
    valid_until = fields.Date(load_default=None, allow_none=True)
    min_level = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(LEVELS))


class OfferUpdateSchema(Schema):
    name = fields.Str(validate=validate.Length(min=1, max=200))
    description = fields.Str(allow_none=True, validate=validate.Length(max=2000))
    cost = Points(validate=_cost)
    stock = fields.Int(allow_none=True, validate=validate.Range(min=0, max=10**7))
    active = fields.Bool()
    valid_until = fields.Date(allow_none=True)
    min_level = fields.Str(allow_none=True, validate=validate.OneOf(LEVELS))
    version = expected_version_field()


class OfferQuerySchema(Schema):
    partner_id = fields.UUID(load_default=None)
    include_inactive = fields.Bool(load_default=False)


class RedemptionSchema(Schema):
    id = fields.UUID()
    member_id = fields.UUID()
    member_name = fields.Str()
    org_id = fields.UUID()
    offer_id = fields.UUID()
    partner_id = fields.UUID()
    offer_name = fields.Str()
    cost = Points()
    code = fields.Str()
    status = fields.Str()
    redeemed_by = fields.Str()
    created_at = UtcDateTime()
    used_at = UtcDateTime(allow_none=True)
    used_by = fields.Str(allow_none=True)


class MerchantRedemptionSchema(Schema):
    """What a merchant sees of a code: the offer and whether it was used — no member."""

    code = fields.Str()
    offer_name = fields.Str()
    partner_id = fields.UUID()
    cost = Points()
    status = fields.Str()
    created_at = UtcDateTime()
    used_at = UtcDateTime(allow_none=True)


class RedeemSchema(Schema):
    member_id = fields.UUID(required=True)
    offer_id = fields.UUID(required=True)


class RedemptionQuerySchema(Schema):
    member_id = fields.UUID(load_default=None)
    status = fields.Str(load_default=None, validate=validate.OneOf(("issued", "used")))


class CollectSchema(Schema):
    year = fields.Int(load_default=None, validate=validate.Range(min=1950, max=2200))
    rules = fields.List(fields.Str(validate=validate.Length(max=100)), load_default=None,
                        validate=validate.Length(max=50))
