"""Query and response schemas of the statistics API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.statistics.tables import PERIODS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatisticsQuerySchema(ma.Schema):
    org_id = fields.UUID(required=True, metadata={"description": "root of the subtree"})
    year = fields.Int(required=True, validate=validate.Range(min=1921, max=2100))
    period = fields.Str(
        load_default="annual",
        validate=validate.OneOf(list(PERIODS)),
        metadata={"description": "annual (to 12-31) or half (to 06-30)"},
    )


class StatisticsDrillQuerySchema(StatisticsQuerySchema):
    # checked against core's and the enabled plugins' tables by the service (422 naming it)
    table = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    row = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    column = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class _KeyLabelSchema(ma.Schema):
    key = fields.Str()
    label = fields.Str()


class StatisticsTableSchema(ma.Schema):
    key = fields.Str()
    title = fields.Str()
    rows = fields.List(fields.Nested(_KeyLabelSchema))
    columns = fields.List(fields.Nested(_KeyLabelSchema))
    cells = fields.Dict(
        keys=fields.Str(), values=fields.Dict(keys=fields.Str(), values=fields.Int())
    )


class StatisticsSchema(ma.Schema):
    org_id = fields.UUID()
    org_name = fields.Str()
    year = fields.Int()
    period = fields.Str()
    start = fields.Date()
    end = fields.Date(metadata={"description": "the reference date of every figure"})
    tables = fields.List(fields.Nested(StatisticsTableSchema))


class StatisticsRecordSchema(ma.Schema):
    id = fields.UUID(metadata={"description": "the member, organisation or unit"})
    name = fields.Str()
    org_id = fields.UUID(allow_none=True)
    org_name = fields.Str(allow_none=True)
    occurred_on = fields.Date(allow_none=True)


class StatisticsDrillSchema(ma.Schema):
    table = fields.Str()
    row = fields.Str()
    column = fields.Str()
    count = fields.Int()
    items = fields.List(fields.Nested(StatisticsRecordSchema))
