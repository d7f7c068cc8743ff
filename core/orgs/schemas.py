"""Request and response shapes of the organisation API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.auth.schemas import UtcDateTime
from core.orgs.models import KINDS


class OrgSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    parent_id = fields.UUID(allow_none=True)
    code = fields.Str()
    name = fields.Str()
    kind = fields.Str()
    sector = fields.Str(allow_none=True)
    depth = fields.Int()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class OrgCreateSchema(ma.Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    code = fields.Str(
        required=True,
        validate=[
            validate.Length(min=1, max=64),
            validate.Regexp(r"^\S+$", error="Code must not contain spaces."),
        ],
    )
    kind = fields.Str(required=True, validate=validate.OneOf(KINDS))
    parent_id = fields.UUID(load_default=None, allow_none=True)
    sector = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64))


class OrgQuerySchema(ma.Schema):
    parent = fields.UUID(load_default=None, metadata={"description": "children of this org"})
    kind = fields.Str(load_default=None, validate=validate.OneOf(KINDS))
    sector = fields.Str(load_default=None, validate=validate.Length(max=64))
