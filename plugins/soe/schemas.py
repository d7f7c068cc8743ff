"""Input and output schemas of the soe API (``/api/v1/soe``).

Inputs refuse what they do not declare and name each bad field (422). A PATCH changes only
what it sends; the organisation of a record (and the member of a vanguard post) never
changes (record anew). Names are prefixed ``Soe`` so they stay unique in the OpenAPI document.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from core.sdk import UtcDateTime, expected_version_field, version_field
from plugins.soe.models import (
    BODIES,
    BUSINESS_POSTS,
    CATEGORIES,
    INNOVATION_KINDS,
    LEVELS,
    OUTCOMES,
    PARTY_POSTS,
    VANGUARD_KINDS,
)

_YEAR = validate.Range(min=1949, max=2100)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def _text(max_length: int, **kwargs):
    """A name-like text: not blank, at most ``max_length`` characters."""
    return fields.Str(validate=validate.And(validate.Length(min=1, max=max_length), _not_blank), **kwargs)


def _note(**kwargs):
    return fields.Str(allow_none=True, validate=validate.Length(max=5000), **kwargs)


def _percent(**kwargs):
    return fields.Decimal(places=2, allow_nan=False, validate=validate.Range(min=0, max=100), **kwargs)


def _score(**kwargs):
    return fields.Decimal(places=2, allow_nan=False, validate=validate.Range(min=0, max=1000), **kwargs)


def _choice(values, **kwargs):
    return fields.Str(validate=validate.OneOf(values), **kwargs)


class SoeQuerySchema(Schema):
    org_id = fields.UUID(load_default=None, metadata={"description": "one organisation"})
    subtree_of = fields.UUID(load_default=None, metadata={"description": "an organisation and its subtree"})


class _Out(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    org_name = fields.Str()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


# -- decisions (前置研究讨论) ---------------------------------------------------------------------


class SoeDecisionInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the enterprise's Party organisation"})
    title = _text(200, required=True)
    category = _choice(CATEGORIES, required=True, metadata={
        "description": "三重一大: major_decision 重大决策, key_appointment 重要人事任免, "
                       "major_project 重大项目安排, large_fund 大额度资金运作"})
    party_reviewed_on = fields.Date(load_default=None, allow_none=True,
                                    metadata={"description": "党委前置研究讨论日期 (empty: not studied)"})
    party_outcome = _choice(OUTCOMES, load_default=None, allow_none=True, metadata={
        "description": "agreed 同意提交, amended 修改完善后提交, withdrawn 不同意提交（撤回）"})
    decided_by = _choice(BODIES, load_default="board",
                         metadata={"description": "board 董事会, management 经理层, shareholders 股东（大）会"})
    decided_on = fields.Date(load_default=None, allow_none=True,
                             metadata={"description": "决策日期 (empty: not decided yet, or withdrawn)"})
    minutes_ref = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=100),
                             metadata={"description": "会议纪要编号"})
    note = _note(load_default=None)


class SoeDecisionPatchSchema(Schema):
    title = _text(200)
    category = _choice(CATEGORIES)
    party_reviewed_on = fields.Date(allow_none=True)
    party_outcome = _choice(OUTCOMES, allow_none=True)
    decided_by = _choice(BODIES)
    decided_on = fields.Date(allow_none=True)
    minutes_ref = fields.Str(allow_none=True, validate=validate.Length(max=100))
    note = _note()
    version = expected_version_field()


class SoeDecisionQuerySchema(SoeQuerySchema):
    year = fields.Int(load_default=None, validate=_YEAR,
                      metadata={"description": "decided (or, if not decided, studied) in this year"})
    flagged = fields.Bool(load_default=None,
                          metadata={"description": "only matters decided without timely prior study"})


class SoeDecisionSchema(_Out):
    title = fields.Str()
    category = fields.Str()
    category_label = fields.Str()
    party_reviewed_on = fields.Date(allow_none=True)
    party_outcome = fields.Str(allow_none=True)
    outcome_label = fields.Str(allow_none=True)
    decided_by = fields.Str()
    decided_by_label = fields.Str()
    decided_on = fields.Date(allow_none=True)
    minutes_ref = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True)
    flagged = fields.Bool(metadata={"description": "decided without (timely) prior study"})
    problem = fields.Str(allow_none=True, metadata={"description": "why it is flagged"})


# -- cross appointments (双向进入、交叉任职) ----------------------------------------------------------


class SoeAppointmentInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the enterprise's Party organisation"})
    person_name = _text(50, load_default=None, allow_none=True,
                        metadata={"description": "the person (default: the member's name)"})
    member_id = fields.UUID(load_default=None, allow_none=True,
                            metadata={"description": "the person in the member register, if there"})
    party_post = _choice(PARTY_POSTS, load_default=None, allow_none=True, metadata={
        "description": "secretary 党委书记, deputy_secretary 副书记, full_time_deputy_secretary 专职副书记, "
                       "discipline_secretary 纪委书记, committee_member 党委委员"})
    business_post = _choice(BUSINESS_POSTS, load_default=None, allow_none=True, metadata={
        "description": "chairman 董事长, vice_chairman 副董事长, director 董事, general_manager 总经理, "
                       "deputy_general_manager 副总经理, chief_accountant 总会计师, "
                       "supervisor_chairman 监事会主席, supervisor 监事"})
    started_on = fields.Date(required=True)
    ended_on = fields.Date(load_default=None, allow_none=True,
                           metadata={"description": "the first day no longer held"})
    note = _note(load_default=None)


class SoeAppointmentPatchSchema(Schema):
    person_name = _text(50, allow_none=True)
    member_id = fields.UUID(allow_none=True)
    party_post = _choice(PARTY_POSTS, allow_none=True)
    business_post = _choice(BUSINESS_POSTS, allow_none=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    note = _note()
    version = expected_version_field()


class SoeAppointmentQuerySchema(SoeQuerySchema):
    current = fields.Bool(load_default=None, metadata={"description": "only posts held today"})


class SoeAppointmentSchema(_Out):
    person_name = fields.Str()
    member_id = fields.UUID(allow_none=True)
    party_post = fields.Str(allow_none=True)
    party_post_label = fields.Str(allow_none=True)
    business_post = fields.Str(allow_none=True)
    business_post_label = fields.Str(allow_none=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    note = fields.Str(allow_none=True)
    current = fields.Bool()


# -- performance links (党建考核与经营业绩挂钩) ---------------------------------------------------


class SoeLinkInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the enterprise's Party organisation"})
    year = fields.Int(required=True, validate=_YEAR)
    link_weight_pct = _percent(required=True, metadata={
        "description": "党建考核结果在经营业绩考核中的权重（%）"})
    party_building_score = _score(load_default=None, allow_none=True,
                                  metadata={"description": "党建工作考核得分"})
    business_score = _score(load_default=None, allow_none=True, metadata={"description": "经营业绩考核得分"})
    salary_linked = fields.Bool(load_default=False,
                                metadata={"description": "考核结果与领导人员薪酬挂钩"})
    note = _note(load_default=None)


class SoeLinkPatchSchema(Schema):
    link_weight_pct = _percent()
    party_building_score = _score(allow_none=True)
    business_score = _score(allow_none=True)
    salary_linked = fields.Bool()
    note = _note()
    version = expected_version_field()


class SoeLinkQuerySchema(SoeQuerySchema):
    year = fields.Int(load_default=None, validate=_YEAR)


class SoeLinkSchema(_Out):
    year = fields.Int()
    link_weight_pct = fields.Decimal(places=2, as_string=True)
    party_building_score = fields.Decimal(places=2, as_string=True, allow_none=True)
    business_score = fields.Decimal(places=2, as_string=True, allow_none=True)
    salary_linked = fields.Bool()
    note = fields.Str(allow_none=True)
    min_weight_pct = fields.Float(metadata={"description": "the tenant's minimum (setting)"})
    met = fields.Bool(metadata={"description": "weight ≥ the minimum"})


# -- vanguard posts (党员先锋岗、责任区、示范岗) --------------------------------------------------------


class SoeVanguardInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the branch"})
    member_id = fields.UUID(required=True, metadata={"description": "a member of the branch (or its groups)"})
    kind = _choice(VANGUARD_KINDS, required=True, metadata={
        "description": "vanguard_post 党员先锋岗, responsibility_area 党员责任区, model_post 党员示范岗"})
    name = _text(100, required=True, metadata={"description": "岗位或责任区名称"})
    duty = _note(load_default=None, metadata={"description": "承诺事项、职责"})
    started_on = fields.Date(required=True)
    ended_on = fields.Date(load_default=None, allow_none=True,
                           metadata={"description": "the first day no longer held"})


class SoeVanguardPatchSchema(Schema):
    kind = _choice(VANGUARD_KINDS)
    name = _text(100)
    duty = _note()
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    version = expected_version_field()


class SoeVanguardQuerySchema(SoeQuerySchema):
    current = fields.Bool(load_default=None, metadata={"description": "only posts held today"})


class SoeVanguardSchema(_Out):
    member_id = fields.UUID()
    member_name = fields.Str()
    kind = fields.Str()
    kind_label = fields.Str()
    name = fields.Str()
    duty = fields.Str(allow_none=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    current = fields.Bool()


# -- innovations (党员攻关、创新成果) ---------------------------------------------------------------


class SoeInnovationInputSchema(Schema):
    org_id = fields.UUID(required=True, metadata={"description": "the branch"})
    title = _text(200, required=True)
    kind = _choice(INNOVATION_KINDS, required=True, metadata={
        "description": "tackling 党员攻关项目, innovation 创新成果, suggestion 合理化建议"})
    achieved_on = fields.Date(required=True, metadata={"description": "结题、验收或认定日期"})
    level = _choice(LEVELS, load_default=None, allow_none=True, metadata={
        "description": "认定层级: enterprise, group, municipal, provincial, national"})
    benefit = _note(load_default=None, metadata={"description": "成效"})
    member_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=200),
                             metadata={"description": "members who took part (each earns the points)"})


class SoeInnovationPatchSchema(Schema):
    title = _text(200)
    kind = _choice(INNOVATION_KINDS)
    achieved_on = fields.Date()
    level = _choice(LEVELS, allow_none=True)
    benefit = _note()
    member_ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=200))
    version = expected_version_field()


class SoeInnovationQuerySchema(SoeQuerySchema):
    year = fields.Int(load_default=None, validate=_YEAR)


class SoeInnovationSchema(_Out):
    title = fields.Str()
    kind = fields.Str()
    kind_label = fields.Str()
    achieved_on = fields.Date()
    level = fields.Str(allow_none=True)
    benefit = fields.Str(allow_none=True)
    member_ids = fields.List(fields.UUID())
