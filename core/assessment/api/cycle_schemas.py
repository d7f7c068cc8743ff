"""Request and response shapes of the cycles API (``/api/v1/cycles``)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.api.fields import UtcDateTime
from core.assessment.models.cycles import CHANGES, CYCLE_STATES, PERIODS
from core.db.versioning import expected_version_field, version_field

_points = {"places": 2, "as_string": True}


def _text(maximum: int, minimum: int = 1) -> list:
    # NUL characters are refused for every route by core.api.nul before this schema runs.
    return [validate.Length(min=minimum, max=maximum)]


_reason = _text(2000)


class CycleCreateSchema(ma.Schema):
    name = fields.Str(required=True, validate=_text(200))
    period = fields.Str(required=True, validate=validate.OneOf(PERIODS))
    year = fields.Int(required=True, validate=validate.Range(min=2000, max=2100))
    part = fields.Int(load_default=1, validate=validate.Range(min=1, max=4),
                      metadata={"description": "1 for a year; 1–2 for halves; 1–4 for quarters"})
    root_org_id = fields.UUID(required=True, metadata={"description": "the subtree assessed"})
    standard_ids = fields.List(
        fields.UUID(), load_default=None, validate=validate.Length(min=1, max=100),
        metadata={"description": "the standards used (default: every active standard)"},
    )

    @ma.validates_schema
    def _part(self, data, **kwargs):
        parts = {"year": 1, "half": 2, "quarter": 4}.get(data.get("period"))
        if parts is not None and data.get("part", 1) > parts:
            raise ma.ValidationError(f"A {data['period']} has parts 1–{parts}.", "part")


class CycleQuerySchema(ma.Schema):
    state = fields.Str(load_default=None, validate=validate.OneOf(CYCLE_STATES))
    period = fields.Str(load_default=None, validate=validate.OneOf(PERIODS))
    year = fields.Int(load_default=None, validate=validate.Range(min=2000, max=2100))


class FrozenStandardSchema(ma.Schema):
    standard_id = fields.UUID()
    name = fields.Str()
    version_id = fields.UUID()
    version = fields.Int()
    sector = fields.Str(allow_none=True)
    kinds = fields.List(fields.Str())


class CycleSchema(ma.Schema):
    id = fields.UUID()
    name = fields.Str()
    period = fields.Str()
    year = fields.Int()
    part = fields.Int()
    starts_on = fields.Date()
    ends_on = fields.Date()
    root_org_id = fields.UUID()
    root_org_name = fields.Str(allow_none=True)
    state = fields.Str(metadata={"enum": list(CYCLE_STATES)})
    state_name = fields.Str()
    version = fields.Int(metadata={"description": "send it back to publish or reopen (optimistic lock)"})
    all_standards = fields.Bool()
    standards = fields.List(fields.Nested(FrozenStandardSchema))
    can_assess = fields.Bool(metadata={"description": "the caller may run, review and publish"})
    evaluated_at = UtcDateTime(allow_none=True)
    published_at = UtcDateTime(allow_none=True)
    reopened_at = UtcDateTime(allow_none=True)
    reopen_reason = fields.Str(allow_none=True)
    run_summary = fields.Dict(allow_none=True)
    created_by = fields.Str()
    created_at = UtcDateTime()


class TransitionSchema(ma.Schema):
    version = fields.Int(load_default=None, metadata={"description": "the version read (409 if it moved)"})


class ReopenSchema(TransitionSchema):
    reason = fields.Str(required=True, validate=_reason)


class ResultQuerySchema(ma.Schema):
    org_id = fields.UUID(load_default=None, metadata={"description": "this organisation and its subtree"})
    stars = fields.Int(load_default=None, validate=validate.Range(min=1, max=5))
    sector = fields.Str(load_default=None, validate=_text(64))
    kind = fields.Str(load_default=None, validate=_text(32))
    change = fields.Str(load_default=None, validate=validate.OneOf(CHANGES))


class ResultSchema(ma.Schema):
    org_id = fields.UUID()
    org_name = fields.Str()
    org_code = fields.Str()
    sector = fields.Str(allow_none=True)
    kind = fields.Str()
    parent_id = fields.UUID(allow_none=True)
    standard_id = fields.UUID()
    version_id = fields.UUID()
    score = fields.Decimal(**_points)
    items_total = fields.Decimal(**_points)
    adjustments_total = fields.Decimal(**_points)
    clamp = fields.Decimal(**_points, metadata={"description": "keeping the score within 0–100 (调整)"})
    score_stars = fields.Int(metadata={"description": "stars by the thresholds alone"})
    stars = fields.Int()
    capped = fields.Bool(metadata={"description": "five stars by score, four by the cap"})
    vetoed = fields.Bool()
    notes = fields.List(fields.Str(), metadata={"description": "why these stars"})
    rank_peers = fields.Int(allow_none=True)
    peers_count = fields.Int(allow_none=True)
    rank_parent = fields.Int(allow_none=True)
    parent_count = fields.Int(allow_none=True)
    previous_cycle_id = fields.UUID(allow_none=True)
    previous_stars = fields.Int(allow_none=True)
    change = fields.Str(allow_none=True, metadata={"enum": list(CHANGES)})
    change_name = fields.Str(allow_none=True)
    member_count = fields.Int()
    avg_points = fields.Decimal(**_points)
    fortress_index = fields.Decimal(**_points, allow_none=True)
    index_note = fields.Str(allow_none=True)


class BreakdownLineSchema(ma.Schema):
    kind = fields.Str(metadata={"enum": ["indicator", "adjustment", "clamp"]})
    key = fields.Str(allow_none=True)
    name = fields.Str()
    scoring = fields.Str(allow_none=True)
    weight = fields.Decimal(**_points, allow_none=True)
    points = fields.Decimal(**_points)
    value = fields.Decimal(as_string=True, allow_none=True)
    explanation = fields.Str()
    evidence = fields.Dict()


class AdjustmentSchema(ma.Schema):
    id = fields.UUID()
    points = fields.Decimal(**_points)
    reason = fields.Str()
    entered_by = fields.Str()
    entered_by_user_id = fields.UUID(allow_none=True)
    created_at = UtcDateTime()


class ManualScoreSchema(ma.Schema):
    indicator_key = fields.Str()
    points = fields.Decimal(**_points)
    reason = fields.Str()
    entered_by = fields.Str()
    entered_by_user_id = fields.UUID(allow_none=True)
    updated_at = UtcDateTime()
    version = version_field()


class VetoSchema(ma.Schema):
    reason = fields.Str()
    note = fields.Str(allow_none=True)
    entered_by = fields.Str()
    entered_by_user_id = fields.UUID(allow_none=True)
    updated_at = UtcDateTime()
    version = version_field()


class ResultDetailSchema(ResultSchema):
    standard_name = fields.Str(allow_none=True)
    standard_version = fields.Int(allow_none=True)
    breakdown = fields.List(fields.Nested(BreakdownLineSchema),
                            metadata={"description": "indicators, adjustments and 调整: they add up to the score"})
    adjustments = fields.List(fields.Nested(AdjustmentSchema))
    manual_scores = fields.List(fields.Nested(ManualScoreSchema))
    veto = fields.Nested(VetoSchema, allow_none=True)


class ManualInputSchema(ma.Schema):
    points = fields.Decimal(required=True, places=None, allow_nan=False,
                            validate=validate.Range(min=0, max=100))
    reason = fields.Str(required=True, validate=_reason)
    version = expected_version_field("The version of this score you read (0: none yet).")


class AdjustmentInputSchema(ma.Schema):
    points = fields.Decimal(required=True, allow_nan=False, validate=validate.Range(min=-100, max=100),
                            metadata={"description": "± points, not 0"})
    reason = fields.Str(required=True, validate=_reason)


class VetoInputSchema(ma.Schema):
    reason = fields.Str(required=True, validate=_text(200),
                        metadata={"description": "one of the tenant's veto reasons (settings)"})
    note = fields.Str(load_default=None, allow_none=True, validate=_text(2000, minimum=0))
    version = expected_version_field("The version of the veto you read (0: none yet).")


class MemberQuerySchema(ma.Schema):
    org_id = fields.UUID(load_default=None, metadata={"description": "this organisation and its subtree"})


class MemberIndexSchema(ma.Schema):
    member_id = fields.UUID()
    name = fields.Str()
    org_id = fields.UUID()
    org_name = fields.Str()
    points = fields.Decimal(**_points)
    exempt = fields.Bool()
    rank_in_branch = fields.Int(allow_none=True)
    branch_size = fields.Int()
    vanguard_index = fields.Decimal(**_points, allow_none=True)
    index_note = fields.Str(allow_none=True)
