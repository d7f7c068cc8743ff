"""The organs API (``/api/v1/organs``): the records an organ's Party organisation keeps.

* ``/brands`` — 一机关一品牌: one brand per organisation, its plan, status and milestones
  (``/brands/<id>/milestones``);
* ``/model-assessments`` — 模范机关创建: yearly self-assessments over the tenant's criteria
  (``/model-assessments/criteria``), recommended and recognised by the committee;
* ``/business-goals`` — 党建与业务融合: the year's business goals with their Party measures;
* ``/overview`` — each organ organisation the user sees: staffing against the ratio, brand,
  overdue milestones, 模范机关 status and the year's goals.

Reading needs a grant covering the record's organisation (``member``); lists show only what
the user sees. Writing needs ``branch_secretary`` on the organisation; recognising a brand
and recommending or recognising a 模范机关 is the committee's (``org_manager``). Unknown,
another tenant's and out-of-scope ids are all 404; a member who sees the record but lacks the
role gets 403; bad input is a 422 naming the field. Routes answer 404 for a tenant that has
not enabled the plugin (core does that).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, func, select

from core.sdk import (
    Blueprint,
    Organization,
    abort,
    db,
    expect_version,
    has_role,
    login_required,
    paged,
    parse_id,
    subtree_filter,
    visible_org,
    visible_orgs_clause,
    visible_record,
)
from plugins.organs import scope, service, staffing
from plugins.organs.models import (
    BRAND_STATUS_LABELS,
    GOAL_MET_STATUSES,
    GOAL_STATUS_LABELS,
    MISSED,
    MODEL_STATUS_LABELS,
    Brand,
    BrandMilestone,
    BusinessGoal,
    ModelAssessment,
)
from plugins.organs.schemas import (
    OrgansAssessmentInputSchema,
    OrgansAssessmentPatchSchema,
    OrgansAssessmentQuerySchema,
    OrgansAssessmentSchema,
    OrgansBrandDetailSchema,
    OrgansBrandInputSchema,
    OrgansBrandPatchSchema,
    OrgansBrandQuerySchema,
    OrgansBrandSchema,
    OrgansCriteriaSchema,
    OrgansGoalInputSchema,
    OrgansGoalPatchSchema,
    OrgansGoalQuerySchema,
    OrgansGoalSchema,
    OrgansMilestoneInputSchema,
    OrgansMilestonePatchSchema,
    OrgansMilestoneSchema,
    OrgansOverviewQuerySchema,
    OrgansOverviewSchema,
)
from plugins.organs.settings import settings

bp = Blueprint("organs", __name__, description="Organs (机关): 一机关一品牌, 模范机关创建, "
               "党建与业务融合 and Party-work staffing.")

WRITER = "branch_secretary"
DECIDER = "org_manager"


# -- lookups ------------------------------------------------------------------------------------


def _brand(brand_id, role: str = "member") -> tuple[Brand, Organization]:
    return visible_record(Brand, brand_id, "brand", role)


def _milestone(brand: Brand, milestone_id):
    parsed = parse_id(milestone_id)
    milestone = service.get_milestone(brand, parsed) if parsed is not None else None
    if milestone is None:
        abort(404, f"milestone {milestone_id} not found")
    return milestone


def _assessment(assessment_id, role: str = "member") -> tuple[ModelAssessment, Organization]:
    return visible_record(ModelAssessment, assessment_id, "model assessment", role)


def _goal(goal_id, role: str = "member") -> tuple[BusinessGoal, Organization]:
    return visible_record(BusinessGoal, goal_id, "business goal", role)


def _visible(stmt, org_id):
    """``stmt`` (joined to Organization) limited to what the user sees, and to the subtree
    of ``org_id`` (404 when the user does not see it) when one is given."""
    stmt = stmt.where(visible_orgs_clause())
    if org_id is not None:
        stmt = stmt.where(subtree_filter(visible_org(org_id).path))
    return stmt


# -- presentation -------------------------------------------------------------------------------


def _fields(row, schema, model) -> dict:
    return {key: getattr(row, key) for key in schema().fields if hasattr(model, key)}


def _grace() -> int:
    return settings()["brand_milestone_grace_days"]


def present_milestone(milestone: BrandMilestone, today: date, grace: int) -> dict:
    values = _fields(milestone, OrgansMilestoneSchema, BrandMilestone)
    deadline = milestone.due_on + timedelta(days=grace)
    open_late = milestone.done_on is None and deadline < today
    values["overdue"] = open_late
    values["days_overdue"] = (today - milestone.due_on).days if open_late else 0
    values["on_time"] = None if milestone.done_on is None else milestone.done_on <= deadline
    return values


def _milestone_counts(brand_ids, today: date, grace: int) -> dict:
    """brand id → (total, done, overdue): one GROUP BY."""
    cutoff = today - timedelta(days=grace)
    rows = db.session.execute(
        select(BrandMilestone.brand_id, func.count(),
               func.sum(case((BrandMilestone.done_on.is_not(None), 1), else_=0)),
               func.sum(case(((BrandMilestone.done_on.is_(None)) & (BrandMilestone.due_on < cutoff), 1),
                             else_=0)))
        .where(BrandMilestone.brand_id.in_(brand_ids))
        .group_by(BrandMilestone.brand_id)
    )
    return {b: (int(t), int(d or 0), int(o or 0)) for b, t, d, o in rows}


def present_brand(brand: Brand, org_name: str | None, counts: tuple[int, int, int]) -> dict:
    values = _fields(brand, OrgansBrandSchema, Brand)
    values["org_name"] = org_name
    values["status_label"] = BRAND_STATUS_LABELS.get(brand.status, brand.status)
    values["milestones_total"], values["milestones_done"], values["milestones_overdue"] = counts
    return values


def _brand_detail(brand: Brand, org: Organization) -> dict:
    today, grace = date.today(), _grace()
    counts = _milestone_counts([brand.id], today, grace).get(brand.id, (0, 0, 0))
    values = present_brand(brand, org.name, counts)
    values["milestones"] = [present_milestone(m, today, grace) for m in service.milestones_of(brand)]
    return values


def present_assessment(assessment: ModelAssessment, org_name: str | None) -> dict:
    values = _fields(assessment, OrgansAssessmentSchema, ModelAssessment)
    values["org_name"] = org_name
    values["status_label"] = MODEL_STATUS_LABELS.get(assessment.status, assessment.status)
    criteria = dict(assessment.criteria or {})
    values["criteria"] = criteria
    values["met"] = sum(1 for ok in criteria.values() if ok)
    values["total"] = len(criteria)
    return values


def present_goal(goal: BusinessGoal, org_name: str | None) -> dict:
    values = _fields(goal, OrgansGoalSchema, BusinessGoal)
    values["org_name"] = org_name
    values["status_label"] = GOAL_STATUS_LABELS.get(goal.status, goal.status)
    return values


# -- brands -------------------------------------------------------------------------------------


@bp.route("/brands", methods=["GET"])
@login_required
@bp.arguments(OrgansBrandQuerySchema, location="query")
@bp.response(200, OrgansBrandSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_brands(filters, pagination_parameters):
    """Brands (一机关一品牌) of the organisations the user sees: ``org`` (with its subtree),
    ``status``; with their milestone counts (total, done, overdue)."""
    stmt = _visible(select(Brand, Organization.name).join(Organization, Organization.id == Brand.org_id),
                    filters["org"])
    if filters["status"] is not None:
        stmt = stmt.where(Brand.status == filters["status"])
    rows = paged(stmt.order_by(Organization.path, Brand.name), pagination_parameters)
    counts = _milestone_counts([b.id for b, _ in rows], date.today(), _grace()) if rows else {}
    return [present_brand(b, name, counts.get(b.id, (0, 0, 0))) for b, name in rows]


@bp.route("/brands", methods=["POST"])
@login_required
@bp.arguments(OrgansBrandInputSchema)
@bp.response(201, OrgansBrandDetailSchema)
def create_brand(data):
    """Create the organisation's brand (branch_secretary): one per organisation, a second is
    a 409 naming ``org_id``. ``status: recognised`` needs org_manager and a ``recognition``."""
    org = visible_org(data.pop("org_id"), role=WRITER)
    brand = service.create_brand(org, data, may_recognise=has_role(DECIDER, org))
    db.session.commit()
    return _brand_detail(brand, org)


@bp.route("/brands/<brand_id>", methods=["GET"])
@login_required
@bp.response(200, OrgansBrandDetailSchema)
def get_brand(brand_id):
    """A brand with its milestones (overdue ones marked)."""
    brand, org = _brand(brand_id)
    return _brand_detail(brand, org)


@bp.route("/brands/<brand_id>", methods=["PATCH"])
@login_required
@bp.arguments(OrgansBrandPatchSchema)
@bp.response(200, OrgansBrandDetailSchema)
def update_brand(data, brand_id):
    """Change a brand (branch_secretary). Recognising it (``status: recognised`` with
    ``recognition``, e.g. 市级示范品牌) or withdrawing the recognition is org_manager's."""
    brand, org = _brand(brand_id, WRITER)
    service.update_brand(brand, expect_version(brand, data, "brand"),
                         may_recognise=has_role(DECIDER, org))
    db.session.commit()
    return _brand_detail(brand, org)


@bp.route("/brands/<brand_id>/milestones", methods=["POST"])
@login_required
@bp.arguments(OrgansMilestoneInputSchema)
@bp.response(201, OrgansMilestoneSchema)
def add_milestone(data, brand_id):
    """Add a milestone to the brand's plan (branch_secretary); one done needs ``evidence``;
    ``responsible_member_id`` must be a member of the organisation."""
    brand, org = _brand(brand_id, WRITER)
    milestone = service.add_milestone(brand, org, data)
    db.session.commit()
    return present_milestone(milestone, date.today(), _grace())


@bp.route("/brands/<brand_id>/milestones/<milestone_id>", methods=["PATCH"])
@login_required
@bp.arguments(OrgansMilestonePatchSchema)
@bp.response(200, OrgansMilestoneSchema)
def update_milestone(data, brand_id, milestone_id):
    """Change a milestone or mark it done (``done_on`` with ``evidence``)."""
    brand, org = _brand(brand_id, WRITER)
    milestone = _milestone(brand, milestone_id)
    milestone = service.update_milestone(milestone, brand, org,
                                         expect_version(milestone, data, "milestone"))
    db.session.commit()
    return present_milestone(milestone, date.today(), _grace())


@bp.route("/brands/<brand_id>/milestones/<milestone_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_milestone(brand_id, milestone_id):
    """Remove a milestone entered in error; one done stays (409)."""
    brand, _org = _brand(brand_id, WRITER)
    service.delete_milestone(_milestone(brand, milestone_id))
    db.session.commit()


# -- 模范机关 ---------------------------------------------------------------------------------------


@bp.route("/model-assessments/criteria", methods=["GET"])
@login_required
@bp.response(200, OrgansCriteriaSchema)
def get_criteria():
    """The tenant's 模范机关 criteria (the setting ``model_organ_criteria``)."""
    return {"criteria": service.criteria()}


@bp.route("/model-assessments", methods=["GET"])
@login_required
@bp.arguments(OrgansAssessmentQuerySchema, location="query")
@bp.response(200, OrgansAssessmentSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_assessments(filters, pagination_parameters):
    """模范机关 self-assessments of the organisations the user sees: ``org`` (subtree),
    ``year``, ``status``; newest year first."""
    stmt = _visible(select(ModelAssessment, Organization.name)
                    .join(Organization, Organization.id == ModelAssessment.org_id), filters["org"])
    if filters["year"] is not None:
        stmt = stmt.where(ModelAssessment.year == filters["year"])
    if filters["status"] is not None:
        stmt = stmt.where(ModelAssessment.status == filters["status"])
    rows = paged(stmt.order_by(ModelAssessment.year.desc(), Organization.path), pagination_parameters)
    return [present_assessment(a, name) for a, name in rows]


@bp.route("/model-assessments", methods=["POST"])
@login_required
@bp.arguments(OrgansAssessmentInputSchema)
@bp.response(201, OrgansAssessmentSchema)
def create_assessment(data):
    """Record the organisation's 模范机关 self-assessment for ``year`` (branch_secretary):
    ``criteria`` ticks the tenant's criteria (unknown ones are a 422 naming ``criteria``,
    unticked ones are not met); one per organisation and year (409 naming ``year``)."""
    org = visible_org(data.pop("org_id"), role=WRITER)
    assessment = service.create_assessment(org, data)
    db.session.commit()
    return present_assessment(assessment, org.name)


@bp.route("/model-assessments/<assessment_id>", methods=["GET"])
@login_required
@bp.response(200, OrgansAssessmentSchema)
def get_assessment(assessment_id):
    """One self-assessment."""
    assessment, org = _assessment(assessment_id)
    return present_assessment(assessment, org.name)


@bp.route("/model-assessments/<assessment_id>", methods=["PATCH"])
@login_required
@bp.arguments(OrgansAssessmentPatchSchema)
@bp.response(200, OrgansAssessmentSchema)
def update_assessment(data, assessment_id):
    """Correct the self-assessment while it is only self-assessed (branch_secretary; 409
    after); recommend, recognise or return it (``status``, ``decision_note``: org_manager)."""
    assessment, org = _assessment(assessment_id, WRITER)
    service.update_assessment(assessment, expect_version(assessment, data, "model assessment"),
                              may_decide=has_role(DECIDER, org))
    db.session.commit()
    return present_assessment(assessment, org.name)


# -- business goals -------------------------------------------------------------------------------


@bp.route("/business-goals", methods=["GET"])
@login_required
@bp.arguments(OrgansGoalQuerySchema, location="query")
@bp.response(200, OrgansGoalSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_goals(filters, pagination_parameters):
    """Business goals with their Party measures (党建与业务融合) of the organisations the user
    sees: ``org`` (subtree), ``year``, ``status``."""
    stmt = _visible(select(BusinessGoal, Organization.name)
                    .join(Organization, Organization.id == BusinessGoal.org_id), filters["org"])
    if filters["year"] is not None:
        stmt = stmt.where(BusinessGoal.year == filters["year"])
    if filters["status"] is not None:
        stmt = stmt.where(BusinessGoal.status == filters["status"])
    rows = paged(stmt.order_by(BusinessGoal.year.desc(), Organization.path, BusinessGoal.created_at),
                 pagination_parameters)
    return [present_goal(g, name) for g, name in rows]


@bp.route("/business-goals", methods=["POST"])
@login_required
@bp.arguments(OrgansGoalInputSchema)
@bp.response(201, OrgansGoalSchema)
def create_goal(data):
    """Set a business goal of ``year`` and the Party measure serving it (branch_secretary).
    ``done`` or ``missed`` is a review: ``reviewed_on`` defaults to today."""
    org = visible_org(data.pop("org_id"), role=WRITER)
    goal = service.create_goal(org, data)
    db.session.commit()
    return present_goal(goal, org.name)


@bp.route("/business-goals/<goal_id>", methods=["GET"])
@login_required
@bp.response(200, OrgansGoalSchema)
def get_goal(goal_id):
    """One business goal."""
    goal, org = _goal(goal_id)
    return present_goal(goal, org.name)


@bp.route("/business-goals/<goal_id>", methods=["PATCH"])
@login_required
@bp.arguments(OrgansGoalPatchSchema)
@bp.response(200, OrgansGoalSchema)
def update_goal(data, goal_id):
    """Change a goal, its measure or its status (branch_secretary)."""
    goal, org = _goal(goal_id, WRITER)
    service.update_goal(goal, expect_version(goal, data, "business goal"))
    db.session.commit()
    return present_goal(goal, org.name)


@bp.route("/business-goals/<goal_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_goal(goal_id):
    """Remove a goal entered in error (branch_secretary)."""
    goal, _org = _goal(goal_id, WRITER)
    service.delete_goal(goal)
    db.session.commit()


# -- overview -------------------------------------------------------------------------------------


@bp.route("/overview", methods=["GET"])
@login_required
@bp.arguments(OrgansOverviewQuerySchema, location="query")
@bp.response(200, OrgansOverviewSchema(many=True))
def overview(query):
    """Each organ organisation the user sees (in ``org``'s subtree): its Party-work staffing
    against the ratio, its brand and overdue milestones, its 模范机关 status and the year's
    goals (met: done or on track). A fixed number of queries whatever the number of organs."""
    today, year = date.today(), query["year"] or date.today().year
    stmt = _visible(select(Organization.id), query["org"])
    seen = set(db.session.scalars(stmt))
    found = scope.load()
    organs = sorted((r for r in scope.active_organs(found) if r.id in seen), key=lambda r: r.path)
    ids = [r.id for r in organs]
    if not ids:
        return []
    ratio, size = staffing.rules()
    units = staffing.unit_staff(ids)
    brands = {b.org_id: b for b in db.session.scalars(select(Brand).where(Brand.org_id.in_(ids)))}
    counts = _milestone_counts([b.id for b in brands.values()], today, _grace()) if brands else {}
    models = dict(db.session.execute(select(ModelAssessment.org_id, ModelAssessment.status).where(
        ModelAssessment.org_id.in_(ids), ModelAssessment.year == year)).all())
    goals = {
        org_id: (int(n), int(met or 0), int(missed or 0))
        for org_id, n, met, missed in db.session.execute(
            select(BusinessGoal.org_id, func.count(),
                   func.sum(case((BusinessGoal.status.in_(GOAL_MET_STATUSES), 1), else_=0)),
                   func.sum(case((BusinessGoal.status == MISSED, 1), else_=0)))
            .where(BusinessGoal.org_id.in_(ids), BusinessGoal.year == year)
            .group_by(BusinessGoal.org_id))
    }
    result = []
    for row in organs:
        figures = staffing.of(row.attributes, units.get(row.id), ratio, size)
        brand = brands.get(row.id)
        n, met, missed = goals.get(row.id, (0, 0, 0))
        result.append({
            "org_id": row.id, "org_name": row.name, "organ_name": row.attributes.get("organ_name"),
            "staff_total": figures.staff, "party_office_full_time": figures.full_time,
            "party_office_part_time": figures.part_time, "party_office_head": figures.head,
            "full_time_required": figures.required,
            "staffing_met": figures.ratio_met if figures.known else None,
            "brand_id": brand.id if brand else None, "brand_name": brand.name if brand else None,
            "brand_status": brand.status if brand else None,
            "milestones_overdue": counts.get(brand.id, (0, 0, 0))[2] if brand else 0,
            "model_status": models.get(row.id), "goals": n, "goals_met": met, "goals_missed": missed,
        })
    return result
