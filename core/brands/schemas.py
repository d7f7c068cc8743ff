"""API schemas of the brand library and the model sites (marshmallow 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.fields import UtcDateTime
from core.brands.models import LEVELS, OBJECTION_STATUSES, REVIEW_STATUSES, STATUSES

_text = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20_000))
_comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
_version = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1),
                      metadata={"description": "the version you read; a stale one is a 409"})
_year = validate.Range(min=2000, max=2100)


def _long(**kwargs):
    return fields.Str(allow_none=True, validate=validate.Length(max=20_000), **kwargs)


class BrandInputSchema(Schema):
    org_id = fields.UUID(required=True)
    parent_id = fields.UUID(load_default=None, allow_none=True,
                            metadata={"description": "a sub-brand's parent: the brand of an organisation above"})
    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    theme = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    concept = _long(load_default=None)
    theory = _long(load_default=None)
    methods = _long(load_default=None)
    carriers = _long(load_default=None)
    goals = _long(load_default=None)
    started_on = fields.Date(load_default=None, allow_none=True)


class BrandPatchSchema(Schema):
    """Only what is sent changes; ``version`` is required."""

    version = fields.Int(required=True, validate=validate.Range(min=1))
    parent_id = fields.UUID(allow_none=True)
    name = fields.Str(validate=validate.Length(min=1, max=100))
    theme = fields.Str(allow_none=True, validate=validate.Length(max=200))
    concept = _long()
    theory = _long()
    methods = _long()
    carriers = _long()
    goals = _long()
    started_on = fields.Date(allow_none=True)


class BrandQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    q = fields.Str(load_default=None, validate=validate.Length(max=100),
                   metadata={"description": "words in the name, theme or concept"})
    parent_id = fields.UUID(load_default=None, metadata={"description": "the sub-brands of this brand"})
    sub = fields.Bool(load_default=None, metadata={"description": "only sub-brands (true) or only not (false)"})


class BrandCaseInputSchema(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    happened_on = fields.Date(required=True)
    text = fields.Str(required=True, validate=validate.Length(min=1, max=50_000))


class BrandCasePatchSchema(Schema):
    version = fields.Int(required=True, validate=validate.Range(min=1))
    title = fields.Str(validate=validate.Length(min=1, max=200))
    happened_on = fields.Date()
    text = fields.Str(validate=validate.Length(min=1, max=50_000))


class BrandCaseSchema(Schema):
    id = fields.UUID()
    brand_id = fields.UUID()
    title = fields.Str()
    happened_on = fields.Date()
    text = fields.Str()
    version = fields.Int()
    created_at = UtcDateTime()


class BrandSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    parent_id = fields.UUID(allow_none=True)
    name = fields.Str()
    theme = fields.Str(allow_none=True)
    concept = fields.Str(allow_none=True)
    theory = fields.Str(allow_none=True)
    methods = fields.Str(allow_none=True)
    carriers = fields.Str(allow_none=True)
    goals = fields.Str(allow_none=True)
    started_on = fields.Date(allow_none=True)
    version = fields.Int()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class BrandRefSchema(Schema):
    id = fields.UUID()
    name = fields.Str()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)


class BrandDetailSchema(BrandSchema):
    parent = fields.Nested(BrandRefSchema, allow_none=True)
    sub_brands = fields.List(fields.Nested(BrandRefSchema))
    cases = fields.List(fields.Nested(BrandCaseSchema))


class BrandCoverageQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the subtree's root (default: the highest you see)"})


class BrandFigureSchema(Schema):
    total = fields.Int()
    with_brand = fields.Int()
    share = fields.Float(allow_none=True)


class BrandCoverageFigureSchema(BrandFigureSchema):
    key = fields.Str()
    label = fields.Str()


class BrandCoveragePartSchema(Schema):
    org_id = fields.UUID()
    org_name = fields.Str()
    figures = fields.Dict(keys=fields.Str(), values=fields.Nested(BrandFigureSchema))


class BrandCoverageSchema(Schema):
    org_id = fields.UUID()
    org_name = fields.Str()
    figures = fields.List(fields.Nested(BrandCoverageFigureSchema))
    children = fields.List(fields.Nested(BrandCoveragePartSchema))


# -- model sites -----------------------------------------------------------------------------


class SiteInputSchema(Schema):
    org_id = fields.UUID(required=True)
    level = fields.Str(required=True, validate=validate.OneOf(LEVELS),
                       metadata={"description": "model_site 党建示范点 / hundred_best 基层党建百佳示范单位"})
    year = fields.Int(load_default=None, allow_none=True, validate=_year)
    brand_id = fields.UUID(load_default=None, allow_none=True)
    answers = fields.Dict(keys=fields.Str(validate=validate.Length(max=200)),
                          values=fields.Str(validate=validate.Length(max=5000)), required=True,
                          metadata={"description": "each of the tenant's criteria → how it is met"})
    statement = _text


class SitePatchSchema(Schema):
    version = fields.Int(required=True, validate=validate.Range(min=1))
    year = fields.Int(validate=_year)
    brand_id = fields.UUID(allow_none=True)
    answers = fields.Dict(keys=fields.Str(validate=validate.Length(max=200)),
                          values=fields.Str(validate=validate.Length(max=5000)))
    statement = fields.Str(allow_none=True, validate=validate.Length(max=20_000))


class SiteStepSchema(Schema):
    comment = _comment
    version = _version


class SiteReasonSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    version = _version


class SiteAwardSchema(SiteStepSchema):
    title = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200),
                       metadata={"description": "default: <year>年度<level>"})
    award_year = fields.Int(load_default=None, allow_none=True, validate=_year)


class SiteReviewResultSchema(Schema):
    passed = fields.Bool(required=True)
    comment = _comment
    version = _version


class SiteObjectionInputSchema(Schema):
    text = fields.Str(required=True, validate=validate.Length(min=1, max=5000))
    received_on = fields.Date(load_default=None, allow_none=True)


class SiteObjectionSettleSchema(Schema):
    upheld = fields.Bool(required=True)
    resolution = fields.Str(required=True, validate=validate.Length(min=1, max=5000))
    version = _version


class SiteOpenReviewsSchema(Schema):
    year = fields.Int(required=True, validate=_year)
    org_id = fields.UUID(load_default=None, allow_none=True,
                         metadata={"description": "the subtree (default: the whole city, tenant administrators)"})


class SiteLapseSchema(Schema):
    org_id = fields.UUID(load_default=None, allow_none=True)


class SiteCountSchema(Schema):
    count = fields.Int()


class SiteQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    level = fields.Str(load_default=None, validate=validate.OneOf(LEVELS))
    year = fields.Int(load_default=None, validate=_year)
    review_due = fields.Bool(load_default=None)


class SiteEventSchema(Schema):
    id = fields.UUID()
    kind = fields.Str()
    label = fields.Str()
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str(allow_none=True)
    comment = fields.Str(allow_none=True)
    actor_label = fields.Str()
    created_at = UtcDateTime()


class SiteObjectionSchema(Schema):
    id = fields.UUID()
    site_id = fields.UUID()
    received_on = fields.Date()
    text = fields.Str()
    status = fields.Str(validate=validate.OneOf(OBJECTION_STATUSES))
    resolution = fields.Str(allow_none=True)
    settled_on = fields.Date(allow_none=True)
    version = fields.Int()


class SiteReviewSchema(Schema):
    id = fields.UUID()
    year = fields.Int()
    due_on = fields.Date()
    status = fields.Str(validate=validate.OneOf(REVIEW_STATUSES))
    reviewed_on = fields.Date(allow_none=True)
    comment = fields.Str(allow_none=True)
    reviewed_by = fields.Str(allow_none=True)


class SiteSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    brand_id = fields.UUID(allow_none=True)
    level = fields.Str()
    level_label = fields.Str()
    year = fields.Int()
    answers = fields.Dict(keys=fields.Str(), values=fields.Str())
    statement = fields.Str(allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    applied_on = fields.Date()
    applied_by = fields.Str()
    reviewed_on = fields.Date(allow_none=True)
    review_comment = fields.Str(allow_none=True)
    notice_starts_on = fields.Date(allow_none=True)
    notice_ends_on = fields.Date(allow_none=True)
    refusal_reason = fields.Str(allow_none=True)
    title = fields.Str(allow_none=True)
    award_year = fields.Int(allow_none=True)
    awarded_on = fields.Date(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    withdrawal_reason = fields.Str(allow_none=True)
    version = fields.Int()
    created_at = UtcDateTime()


class SiteDetailSchema(SiteSchema):
    events = fields.List(fields.Nested(SiteEventSchema))
    objections = fields.List(fields.Nested(SiteObjectionSchema))
    reviews = fields.List(fields.Nested(SiteReviewSchema))
    history = fields.List(fields.Nested(SiteSchema))
