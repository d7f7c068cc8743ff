"""Request and response shapes of the auth and users API.

No response schema has a password or hash field: what is not declared is never dumped.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.api.fields import UtcDateTime
from core.auth import passwords
from core.auth.models import ROLES
from core.db.versioning import expected_version_field, version_field


def _password_policy(value: str) -> None:
    problems = passwords.password_problems(value)
    if problems:
        raise ma.ValidationError(problems)


class TokenRequestSchema(ma.Schema):
    username = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    password = fields.Str(
        required=True, load_only=True, validate=validate.Length(min=1, max=passwords.MAX_LENGTH)
    )


class TokenSchema(ma.Schema):
    access_token = fields.Str(required=True)
    token_type = fields.Str(required=True)
    expires_in = fields.Int(required=True)


class GrantSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    role = fields.Str()
    org_id = fields.UUID(allow_none=True)
    org_code = fields.Str(allow_none=True)
    org_name = fields.Str(allow_none=True)


class UserSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    username = fields.Str()
    display_name = fields.Str()
    is_active = fields.Bool()
    locked_until = UtcDateTime(allow_none=True)
    last_login_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    member_id = fields.UUID(allow_none=True)
    grants = fields.List(fields.Nested(GrantSchema))
    version = version_field()


class UserCreateSchema(ma.Schema):
    username = fields.Str(required=True, validate=validate.Length(min=2, max=64))
    password = fields.Str(required=True, load_only=True, validate=_password_policy)
    display_name = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    member_id = fields.UUID(load_default=None, allow_none=True)


class UserUpdateSchema(ma.Schema):
    """What a tenant administrator may change on an account: the member it belongs to
    (``null`` unlinks it)."""

    member_id = fields.UUID(required=True, allow_none=True)
    version = expected_version_field()


class GrantCreateSchema(ma.Schema):
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    org_id = fields.UUID(load_default=None, allow_none=True)
