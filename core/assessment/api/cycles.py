"""The assessment cycles API (``/api/v1/cycles``): 考核周期 and 评星定级 results.

* ``GET ""`` / ``POST ""`` — the cycles the user sees; open one (``org_manager`` on its root
  organisation, or ``tenant_admin``).
* ``GET /<id>``; ``POST /<id>/run`` (202 with the ``assessment.run_cycle`` job);
  ``POST /<id>/publish``; ``POST /<id>/reopen`` ``{reason}``.
* ``GET /<id>/results`` (by score, best first; filters ``org_id`` subtree, ``stars``,
  ``sector``, ``kind``, ``change``), ``GET /<id>/results/<org_id>`` (breakdown adding up to
  the score, evidence, adjustments, manual scores, veto, change since the last cycle).
* Review, before publication: ``PUT /<id>/results/<org_id>/manual/<indicator_key>``
  ``{points, reason}``; ``POST /<id>/results/<org_id>/adjustments`` ``{points, reason}`` and
  ``DELETE …/adjustments/<adjustment_id>``; ``PUT``/``DELETE /<id>/results/<org_id>/veto``.
* ``GET /<id>/members`` — vanguard indices (先锋指数).
* ``GET``/``PUT /settings`` — thresholds, cap, veto list, formulas (``PUT``: tenant_admin).

Who sees what: assessors (``org_manager`` on the cycle's root organisation, or
``tenant_admin``) see a cycle and its results in every state and may act on it; once it is
published, everyone else sees the cycle when they see part of its subtree, and the results
of the organisations they see. Anything else — unknown, another tenant's, not visible — is
404; visible without the right to act is 403.
"""

from __future__ import annotations

from flask import request, url_for
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from core.api import Blueprint, abort
from core.api.smorest import json_body, parse_id, settings_docs
from core.assessment import cycles as service
from core.assessment.api.cycle_schemas import (
    AdjustmentInputSchema,
    AdjustmentSchema,
    CycleCreateSchema,
    CycleQuerySchema,
    CycleSchema,
    ManualInputSchema,
    MemberIndexSchema,
    MemberQuerySchema,
    ReopenSchema,
    ResultDetailSchema,
    ResultQuerySchema,
    ResultSchema,
    TransitionSchema,
    VetoInputSchema,
    VetoSchema,
)
from core.assessment.models.cycles import PUBLISHED, Cycle, Item, MemberIndex, OrgResult
from core.assessment.plugin import RUN_JOB
from core.assessment.rating import CHANGE_NAMES
from core.assessment.settings import PLUGIN, AssessmentSettingsSchema
from core.auth.permissions import (
    has_role,
    login_required,
    roles_required,
    visible_orgs_clause,
)
from core.db import db
from core.db.versioning import pop_version
from core.jobs import service as jobs
from core.jobs.schemas import JobSchema
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.plugins import settings as plugin_settings

bp = Blueprint("assessment_cycles", __name__, description="Assessment cycles (考核周期) and star ratings (评星定级).")

ASSESSOR = "org_manager"


# -- visibility ------------------------------------------------------------------------------


def _sees_part_of(root: Organization) -> bool:
    return db.session.scalar(
        select(exists().where(orgs.subtree_filter(root.path), visible_orgs_clause()))
    )


def visible_cycle(cycle_id) -> tuple[Cycle, Organization, bool]:
    """The cycle, its root and whether the caller is an assessor; 404 when not visible."""
    cycle = service.get(cycle_id) if parse_id(cycle_id) is not None else None
    root = service.root_of(cycle) if cycle is not None else None
    if root is not None:
        if has_role(ASSESSOR, root):
            return cycle, root, True
        if cycle.state == PUBLISHED and _sees_part_of(root):
            return cycle, root, False
    abort(404, f"assessment cycle {cycle_id} not found")


def assessable_cycle(cycle_id) -> Cycle:
    cycle, _root, assessor = visible_cycle(cycle_id)
    if not assessor:
        abort(403, f"This needs the {ASSESSOR} role on the cycle's root organization.")
    return cycle


def present_cycle(cycle: Cycle, root: Organization | None = None, can_assess: bool | None = None) -> dict:
    root = root or service.root_of(cycle)
    values = {name: getattr(cycle, name) for name in CycleSchema().fields if hasattr(cycle, name)}
    values["root_org_name"] = root.name if root is not None else None
    values["state_name"] = service.STATE_NAMES[cycle.state]
    values["can_assess"] = has_role(ASSESSOR, root) if can_assess is None else can_assess
    values["standards"] = [
        {"standard_id": s.id, "name": s.name, "version_id": v.id, "version": v.number,
         "sector": v.sector, "kinds": list(v.kinds or ())}
        for s, v in service.frozen_versions(cycle)
    ]
    return values


# -- cycles ----------------------------------------------------------------------------------


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(CycleQuerySchema, location="query")
@bp.response(200, CycleSchema(many=True))
@bp.paginate(page_size=50, max_page_size=200)
def list_cycles(filters, pagination_parameters):
    """The cycles the user sees (as assessor, or published ones over part of what they
    see), latest period first."""
    root = aliased(Organization)
    seen = exists().where(Organization.path.startswith(root.path), visible_orgs_clause())
    stmt = select(Cycle, root, seen.label("seen")).join(root, root.id == Cycle.root_org_id)
    for name in ("state", "period", "year"):
        if filters[name] is not None:
            stmt = stmt.where(getattr(Cycle, name) == filters[name])
    stmt = stmt.order_by(Cycle.ends_on.desc(), Cycle.created_at.desc(), Cycle.id)
    visible = []
    for cycle, root_org, sees in db.session.execute(stmt):
        assessor = has_role(ASSESSOR, root_org)
        if assessor or (cycle.state == PUBLISHED and sees):
            visible.append((cycle, root_org, assessor))
    pagination_parameters.item_count = len(visible)
    first = pagination_parameters.first_item
    page = visible[first:first + pagination_parameters.page_size]
    return [present_cycle(c, r, a) for c, r, a in page]


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(CycleCreateSchema)
@bp.response(201, CycleSchema)
def create_cycle(data):
    """Open a cycle for a subtree and period; the standards (given, or every active one)
    are frozen at their current versions."""
    root = orgs.get(data["root_org_id"])
    if root is None or not has_role("member", root):
        abort(422, "Unknown organization.", {"root_org_id": ["Unknown organization."]})
    if not has_role(ASSESSOR, root):
        abort(403, f"Opening a cycle needs the {ASSESSOR} role on its root organization.")
    cycle = service.open_cycle(
        name=data["name"].strip(), period=data["period"], year=data["year"], part=data["part"],
        root_org=root, standard_ids=data["standard_ids"],
    )
    db.session.commit()
    return present_cycle(cycle, root, True)


SETTINGS_CHANGE, SETTINGS_ANSWER = settings_docs(AssessmentSettingsSchema, overridden=True)


@bp.route("/settings", methods=["GET"])
@roles_required("tenant_admin")
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def get_settings():
    """The tenant's assessment settings; ``overridden`` lists what the tenant changed."""
    return _settings_body()


@bp.route("/settings", methods=["PUT"])
@roles_required("tenant_admin")
@bp.doc(requestBody=json_body(SETTINGS_CHANGE))
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_settings():
    """Replace the tenant's overrides (keys not sent return to their defaults). Validated
    as a whole — a bad formula is a 422 naming ``fortress_formula`` or ``vanguard_formula`` —
    and nothing is written then. ``version`` beside them is the one you read: a stale one
    is a 409 naming it."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(422, "Send a JSON object of settings.", {"json": ["Not a JSON object."]})
    expected = pop_version(body)
    plugin_settings.set_overrides(PLUGIN, body, expected_version=expected)
    db.session.commit()
    return _settings_body()


def _settings_body() -> dict:
    explained = plugin_settings.explain_settings(PLUGIN)
    body = AssessmentSettingsSchema().dump({k: v for k, (v, _) in explained.items()})
    body["overridden"] = sorted(k for k, (_, source) in explained.items() if source == "tenant")
    body["version"] = plugin_settings.settings_version(PLUGIN)
    return body


@bp.route("/<cycle_id>", methods=["GET"])
@login_required
@bp.response(200, CycleSchema)
def get_cycle(cycle_id):
    """One cycle with its frozen standards and the last run's summary."""
    cycle, root, assessor = visible_cycle(cycle_id)
    return present_cycle(cycle, root, assessor)


@bp.route("/<cycle_id>/run", methods=["POST"])
@login_required
@bp.response(202, JobSchema, description="The run (see GET /api/v1/jobs/<id>)")
def run_cycle(cycle_id):
    """Evaluate the cycle as the ``assessment.run_cycle`` job (open or evaluated cycles):
    progress per indicator; a failed run changes nothing."""
    cycle = assessable_cycle(cycle_id)
    service.require_runnable(cycle)
    job = jobs.enqueue(RUN_JOB, cycle_id=str(cycle.id))
    return job, 202, {"Location": url_for("jobs.get_job", job_id=str(job.id))}


@bp.route("/<cycle_id>/publish", methods=["POST"])
@login_required
@bp.arguments(TransitionSchema)
@bp.response(200, CycleSchema)
def publish_cycle(data, cycle_id):
    """Publish an evaluated cycle: its results become visible to everyone who sees the
    organisations, and nothing changes until it is reopened."""
    cycle = assessable_cycle(cycle_id)
    service.publish(cycle, data["version"])
    db.session.commit()
    return present_cycle(cycle, can_assess=True)


@bp.route("/<cycle_id>/reopen", methods=["POST"])
@login_required
@bp.arguments(ReopenSchema)
@bp.response(200, CycleSchema)
def reopen_cycle(data, cycle_id):
    """Take a published cycle back to review, saying why."""
    cycle = assessable_cycle(cycle_id)
    service.reopen(cycle, data["reason"], data["version"])
    db.session.commit()
    return present_cycle(cycle, can_assess=True)


# -- results ---------------------------------------------------------------------------------


def _result_values(result: OrgResult, org: Organization) -> dict:
    values = {name: getattr(result, name) for name in ResultSchema().fields if hasattr(result, name)}
    values.update(org_name=org.name, org_code=org.code,
                  change_name=CHANGE_NAMES.get(result.change) if result.change else None)
    return values


def _scope(assessor: bool) -> list:
    return [] if assessor else [visible_orgs_clause()]


@bp.route("/<cycle_id>/results", methods=["GET"])
@login_required
@bp.arguments(ResultQuerySchema, location="query")
@bp.response(200, ResultSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_results(filters, cycle_id, pagination_parameters):
    """The cycle's results, best score first (then organisation code)."""
    cycle, _root, assessor = visible_cycle(cycle_id)
    conditions = [OrgResult.cycle_id == cycle.id, *_scope(assessor)]
    if filters["org_id"] is not None:
        under = orgs.get(filters["org_id"])
        if under is None or (not assessor and not has_role("member", under)):
            abort(422, "Unknown organization.", {"org_id": ["Unknown organization."]})
        conditions.append(orgs.subtree_filter(under.path))
    for name in ("stars", "sector", "kind", "change"):
        if filters[name] is not None:
            conditions.append(getattr(OrgResult, name) == filters[name])
    base = select(OrgResult, Organization).join(Organization, Organization.id == OrgResult.org_id)
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(OrgResult)
        .join(Organization, Organization.id == OrgResult.org_id).where(*conditions)
    )
    rows = db.session.execute(
        base.where(*conditions)
        .order_by(OrgResult.score.desc(), Organization.code, OrgResult.org_id)
        .offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
    ).all()
    return [_result_values(r, o) for r, o in rows]


def _visible_result(cycle: Cycle, assessor: bool, org_id) -> tuple[OrgResult, Organization]:
    parsed = parse_id(org_id)
    row = None
    if parsed is not None:
        row = db.session.execute(
            select(OrgResult, Organization)
            .join(Organization, Organization.id == OrgResult.org_id)
            .where(OrgResult.cycle_id == cycle.id, OrgResult.org_id == parsed, *_scope(assessor))
        ).first()
    if row is None:
        abort(404, f"organization {org_id} has no result in this cycle")
    return row


def _breakdown(result: OrgResult, adjustments) -> list[dict]:
    lines = [
        {"kind": "indicator", "key": i.key, "name": i.name, "scoring": i.scoring,
         "weight": i.weight, "points": i.points, "value": i.value, "explanation": i.explanation,
         "evidence": i.evidence}
        for i in (Item.from_json(entry) for entry in result.items or ())
    ]
    lines += [
        {"kind": "adjustment", "key": str(a.id), "name": "加减分", "scoring": None, "weight": None,
         "points": a.points, "value": None, "explanation": f"{a.reason}（{a.entered_by}）",
         "evidence": {}}
        for a in adjustments
    ]
    if result.clamp:
        raw = result.items_total + result.adjustments_total
        lines.append({
            "kind": "clamp", "key": None, "name": "调整", "scoring": None, "weight": None,
            "points": result.clamp, "value": None, "evidence": {},
            "explanation": f"合计 {raw} 分，超出 0–100 分范围，调整 {result.clamp} 分，得分 {result.score} 分",
        })
    return lines


@bp.route("/<cycle_id>/results/<org_id>", methods=["GET"])
@login_required
@bp.response(200, ResultDetailSchema)
def get_result(cycle_id, org_id):
    """One organisation's result: every indicator with its value, points, explanation and
    evidence, the adjustments, and 调整 when the score was kept within 0–100 — together they
    add up to the score — with its stars and why, ranks, and the change since the last cycle."""
    cycle, _root, assessor = visible_cycle(cycle_id)
    return result_detail(cycle, assessor, org_id)


def result_detail(cycle: Cycle, assessor: bool, org_id) -> dict:
    result, org = _visible_result(cycle, assessor, org_id)
    adjustments = service.adjustments(cycle, result.org_id)
    values = _result_values(result, org)
    version = next((v for s, v in service.frozen_versions(cycle) if v.id == result.version_id), None)
    values.update(
        standard_name=version.name if version else None,
        standard_version=version.number if version else None,
        breakdown=_breakdown(result, adjustments),
        adjustments=adjustments,
        manual_scores=service.manual_scores(cycle, result.org_id),
        veto=service.veto(cycle, result.org_id),
    )
    return values


@bp.route("/<cycle_id>/results/<org_id>/manual/<indicator_key>", methods=["PUT"])
@login_required
@bp.arguments(ManualInputSchema)
@bp.response(200, ResultDetailSchema)
def put_manual_score(data, cycle_id, org_id, indicator_key):
    """Score a manual indicator (0 … its weight, with the reason); the cycle's totals,
    stars and ranks are recomputed at once."""
    cycle = assessable_cycle(cycle_id)
    parsed = _org_id(org_id)
    service.set_manual_score(cycle, parsed, indicator_key, data["points"], data["reason"],
                             expected_version=data.get("version"))
    db.session.commit()
    return result_detail(cycle, True, parsed)


@bp.route("/<cycle_id>/results/<org_id>/adjustments", methods=["POST"])
@login_required
@bp.arguments(AdjustmentInputSchema)
@bp.response(201, AdjustmentSchema)
def add_adjustment(data, cycle_id, org_id):
    """Add ± points with the reason (加减分); the cycle is recomputed at once."""
    cycle = assessable_cycle(cycle_id)
    entry = service.add_adjustment(cycle, _org_id(org_id), data["points"], data["reason"])
    db.session.commit()
    return entry


@bp.route("/<cycle_id>/results/<org_id>/adjustments/<adjustment_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_adjustment(cycle_id, org_id, adjustment_id):
    """Withdraw an adjustment; the cycle is recomputed at once."""
    cycle = assessable_cycle(cycle_id)
    service.delete_adjustment(cycle, _org_id(org_id), adjustment_id)
    db.session.commit()


@bp.route("/<cycle_id>/results/<org_id>/veto", methods=["PUT"])
@login_required
@bp.arguments(VetoInputSchema)
@bp.response(200, VetoSchema)
def put_veto(data, cycle_id, org_id):
    """一票否决 with one of the tenant's veto reasons (and a note on the case); the
    organisation gets the tenant's ``veto_stars``."""
    cycle = assessable_cycle(cycle_id)
    entry = service.set_veto(cycle, _org_id(org_id), data["reason"], data["note"],
                             expected_version=data.get("version"))
    db.session.commit()
    return entry


@bp.route("/<cycle_id>/results/<org_id>/veto", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_veto(cycle_id, org_id):
    """Lift the veto; the cycle is recomputed at once."""
    cycle = assessable_cycle(cycle_id)
    service.clear_veto(cycle, _org_id(org_id))
    db.session.commit()


def _org_id(raw):
    parsed = parse_id(raw)
    if parsed is None:
        abort(404, f"organization {raw} is not in this cycle")
    return parsed


# -- members ---------------------------------------------------------------------------------


@bp.route("/<cycle_id>/members", methods=["GET"])
@login_required
@bp.arguments(MemberQuerySchema, location="query")
@bp.response(200, MemberIndexSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_members(filters, cycle_id, pagination_parameters):
    """Members' vanguard indices (先锋指数), highest first; exempt members last."""
    cycle, _root, assessor = visible_cycle(cycle_id)
    conditions = [MemberIndex.cycle_id == cycle.id, *_scope(assessor)]
    if filters["org_id"] is not None:
        under = orgs.get(filters["org_id"])
        if under is None or (not assessor and not has_role("member", under)):
            abort(422, "Unknown organization.", {"org_id": ["Unknown organization."]})
        conditions.append(orgs.subtree_filter(under.path))
    joined = (
        select(MemberIndex, Member.name, Organization.name)
        .join(Member, Member.id == MemberIndex.member_id)
        .join(Organization, Organization.id == MemberIndex.org_id)
    )
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(MemberIndex)
        .join(Organization, Organization.id == MemberIndex.org_id).where(*conditions)
    )
    rows = db.session.execute(
        joined.where(*conditions)
        .order_by(MemberIndex.vanguard_index.is_(None), MemberIndex.vanguard_index.desc(),
                  MemberIndex.points.desc(), Member.name, MemberIndex.member_id)
        .offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
    ).all()
    return [
        {"member_id": m.member_id, "name": name, "org_id": m.org_id, "org_name": org_name,
         "points": m.points, "exempt": m.exempt, "rank_in_branch": m.rank_in_branch,
         "branch_size": m.branch_size, "vanguard_index": m.vanguard_index,
         "index_note": m.index_note}
        for m, name, org_name in rows
    ]
