"""The development API (``/api/v1/development``): people in the pipeline, their steps,
overridden steps (violations), the 25 steps with their rules, and the tenant's numbers.

* Reading needs any grant covering the person's branch; outside it is a 404, like an
  unknown or another tenant's id.
* Recording (a new applicant, a step, an extension, stopping) needs ``branch_secretary`` on
  the person's branch; overriding a rule and reviewing an override need ``org_manager``.
* ID number, phone and address are masked as in the member register.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import Blueprint, abort
from core.api.smorest import parse_id, settings_docs
from core.auth.permissions import has_role, login_required, require_org_access, roles_required
from core.db import db
from core.development import rules, service
from core.development import settings as development_settings
from core.development import steps as S
from core.development.models import DevelopmentPerson
from core.development.schemas import (
    DETAIL_FIELDS,
    ExtensionSchema,
    OverridesSchema,
    PersonInputSchema,
    PersonQuerySchema,
    PersonSchema,
    PersonStatusSchema,
    ReviewSchema,
    StepDefSchema,
    StepInputSchema,
    StepSchema,
    ViolationQuerySchema,
    ViolationSchema,
)
from core.development.settings import rule_settings, set_overrides, settings_version
from core.members.masking import can_see_personal, mask_values
from core.orgs import service as orgs
from core.orgs.models import Organization

bp = Blueprint("development", __name__, description="Member development (发展党员).")

WRITE_ROLE = "branch_secretary"
OVERRIDE_ROLE = "org_manager"
PERSON_FIELDS = tuple(PersonSchema().fields)
STEP_FIELDS = tuple(StepSchema().fields)


def _step_values(step) -> dict:
    values = {name: getattr(step, name) for name in STEP_FIELDS if hasattr(step, name)}
    values["name"] = S.step(step.code).name
    return values


def present(person: DevelopmentPerson, org: Organization | None = None, *, org_name=None,
            full: bool | None = None, with_steps: bool = False) -> dict:
    if full is None:
        full = org is not None and can_see_personal(org)
    values = {name: getattr(person, name) for name in PERSON_FIELDS if hasattr(person, name)}
    values["org_name"] = org_name if org_name is not None else (org.name if org else None)
    values["stage_name"] = S.STAGE_NAMES[person.stage]
    values["personal_masked"] = not full
    if with_steps:
        values["steps"] = [_step_values(s) for s in service.steps_of(person)]
        values["probation_ends_on"] = service.probation_ends_on(person)
    return values if full else mask_values(values)


def _visible_person(person_id) -> tuple[DevelopmentPerson, Organization]:
    parsed = parse_id(person_id)
    person = service.get_person(parsed) if parsed is not None else None
    org = orgs.get(person.org_id) if person is not None else None
    if person is None or org is None or not has_role("member", org):
        abort(404, f"person {person_id} not found")
    return person, org


def _writable_person(person_id) -> tuple[DevelopmentPerson, Organization]:
    person, org = _visible_person(person_id)
    if not has_role(WRITE_ROLE, org):
        abort(403, f"This needs the {WRITE_ROLE} role on the person's organization.")
    return person, org


def _visible_org(org_id) -> Organization | None:
    if org_id is None:
        return None
    org = orgs.get(org_id)
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")
    return org


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(PersonQuerySchema, location="query")
@bp.response(200, PersonSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_people(filters, pagination_parameters):
    """People in the pipeline the user can see; filter by ``stage``, ``status``,
    ``org_id`` and ``subtree_of``."""
    stmt = service.search(stage=filters["stage"], status=filters["status"],
                          org_id=filters["org_id"], subtree_of=_visible_org(filters["subtree_of"]))
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(
        stmt.add_columns(Organization.path, Organization.name)
        .offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
    ).all()
    return [present(p, org_name=name, full=can_see_personal(path)) for p, path, name in rows]


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(PersonInputSchema)
@bp.response(201, PersonSchema)
def create_person(data):
    """Add an applicant: step 1 (递交入党申请书) on ``applied_on`` (branch_secretary)."""
    org = orgs.get(data["org_id"])
    if org is None:
        abort(404, f"organization {data['org_id']} not found")
    require_org_access(org, role=WRITE_ROLE)
    person = service.create_person(
        data, applied_on=data["applied_on"], evidence=data["evidence"],
        attachment=data["attachment"], override_reason=data["override_reason"],
        can_override=has_role(OVERRIDE_ROLE, org),
    )
    db.session.commit()
    return present(person, org, with_steps=True)


@bp.route("/steps", methods=["GET"])
@login_required
@bp.response(200, StepDefSchema(many=True))
def list_steps():
    """The 25 steps of 发展党员工作细则 in order, with their stages and the rules checked."""
    settings = rule_settings()
    order_rule = {"code": "step_order", "name": rules.rule_name("step_order", settings)}
    return [
        {
            "code": s.code, "name": s.name, "stage": s.stage, "stage_title": S.STAGE_TITLES[s.stage],
            "enters": s.enters, "enters_name": S.STAGE_NAMES.get(s.enters),
            "repeatable": s.repeatable,
            "rules": ([order_rule] if s.code > 1 else []) + [
                {"code": r.code, "name": rules.rule_name(r.code, settings)}
                for r in rules.RULES if s.code in r.steps
            ],
        }
        for s in S.STEPS
    ]


_, SETTINGS_ANSWER = settings_docs(development_settings.DevelopmentRulesSchema, overridden=False)


@bp.route("/settings", methods=["GET"])
@login_required
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def get_settings():
    """The tenant's development numbers (national defaults unless changed) and their
    ``version`` (send it back with a change)."""
    return {**rule_settings(), "version": settings_version()}


@bp.route("/settings", methods=["PUT"])
@roles_required("tenant_admin")
@bp.arguments(OverridesSchema)
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def put_settings(data):
    """Replace the tenant's overrides of the development numbers (tenant_admin); with the
    ``version`` you read, a stale one is a 409 naming it."""
    expected = data.pop("version", None)
    values = set_overrides(data, expected_version=expected)
    db.session.commit()
    return {**values, "version": settings_version()}


@bp.route("/violations", methods=["GET"])
@login_required
@bp.arguments(ViolationQuerySchema, location="query")
@bp.response(200, ViolationSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_violations(filters, pagination_parameters):
    """Steps recorded despite a broken rule: flagged ones, or all with ``include_reviewed``."""
    stmt = service.violations(include_reviewed=filters["include_reviewed"],
                              subtree_of=_visible_org(filters["subtree_of"]))
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(
        stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)).all()
    return [_step_values(step) | {"person_name": person.name, "org_id": person.org_id}
            for step, person in rows]


@bp.route("/violations/<step_id>/review", methods=["POST"])
@login_required
@bp.arguments(ReviewSchema)
@bp.response(200, StepSchema)
def review_violation(data, step_id):
    """Clear an overridden step's review flag, with a note (org_manager)."""
    parsed = parse_id(step_id)
    step = service.get_step(parsed) if parsed is not None else None
    if step is None:
        abort(404, f"step {step_id} not found")
    _, org = _visible_person(step.person_id)
    if not has_role(OVERRIDE_ROLE, org):
        abort(403, f"This needs the {OVERRIDE_ROLE} role on the person's organization.")
    service.review_step(step, data["note"])
    db.session.commit()
    return _step_values(step)


@bp.route("/<person_id>", methods=["GET"])
@login_required
@bp.response(200, PersonSchema)
def get_person(person_id):
    """One person with their recorded steps."""
    person, org = _visible_person(person_id)
    return present(person, org, with_steps=True)


@bp.route("/<person_id>/steps", methods=["POST"])
@login_required
@bp.arguments(StepInputSchema)
@bp.response(201, StepSchema)
def record_step(data, person_id):
    """Record a step (2–25). A step that breaks a rule is refused (422, ``errors.rules``)
    unless an org_manager gives ``override_reason``; it is then flagged for review."""
    person, org = _writable_person(person_id)
    details = {k: data[k] for k in DETAIL_FIELDS if data.get(k) is not None}
    step = service.record_step(
        person, data["code"], data["done_on"], evidence=data["evidence"],
        attachment=data["attachment"], details=details,
        override_reason=data["override_reason"], can_override=has_role(OVERRIDE_ROLE, org),
        expected_version=data.get("version"),
    )
    db.session.commit()
    return _step_values(step)


@bp.route("/<person_id>/extension", methods=["POST"])
@login_required
@bp.arguments(ExtensionSchema)
@bp.response(200, PersonSchema)
def extend_probation(data, person_id):
    """延长预备期: once, by 6–12 months (branch_secretary); a broken rule is refused."""
    person, org = _writable_person(person_id)
    service.extend_probation(person, data["months"], data["on"], data["reason"])
    db.session.commit()
    return present(person, org, with_steps=True)


@bp.route("/<person_id>/status", methods=["POST"])
@login_required
@bp.arguments(PersonStatusSchema)
@bp.response(200, PersonSchema)
def set_status(data, person_id):
    """Stop (or resume) a person's development, with a reason."""
    person, org = _writable_person(person_id)
    service.set_status(person, data["status"], data["reason"])
    db.session.commit()
    return present(person, org, with_steps=True)
