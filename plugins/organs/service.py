"""The organs records' operations: brands and their milestones (一机关一品牌), 模范机关
self-assessments, and business goals with their Party measures (党建与业务融合).

Every function works in the current tenant and leaves the commit to its caller; each checks
everything before it changes anything, so a refusal writes nothing. Errors are
:class:`~core.sdk.ApiError` naming the field: 422 for invalid input, 409 for what the
record's state or an existing record does not allow, 403 for a decision the caller may not
take (recognising a brand, recommending or recognising a 模范机关 is the committee's:
``org_manager``). Who may write at all is the API's business.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.sdk import MEMBER_ACTIVE_STATUSES, ApiError, Member, Organization, db
from plugins.organs.attributes import ATTRIBUTE_KINDS
from plugins.organs.models import (
    DONE,
    MISSED,
    PLANNING,
    RECOGNISED,
    SELF_ASSESSED,
    Brand,
    BrandMilestone,
    BusinessGoal,
    ModelAssessment,
)
from plugins.organs.settings import PLUGIN, settings

BRAND_FIELDS = ("name", "slogan", "description", "plan", "started_on", "status", "recognition",
                "recognised_on")
MILESTONE_FIELDS = ("title", "due_on", "done_on", "evidence", "responsible_member_id", "responsible_name")
GOAL_FIELDS = ("business_goal", "party_measure", "status", "result", "reviewed_on")


def _invalid(field: str, message: str):
    raise ApiError(422, f"{field}: {message}", {field: [message]})


def _conflict(field: str, message: str):
    raise ApiError(409, message, {field: [message]})


def _forbidden(message: str):
    raise ApiError(403, message)


def _not_future(field: str, value: date | None) -> None:
    if value is not None and value > date.today():
        _invalid(field, "Must not be in the future.")


def check_org(org: Organization) -> None:
    """Records are kept for active organs-sector organisations other than a 党小组."""
    if org.sector != PLUGIN or org.kind not in ATTRIBUTE_KINDS:
        _invalid("org_id", "Not an organs-sector Party organisation (机关党组织).")
    if org.status != "active":
        _invalid("org_id", f"The organization is {org.status}.")


def _flush(field: str, message: str) -> None:
    """Flush; a unique key taken meanwhile by another request is the same 409 as one seen."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _conflict(field, message)


# -- brands (一机关一品牌) ---------------------------------------------------------------------

BRAND_TAKEN = "该党组织已有党建品牌（一机关一品牌），请修改原品牌。"



def brand_of(org_id: uuid.UUID) -> Brand | None:
    return db.session.scalar(select(Brand).where(Brand.org_id == org_id))


def _check_brand(values: dict, may_recognise: bool, before: dict | None = None) -> None:
    before = before or {}
    recognition_changed = any(values.get(k) != before.get(k) for k in ("recognition", "recognised_on")) \
        or (values["status"] == RECOGNISED) != (before.get("status") == RECOGNISED)
    if recognition_changed and not may_recognise:
        _forbidden("命名示范品牌（或撤销命名）需由上级党组织决定（org_manager 权限）。")
    if values["status"] == RECOGNISED:
        if not (values.get("recognition") or "").strip():
            _invalid("recognition", "Say what the brand was recognised as (e.g. 市级示范品牌).")
        _not_future("recognised_on", values.get("recognised_on"))
    elif values.get("recognition") or values.get("recognised_on"):
        _invalid("status", "Only a recognised brand has a recognition.")
    if values["status"] != PLANNING and values.get("started_on") is None:
        _invalid("started_on", "An active brand has a start date.")
    _not_future("started_on", values.get("started_on") if values["status"] != PLANNING else None)


def create_brand(org: Organization, data: dict, may_recognise: bool = False) -> Brand:
    check_org(org)
    if brand_of(org.id) is not None:
        _conflict("org_id", BRAND_TAKEN)
    values = {k: data.get(k) for k in BRAND_FIELDS}
    values["status"] = values["status"] or PLANNING
    if values["status"] == RECOGNISED and values["recognised_on"] is None:
        values["recognised_on"] = date.today()
    _check_brand(values, may_recognise)
    brand = Brand(org_id=org.id, **values)
    db.session.add(brand)
    _flush("org_id", BRAND_TAKEN)
    return brand


def update_brand(brand: Brand, changes: dict, may_recognise: bool = False) -> Brand:
    before = {k: getattr(brand, k) for k in BRAND_FIELDS}
    values = {**before, **{k: v for k, v in changes.items() if k in BRAND_FIELDS}}
    if values["status"] == RECOGNISED and values["recognised_on"] is None:
        values["recognised_on"] = date.today()
    if values["status"] != RECOGNISED and "status" in changes:
        # Leaving "recognised" withdraws the recognition with it.
        values["recognition"] = values["recognised_on"] = None
    _check_brand(values, may_recognise, before)
    for key, value in values.items():
        setattr(brand, key, value)
    db.session.flush()
    return brand


# -- milestones --------------------------------------------------------------------------------


def milestones_of(brand: Brand) -> list[BrandMilestone]:
    return list(db.session.scalars(
        select(BrandMilestone).where(BrandMilestone.brand_id == brand.id)
        .order_by(BrandMilestone.due_on, BrandMilestone.title)))


def get_milestone(brand: Brand, milestone_id: uuid.UUID) -> BrandMilestone | None:
    return db.session.scalar(select(BrandMilestone).where(
        BrandMilestone.id == milestone_id, BrandMilestone.brand_id == brand.id))


def _check_member(org: Organization, values: dict) -> None:
    """A responsible member belongs to the organisation or one below it; their name is kept
    beside the id."""
    member_id = values.get("responsible_member_id")
    if member_id is None:
        return
    row = db.session.execute(
        select(Member.name, Member.status, Organization.path)
        .join(Organization, Organization.id == Member.org_id)
        .where(Member.id == member_id)
    ).first()
    if row is None or not row.path.startswith(org.path):
        _invalid("responsible_member_id", "Must be a member of this organization.")
    if row.status not in MEMBER_ACTIVE_STATUSES:
        _invalid("responsible_member_id", f"The member's status is {row.status}.")
    values["responsible_name"] = row.name


def _check_milestone(brand: Brand, org: Organization, values: dict) -> None:
    if brand.started_on is not None and values["due_on"] < brand.started_on:
        _invalid("due_on", "Must not be before the brand's start date.")
    _not_future("done_on", values.get("done_on"))
    if values.get("done_on") is not None and not (values.get("evidence") or "").strip():
        _invalid("evidence", "A milestone done needs its evidence (佐证材料说明).")
    _check_member(org, values)


def add_milestone(brand: Brand, org: Organization, data: dict) -> BrandMilestone:
    values = {k: data.get(k) for k in MILESTONE_FIELDS}
    _check_milestone(brand, org, values)
    milestone = BrandMilestone(brand_id=brand.id, **values)
    db.session.add(milestone)
    db.session.flush()
    return milestone


def update_milestone(milestone: BrandMilestone, brand: Brand, org: Organization, changes: dict) -> BrandMilestone:
    values = {k: getattr(milestone, k) for k in MILESTONE_FIELDS}
    values.update({k: v for k, v in changes.items() if k in MILESTONE_FIELDS})
    if "responsible_member_id" in changes and changes["responsible_member_id"] is None \
            and "responsible_name" not in changes:
        values["responsible_name"] = None
    _check_milestone(brand, org, values)
    for key, value in values.items():
        setattr(milestone, key, value)
    db.session.flush()
    return milestone


def delete_milestone(milestone: BrandMilestone) -> None:
    if milestone.done_on is not None:
        _conflict("done_on", "A milestone done is part of the record and is not deleted.")
    db.session.delete(milestone)
    db.session.flush()


# -- 模范机关 self-assessments -------------------------------------------------------------------

ASSESSMENT_TAKEN = "该党组织本年度已有模范机关创建自评，请修改原记录。"


def criteria() -> list[str]:
    """The tenant's 模范机关 criteria, in order."""
    return list(settings()["model_organ_criteria"])


def _check_criteria(given: dict) -> dict:
    known = criteria()
    unknown = [k for k in given if k not in known]
    if unknown:
        _invalid("criteria", f"Unknown criteria {unknown}; the criteria are {'、'.join(known)}.")
    return {k: bool(given.get(k, False)) for k in known}



def create_assessment(org: Organization, data: dict) -> ModelAssessment:
    check_org(org)
    exists = db.session.scalar(select(func.count()).select_from(ModelAssessment).where(
        ModelAssessment.org_id == org.id, ModelAssessment.year == data["year"]))
    if exists:
        _conflict("year", ASSESSMENT_TAKEN)
    assessed_on = data.get("assessed_on") or date.today()
    _not_future("assessed_on", assessed_on)
    assessment = ModelAssessment(
        org_id=org.id, year=data["year"], criteria=_check_criteria(data.get("criteria") or {}),
        note=data.get("note"), status=SELF_ASSESSED, assessed_on=assessed_on,
    )
    db.session.add(assessment)
    _flush("year", ASSESSMENT_TAKEN)
    return assessment


def update_assessment(assessment: ModelAssessment, changes: dict, may_decide: bool = False) -> ModelAssessment:
    """Correct the self-assessment (``criteria``, ``note``, ``assessed_on``) while it is only
    self-assessed; move ``status`` (the committee: recommend, recognise, or return it to
    self-assessed with ``decision_note``)."""
    status = changes.get("status", assessment.status)
    own = {k: changes[k] for k in ("criteria", "note", "assessed_on") if k in changes}
    if own and (assessment.status != SELF_ASSESSED or status != SELF_ASSESSED):
        _conflict("status", "已推荐或已命名的模范机关创建记录不能修改自评，请先由上级退回。")
    if (status != assessment.status or "decision_note" in changes) and not may_decide:
        _forbidden("推荐、命名模范机关（或退回）需由上级党组织决定（org_manager 权限）。")
    if "criteria" in own:
        own["criteria"] = _check_criteria(own["criteria"] or {})
    if "assessed_on" in own:
        if own["assessed_on"] is None:
            _invalid("assessed_on", "Field may not be null.")
        _not_future("assessed_on", own["assessed_on"])
    for key, value in own.items():
        setattr(assessment, key, value)
    if status != assessment.status:
        assessment.status = status
        assessment.decided_on = None if status == SELF_ASSESSED else date.today()
    if "decision_note" in changes:
        assessment.decision_note = changes["decision_note"]
    db.session.flush()
    return assessment


# -- business goals (党建与业务融合) --------------------------------------------------------------



def _check_goal(values: dict) -> None:
    _not_future("reviewed_on", values.get("reviewed_on"))
    if values["status"] in (DONE, MISSED) and values.get("reviewed_on") is None:
        values["reviewed_on"] = date.today()
    if values.get("reviewed_on") is not None and values["reviewed_on"].year < values["year"]:
        _invalid("reviewed_on", "Must not be before the goal's year.")


def create_goal(org: Organization, data: dict) -> BusinessGoal:
    check_org(org)
    values = {k: data.get(k) for k in GOAL_FIELDS}
    values["year"] = data["year"]
    values["status"] = values["status"] or "planned"
    _check_goal(values)
    goal = BusinessGoal(org_id=org.id, **values)
    db.session.add(goal)
    db.session.flush()
    return goal


def update_goal(goal: BusinessGoal, changes: dict) -> BusinessGoal:
    values = {k: getattr(goal, k) for k in (*GOAL_FIELDS, "year")}
    values.update({k: v for k, v in changes.items() if k in (*GOAL_FIELDS, "year")})
    _check_goal(values)
    for key, value in values.items():
        setattr(goal, key, value)
    db.session.flush()
    return goal


def delete_goal(goal: BusinessGoal) -> None:
    db.session.delete(goal)
    db.session.flush()
