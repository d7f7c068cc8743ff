"""Request and response shapes of ``POST /api/v1/standards/<id>/preview`` (the score
preview, :mod:`core.assessment.preview`). Scores are decimal strings."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from core.api.fields import UtcDateTime
from core.assessment.api.standard_schemas import FlatErrorsSchema, StandardItemInSchema


class PreviewInputSchema(FlatErrorsSchema):
    """The standard's items as ``PUT`` would take them (validated the same way)."""

    items = fields.List(fields.Nested(StandardItemInSchema), required=True)


class PreviewCycleSchema(ma.Schema):
    id = fields.UUID()
    name = fields.Str()
    starts_on = fields.Date()
    ends_on = fields.Date()
    published_at = UtcDateTime()


class PreviewRowSchema(ma.Schema):
    org_id = fields.UUID()
    code = fields.Str()
    name = fields.Str()
    standard_id = fields.UUID(metadata={"description": "the standard that rates it in the cycle"})
    old_score = fields.Decimal(places=2, as_string=True, metadata={"description": "published"})
    old_stars = fields.Int()
    new_score = fields.Decimal(places=2, as_string=True, metadata={"description": "with the change"})
    new_stars = fields.Int()
    change = fields.Decimal(places=2, as_string=True)
    move = fields.Str(metadata={"description": "up, down or same: the stars"})


class PreviewSummarySchema(ma.Schema):
    orgs = fields.Int(metadata={"description": "organisations rated with the standard"})
    up = fields.Int()
    down = fields.Int()
    same = fields.Int()
    average_change = fields.Decimal(places=2, as_string=True)
    old_average = fields.Decimal(places=2, as_string=True)
    new_average = fields.Decimal(places=2, as_string=True)
    others_moved = fields.Int(metadata={"description": "other standards' organisations whose result moves"})


class PreviewSchema(ma.Schema):
    standard_id = fields.UUID()
    cycle = fields.Nested(PreviewCycleSchema, metadata={"description": "the last published cycle that used the standard"})
    cycle_version = fields.Int(metadata={"description": "the version the cycle was scored with"})
    base_version = fields.Int(metadata={"description": "the version the change is made to"})
    summary = fields.Nested(PreviewSummarySchema)
    rows = fields.List(fields.Nested(PreviewRowSchema),
                       metadata={"description": "the standard's organisations, then others that move"})
    items = fields.Dict(keys=fields.Str(), values=fields.Str(), metadata={
        "description": "indicator → kept, rescaled, manual or measured (measured again for the period)"})
