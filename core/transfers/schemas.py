"""Request and response shapes of the transfer API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from core.api.fields import UtcDateTime
from core.transfers.models import ENVELOPE_STATES, KINDS, LETTER_STATUSES

REASON_MAX = 500


class Reason(fields.Str):
    """Trimmed; blank is missing."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ma.ValidationError("A reason is required.")
        return text


class IssueSchema(ma.Schema):
    member_id = fields.UUID(required=True)
    to_org_id = fields.UUID(
        load_default=None, allow_none=True,
        metadata={"description": "receiving organisation of this tenant (internal transfer)"},
    )
    to_tenant = fields.Str(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=63),
        metadata={"description": "slug of the receiving tenant (transfer to another city)"},
    )
    to_org_code = fields.Str(
        load_default=None, allow_none=True, validate=validate.Length(max=200),
        metadata={"description": "the receiving organisation as the sender knows it: its "
                                 "code or a description (another tenant only)"},
    )
    reason = Reason(required=True, validate=validate.Length(max=REASON_MAX))
    expires_on = fields.Date(
        load_default=None, allow_none=True,
        metadata={"description": "last day the letter can be accepted (default: 3 months)"},
    )

    @validates_schema
    def _one_destination(self, data, **kwargs):
        if (data.get("to_org_id") is None) == (data.get("to_tenant") is None):
            message = "Give either to_org_id (this tenant) or to_tenant (another tenant)."
            raise ma.ValidationError({"to_org_id": [message], "to_tenant": [message]})
        if data.get("to_org_code") is not None and data.get("to_tenant") is None:
            raise ma.ValidationError(
                {"to_org_code": ["Only for a transfer to another tenant (with to_tenant)."]}
            )


class LetterQuerySchema(ma.Schema):
    status = fields.Str(load_default=None, validate=validate.OneOf(LETTER_STATUSES))
    kind = fields.Str(load_default=None, validate=validate.OneOf(KINDS))
    member_id = fields.UUID(load_default=None)


class LetterSchema(ma.Schema):
    id = fields.UUID()
    code = fields.Str(metadata={"description": "as printed: XXXX-XXXX-XXXX"})
    kind = fields.Str()
    status = fields.Str()
    exchange_state = fields.Str(
        allow_none=True,
        metadata={"description": "state of the exchange with the other tenant "
                                 "(offered, accepted, completed, …); null for internal letters"},
    )
    member_id = fields.UUID()
    member_name = fields.Str()
    from_org_id = fields.UUID(allow_none=True)
    to_org_id = fields.UUID(allow_none=True)
    peer_tenant = fields.Str(allow_none=True, metadata={"description": "the other tenant's slug"})
    peer_tenant_name = fields.Str(allow_none=True)
    peer_org = fields.Str(allow_none=True)
    reason = fields.Str()
    issued_on = fields.Date()
    expires_on = fields.Date()
    refusal_reason = fields.Str(allow_none=True)
    issued_by = fields.Str()
    closed_by = fields.Str(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class EnvelopeQuerySchema(ma.Schema):
    state = fields.Str(
        load_default="offered", validate=validate.OneOf((*ENVELOPE_STATES, "all")),
        metadata={"description": "default: offered (waiting for an answer); all: every state"},
    )


class EnvelopeSchema(ma.Schema):
    """What a receiving tenant sees of a letter addressed to it: enough to recognise the
    person and route the letter, nothing more (the ID number masked)."""

    code = fields.Str()
    state = fields.Str()
    name = fields.Str()
    gender = fields.Str(allow_none=True)
    id_number = fields.Str(metadata={"description": "masked"})
    from_tenant = fields.Str()
    from_tenant_name = fields.Str()
    from_org = fields.Str()
    to_org = fields.Str(allow_none=True)
    reason = fields.Str()
    issued_on = fields.Date()
    expires_on = fields.Date()


class AcceptSchema(ma.Schema):
    org_id = fields.UUID(
        load_default=None, allow_none=True,
        metadata={"description": "organisation of this tenant taking the member in (required "
                                 "for another tenant's letter; an internal letter defaults "
                                 "to the organisation it names)"},
    )


class RefuseSchema(ma.Schema):
    reason = Reason(required=True, validate=validate.Length(max=REASON_MAX))
