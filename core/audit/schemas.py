"""Marshmallow schemas of the audit API."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from core.audit.models import ACTIONS

MAX_PAGE_SIZE = 200


class AuditQuerySchema(Schema):
    object_type = fields.Str(validate=validate.Length(1, 100),
                             metadata={"description": "Table name, e.g. organizations"})
    object_id = fields.Str(validate=validate.Length(1, 500))
    actor = fields.Str(validate=validate.Length(1, 200),
                       metadata={"description": "Actor label (user:alice, cli:root, system) "
                                                "or a user id"})
    action = fields.Str(validate=validate.OneOf(ACTIONS))
    since = fields.AwareDateTime(default_timezone=UTC,
                                 metadata={"description": "Inclusive; ISO 8601, UTC if no offset"})
    until = fields.AwareDateTime(default_timezone=UTC,
                                 metadata={"description": "Inclusive; ISO 8601, UTC if no offset"})
    page = fields.Int(load_default=1, validate=validate.Range(1, 1_000_000))
    page_size = fields.Int(load_default=50, validate=validate.Range(1, MAX_PAGE_SIZE))


def _aware(entry):
    at = entry.at
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).isoformat()


class AuditEntrySchema(Schema):
    id = fields.UUID()
    at = fields.Function(_aware, metadata={"type": "string", "format": "date-time"})
    actor_label = fields.Str()
    actor_user_id = fields.UUID(allow_none=True)
    action = fields.Str()
    object_type = fields.Str()
    object_id = fields.Str()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    changed = fields.List(fields.Str(), allow_none=True)
    request_id = fields.Str(allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    total = fields.Int()
    page = fields.Int()
    page_size = fields.Int()
