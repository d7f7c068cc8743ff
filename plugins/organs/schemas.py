"""API schemas of the organs records (marshmallow 4). Input schemas refuse unknown keys
(marshmallow's default), so a misspelt field is a 422 naming it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.sdk import UtcDateTime, expected_version_field, version_field
from plugins.organs.models import BRAND_STATUSES, GOAL_STATUSES, MODEL_STATUSES

_year = validate.Range(min=2000, max=2100)
_name = validate.Length(min=1, max=50)


def _text(max_length: int, **kwargs):
    return fields.Str(allow_none=True, validate=validate.Length(max=max_length), **kwargs)


# -- brands -------------------------------------------------------------------------------------


class OrgansBrandInputSchema(Schema):
    org_id = fields.UUID(required=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=100),
                      metadata={"description": "品牌名称"})
    slogan = _text(200, load_default=None, metadata={"description": "品牌口号 / 理念"})
    description = _text(5000, load_default=None, metadata={"description": "品牌内涵: 党建主题"})
    plan = _text(20_000, load_default=None, metadata={"description": "创建计划: 推进措施、运行机制"})
    started_on = fields.Date(load_default=None, allow_none=True)
    status = fields.Str(load_default="planning", validate=validate.OneOf(BRAND_STATUSES))
    recognition = _text(100, load_default=None,
                        metadata={"description": "what it was recognised as (市级示范品牌); org_manager"})
    recognised_on = fields.Date(load_default=None, allow_none=True)


class OrgansBrandPatchSchema(Schema):
    """Only what is sent changes. ``status: recognised`` with ``recognition`` is the
    committee's (org_manager)."""

    name = fields.Str(validate=validate.Length(min=1, max=100))
    slogan = _text(200)
    description = _text(5000)
    plan = _text(20_000)
    started_on = fields.Date(allow_none=True)
    status = fields.Str(validate=validate.OneOf(BRAND_STATUSES))
    recognition = _text(100)
    recognised_on = fields.Date(allow_none=True)
    version = expected_version_field()


class OrgansBrandQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    status = fields.Str(load_default=None, validate=validate.OneOf(BRAND_STATUSES))


class OrgansMilestoneInputSchema(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    due_on = fields.Date(required=True)
    done_on = fields.Date(load_default=None, allow_none=True)
    evidence = _text(20_000, load_default=None, metadata={"description": "佐证: required once done"})
    responsible_member_id = fields.UUID(load_default=None, allow_none=True)
    responsible_name = fields.Str(load_default=None, allow_none=True, validate=_name)


class OrgansMilestonePatchSchema(Schema):
    title = fields.Str(validate=validate.Length(min=1, max=200))
    due_on = fields.Date()
    done_on = fields.Date(allow_none=True)
    evidence = _text(20_000)
    responsible_member_id = fields.UUID(allow_none=True)
    responsible_name = fields.Str(allow_none=True, validate=_name)
    version = expected_version_field()


class OrgansMilestoneSchema(Schema):
    id = fields.UUID()
    brand_id = fields.UUID()
    title = fields.Str()
    due_on = fields.Date()
    done_on = fields.Date(allow_none=True)
    evidence = fields.Str(allow_none=True)
    responsible_member_id = fields.UUID(allow_none=True)
    responsible_name = fields.Str(allow_none=True)
    overdue = fields.Bool(metadata={"description": "not done and past its due day (plus the grace days)"})
    days_overdue = fields.Int()
    on_time = fields.Bool(allow_none=True, metadata={"description": "done by its due day (plus grace); null while open"})
    version = version_field()


class OrgansBrandSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    name = fields.Str()
    slogan = fields.Str(allow_none=True)
    description = fields.Str(allow_none=True)
    plan = fields.Str(allow_none=True)
    started_on = fields.Date(allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    recognition = fields.Str(allow_none=True)
    recognised_on = fields.Date(allow_none=True)
    milestones_total = fields.Int()
    milestones_done = fields.Int()
    milestones_overdue = fields.Int()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


class OrgansBrandDetailSchema(OrgansBrandSchema):
    milestones = fields.List(fields.Nested(OrgansMilestoneSchema))


# -- 模范机关 -------------------------------------------------------------------------------------


class OrgansAssessmentInputSchema(Schema):
    org_id = fields.UUID(required=True)
    year = fields.Int(required=True, validate=_year)
    criteria = fields.Dict(keys=fields.Str(), values=fields.Bool(), load_default=dict,
                           metadata={"description": "criterion → met, over the tenant's criteria "
                                                    "(GET /model-assessments/criteria); unknown ones are refused"})
    note = _text(20_000, load_default=None, metadata={"description": "自评说明"})
    assessed_on = fields.Date(load_default=None, allow_none=True)


class OrgansAssessmentPatchSchema(Schema):
    """The branch corrects ``criteria``/``note``/``assessed_on`` while self-assessed; the
    committee (org_manager) moves ``status`` with a ``decision_note``."""

    criteria = fields.Dict(keys=fields.Str(), values=fields.Bool())
    note = _text(20_000)
    assessed_on = fields.Date()
    status = fields.Str(validate=validate.OneOf(MODEL_STATUSES))
    decision_note = _text(20_000)
    version = expected_version_field()


class OrgansAssessmentQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    year = fields.Int(load_default=None, validate=_year)
    status = fields.Str(load_default=None, validate=validate.OneOf(MODEL_STATUSES))


class OrgansAssessmentSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    year = fields.Int()
    criteria = fields.Dict(keys=fields.Str(), values=fields.Bool())
    met = fields.Int()
    total = fields.Int()
    note = fields.Str(allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    assessed_on = fields.Date()
    decided_on = fields.Date(allow_none=True)
    decision_note = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


class OrgansCriteriaSchema(Schema):
    criteria = fields.List(fields.Str())


# -- business goals -------------------------------------------------------------------------------


class OrgansGoalInputSchema(Schema):
    org_id = fields.UUID(required=True)
    year = fields.Int(required=True, validate=_year)
    business_goal = fields.Str(required=True, validate=validate.Length(min=1, max=500),
                               metadata={"description": "业务工作目标"})
    party_measure = _text(5000, load_default=None, metadata={"description": "服务该目标的党建举措（载体）"})
    status = fields.Str(load_default="planned", validate=validate.OneOf(GOAL_STATUSES))
    result = _text(5000, load_default=None, metadata={"description": "成效 / 未完成原因"})
    reviewed_on = fields.Date(load_default=None, allow_none=True)


class OrgansGoalPatchSchema(Schema):
    year = fields.Int(validate=_year)
    business_goal = fields.Str(validate=validate.Length(min=1, max=500))
    party_measure = _text(5000)
    status = fields.Str(validate=validate.OneOf(GOAL_STATUSES))
    result = _text(5000)
    reviewed_on = fields.Date(allow_none=True)
    version = expected_version_field()


class OrgansGoalQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    year = fields.Int(load_default=None, validate=_year)
    status = fields.Str(load_default=None, validate=validate.OneOf(GOAL_STATUSES))


class OrgansGoalSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str(allow_none=True)
    year = fields.Int()
    business_goal = fields.Str()
    party_measure = fields.Str(allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    result = fields.Str(allow_none=True)
    reviewed_on = fields.Date(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


# -- overview ----------------------------------------------------------------------------------------


class OrgansOverviewQuerySchema(Schema):
    org = fields.UUID(load_default=None, metadata={"description": "the organisation and its subtree"})
    year = fields.Int(load_default=None, validate=_year, metadata={"description": "default: this year"})


class OrgansOverviewSchema(Schema):
    org_id = fields.UUID()
    org_name = fields.Str()
    organ_name = fields.Str(allow_none=True)
    staff_total = fields.Int(allow_none=True)
    party_office_full_time = fields.Int()
    party_office_part_time = fields.Int()
    party_office_head = fields.Str(allow_none=True)
    full_time_required = fields.Int(allow_none=True)
    staffing_met = fields.Bool(allow_none=True)
    brand_id = fields.UUID(allow_none=True)
    brand_name = fields.Str(allow_none=True)
    brand_status = fields.Str(allow_none=True)
    milestones_overdue = fields.Int()
    model_status = fields.Str(allow_none=True)
    goals = fields.Int()
    goals_met = fields.Int()
    goals_missed = fields.Int()
