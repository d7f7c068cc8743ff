"""Request and response shapes of the indicators and standards APIs.

Request schemas answer validation errors with flat field names (``items.2.weight``), as
the services do, instead of marshmallow's nesting (``{"items": {"2": {"weight": …}}}``).
Weights and points are decimal strings (``"12.50"``): nothing passes through a float.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

from core.api.fields import UtcDateTime
from core.assessment.custom import OPS
from core.assessment.custom import SCORINGS as CUSTOM_SCORINGS
from core.assessment.indicators import ORG_KINDS, SCORINGS
from core.db.versioning import expected_version_field, version_field


def flat_messages(messages, prefix: str = "") -> dict:
    """``{"items": {2: {"weight": [...]}}}`` → ``{"items.2.weight": [...]}``."""
    if not isinstance(messages, dict):
        return {prefix or "_schema": messages if isinstance(messages, list) else [messages]}
    flat: dict = {}
    for key, value in messages.items():
        name = prefix if key == "_schema" and prefix else (f"{prefix}.{key}" if prefix else str(key))
        flat.update(flat_messages(value, name))
    return flat


class FlatErrorsSchema(ma.Schema):
    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs):
        raise ValidationError(flat_messages(error.messages))


# -- indicators ----------------------------------------------------------------------------


class ParamFieldSchema(ma.Schema):
    name = fields.Str()
    type = fields.Str(metadata={"description": "the marshmallow field type (Integer, Float, String, List…)"})
    default = fields.Raw(allow_none=True)
    description = fields.Str(allow_none=True)


class IndicatorSchema(ma.Schema):
    key = fields.Str()
    name = fields.Str()
    scoring = fields.Str(metadata={"description": f"one of {', '.join(SCORINGS)}"})
    max_points = fields.Decimal(places=2, as_string=True, metadata={"description": "default weight"})
    sectors = fields.List(fields.Str(), metadata={"description": "empty: every sector"})
    kinds = fields.List(fields.Str(), metadata={"description": "empty: every kind"})
    unit = fields.Str()
    reads = fields.Str()
    description = fields.Str()
    params = fields.Dict(metadata={"description": "the parameters' defaults"})
    param_fields = fields.List(fields.Nested(ParamFieldSchema))
    plugin = fields.Str(allow_none=True, metadata={"description": "the plugin that provides it"})
    custom = fields.Bool(metadata={"description": "the tenant's own indicator"})
    active = fields.Bool(metadata={"description": "False: a deactivated custom indicator"})


class CustomIndicatorSchema(ma.Schema):
    id = fields.UUID()
    key = fields.Str()
    name = fields.Str()
    scoring = fields.Str()
    attribute = fields.Str(allow_none=True)
    op = fields.Str()
    target = fields.Str(allow_none=True, metadata={"description": "default target, decimal text"})
    max_points = fields.Str(metadata={"description": "default weight, decimal text"})
    sectors = fields.List(fields.Str())
    kinds = fields.List(fields.Str())
    unit = fields.Str()
    description = fields.Str(allow_none=True)
    active = fields.Bool()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


class CustomIndicatorCreateSchema(FlatErrorsSchema):
    slug = fields.Str(required=True, metadata={"description": "the key becomes custom.<slug>"})
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    scoring = fields.Str(required=True, validate=validate.OneOf(CUSTOM_SCORINGS))
    max_points = fields.Decimal(required=True, allow_nan=False)
    attribute = fields.Str(load_default=None, allow_none=True,
                           metadata={"description": "threshold: the sector attribute read"})
    op = fields.Str(load_default=">=", validate=validate.OneOf(OPS))
    target = fields.Decimal(load_default=None, allow_none=True, allow_nan=False)
    sectors = fields.List(fields.Str(), load_default=list)
    kinds = fields.List(fields.Str(validate=validate.OneOf(ORG_KINDS)), load_default=list)
    unit = fields.Str(load_default="", validate=validate.Length(max=16))
    description = fields.Str(load_default=None, allow_none=True)


class CustomIndicatorUpdateSchema(FlatErrorsSchema):
    """Only these may change; what the indicator measures (scoring, attribute, op) may not."""

    name = fields.Str(validate=validate.Length(min=1, max=200))
    description = fields.Str(allow_none=True)
    unit = fields.Str(validate=validate.Length(max=16))
    active = fields.Bool()
    target = fields.Decimal(allow_nan=False)
    max_points = fields.Decimal(allow_nan=False)
    version = expected_version_field()


# -- standards -----------------------------------------------------------------------------


class StandardItemInSchema(ma.Schema):
    indicator = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    weight = fields.Decimal(load_default=None, allow_none=True, allow_nan=False,
                            metadata={"description": "points; default the indicator's max_points"})
    params = fields.Dict(load_default=dict, metadata={"description": "parameter overrides"})


class StandardCreateSchema(FlatErrorsSchema):
    """One of: ``template`` (copy a default standard), ``copy_of`` (copy a standard of the
    tenant, ``name`` required) or a full definition (``name`` and ``items``)."""

    template = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=100))
    copy_of = fields.UUID(load_default=None, allow_none=True)
    name = fields.Str(load_default=None, allow_none=True)
    sector = fields.Str(load_default=None, allow_none=True, metadata={"description": "null: every sector"})
    kinds = fields.List(fields.Str(), load_default=None, allow_none=True)
    description = fields.Str(load_default=None, allow_none=True)
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    items = fields.List(fields.Nested(StandardItemInSchema), load_default=None, allow_none=True)


class StandardUpdateSchema(FlatErrorsSchema):
    """Fields left out stay as they are; a change of name, sector, kinds or items writes a
    new version (``note`` says why)."""

    name = fields.Str()
    sector = fields.Str(allow_none=True, metadata={"description": "null: every sector"})
    kinds = fields.List(fields.Str())
    items = fields.List(fields.Nested(StandardItemInSchema))
    description = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True, validate=validate.Length(max=2000))
    active = fields.Bool()
    edit_version = expected_version_field(
        "The standard's edit_version you read: a stale one is a 409 naming edit_version. "
        "(``version`` here is the standard's content version, a different thing.)")


class StandardQuerySchema(ma.Schema):
    active_only = fields.Bool(load_default=False)


class StandardItemSchema(ma.Schema):
    indicator = fields.Str()
    name = fields.Str(allow_none=True, metadata={"description": "null: not available to the tenant now"})
    scoring = fields.Str(allow_none=True)
    unit = fields.Str(allow_none=True)
    weight = fields.Decimal(places=2, as_string=True)
    params = fields.Dict(metadata={"description": "effective parameters"})
    available = fields.Bool(metadata={"description": "False: its plugin is disabled; skipped in cycles"})


class VersionSummarySchema(ma.Schema):
    id = fields.UUID()
    number = fields.Int()
    name = fields.Str()
    sector = fields.Str(allow_none=True)
    kinds = fields.List(fields.Str())
    note = fields.Str(allow_none=True)
    created_by = fields.Str()
    created_at = UtcDateTime()
    item_count = fields.Int()


class VersionSchema(VersionSummarySchema):
    standard_id = fields.UUID()
    items = fields.List(fields.Nested(StandardItemSchema))


class StandardSchema(ma.Schema):
    id = fields.UUID()
    name = fields.Str()
    sector = fields.Str(allow_none=True)
    kinds = fields.List(fields.Str())
    description = fields.Str(allow_none=True)
    active = fields.Bool()
    current_version = fields.Int()
    based_on = fields.Str(allow_none=True, metadata={"description": "a template key or a standard id"})
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    edit_version = fields.Function(
        lambda s: s["edit_version"] if isinstance(s, dict) else s.version,
        metadata={"description": "counts every change of the standard (optimistic locking): "
                                 "send it back with the next change"})


class StandardDetailSchema(StandardSchema):
    version = fields.Nested(VersionSchema, metadata={"description": "the current version"})


class TemplateItemSchema(ma.Schema):
    indicator = fields.Str()
    name = fields.Str(allow_none=True)
    weight = fields.Decimal(places=2, as_string=True)
    params = fields.Dict()


class TemplateSchema(ma.Schema):
    key = fields.Str()
    name = fields.Str()
    sector = fields.Str(allow_none=True)
    kinds = fields.List(fields.Str())
    description = fields.Str()
    plugin = fields.Str(allow_none=True)
    items = fields.List(fields.Nested(TemplateItemSchema))
