"""The problems API (``/api/v1/problems``): the problem ledger (问题清单 → 整改 → 销号) and
weak-and-lax organisations (软弱涣散).

* Reading needs a grant covering the problem's organisation; anything outside it is a 404,
  exactly like an unknown or another tenant's id. Lists show only what the user sees.
* Recording and correcting a problem: ``org_manager`` on its organisation (or above); a
  branch secretary records and corrects what the branch found itself (``source: self``).
* Rectifying (``start``, evidence, ``submit``): ``branch_secretary`` on the organisation.
* Close-out (``approve``), ``reject`` and ``reopen``: the level above — ``org_manager`` on the
  organisation's parent (``tenant_admin`` for a root) — and ``approve`` never by the
  submitter (:mod:`core.problems.service`).
* Weak organisations: designated, corrected and de-listed by the level above; started by
  the organisation's secretary. De-listing needs every linked problem closed (409).
* Corrections (PATCH) carry the ``version`` read; transitions may. A stale one is a 409.
* ``GET /ledger.xlsx?org=&year=`` is the 整改台账; ``GET/PUT /settings`` the tenant's
  settings (``PUT``: ``tenant_admin``).
"""

from __future__ import annotations

import io
from datetime import date

from flask import request, send_file
from sqlalchemy import func, select

from core import files
from core.api import Blueprint, abort
from core.api.smorest import json_body, parse_id, settings_docs
from core.auth.permissions import (
    current_user,
    has_role,
    login_required,
    roles_required,
    visible_orgs_clause,
)
from core.db import db
from core.db.versioning import pop_version
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.plugins import settings as plugin_settings
from core.problems import ledger, service, weak
from core.problems.models import (
    DELISTED,
    EVENT_LABELS,
    STATUS_LABELS,
    SUBMITTED,
    WEAK_EVENT_LABELS,
    WEAK_STATUS_LABELS,
    Problem,
    ProblemEvidence,
    WeakDesignation,
)
from core.problems.schemas import (
    ProblemDetailSchema,
    ProblemEvidenceFormSchema,
    ProblemEvidenceSchema,
    ProblemFromWarningSchema,
    ProblemInputSchema,
    ProblemLedgerQuerySchema,
    ProblemPatchSchema,
    ProblemQuerySchema,
    ProblemReasonSchema,
    ProblemReopenSchema,
    ProblemSchema,
    ProblemStepSchema,
    ProblemSubmitSchema,
    WeakDesignationDetailSchema,
    WeakDesignationInputSchema,
    WeakDesignationPatchSchema,
    WeakDesignationQuerySchema,
    WeakDesignationSchema,
)
from core.problems.settings import PLUGIN, ProblemsSettingsSchema
from core.tenancy import current_tenant_id
from core.warnings import registry as warning_rules
from core.warnings.models import Warning

bp = Blueprint("problems", __name__,
               description="Problems and rectification (问题清单 → 整改 → 销号); weak organisations (软弱涣散).")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- lookups -----------------------------------------------------------------------------------


def _visible_org(org_id) -> Organization:
    parsed = parse_id(org_id)
    org = orgs.get(parsed) if parsed is not None else None
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")
    return org


def _problem(problem_id) -> tuple[Problem, Organization]:
    """The problem and its organisation; 404 when unknown, another tenant's or not seen."""
    parsed = parse_id(problem_id)
    problem = service.get_problem(parsed) if parsed is not None else None
    org = orgs.get(problem.org_id) if problem is not None else None
    if problem is None or org is None or not has_role("member", org):
        abort(404, f"problem {problem_id} not found")
    return problem, org


def _designation(designation_id) -> tuple[WeakDesignation, Organization]:
    parsed = parse_id(designation_id)
    designation = weak.get(parsed) if parsed is not None else None
    org = orgs.get(designation.org_id) if designation is not None else None
    if designation is None or org is None or not has_role("member", org):
        abort(404, f"weak organization designation {designation_id} not found")
    return designation, org


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        abort(403, message)


def _may_record(org: Organization, source: str) -> None:
    _require(service.may_record(org, source),
             "登记或修改问题需要对该组织具有 org_manager 权限（自查问题：branch_secretary）。")


def _may_rectify(org: Organization) -> None:
    _require(service.may_rectify(org), "整改操作需要对该组织具有 branch_secretary 权限。")


# -- presentation ------------------------------------------------------------------------------


def _event(event, labels=EVENT_LABELS) -> dict:
    return {
        "id": event.id, "kind": event.kind, "label": labels.get(event.kind, event.kind),
        "from_status": event.from_status, "to_status": event.to_status, "comment": event.comment,
        "details": event.details, "actor_label": event.actor_label,
        "actor_user_id": event.actor_user_id, "created_at": event.created_at,
    }


def _evidence(row: ProblemEvidence) -> dict:
    values = {key: getattr(row, key) for key in ProblemEvidenceSchema().fields if hasattr(ProblemEvidence, key)}
    values["has_file"] = row.stored_name is not None
    return values


def present(problem: Problem, org: Organization | str | None, detail: bool = False) -> dict:
    today = date.today()
    values = {key: getattr(problem, key) for key in ProblemSchema().fields if hasattr(Problem, key)}
    values["org_name"] = org.name if isinstance(org, Organization) else org
    values["status_label"] = STATUS_LABELS.get(problem.status, problem.status)
    values["overdue"] = service.is_overdue(problem, today)
    values["days_overdue"] = service.days_overdue(problem, today)
    if detail and isinstance(org, Organization):
        user = current_user()
        values["can_close"] = (problem.status == SUBMITTED and service.is_level_above(org)
                               and user is not None and user.id != problem.submitted_by_user_id)
        values["events"] = [_event(e) for e in service.events_of(problem)]
        values["evidence"] = [_evidence(e) for e in service.evidence_of(problem)]
    return values


def _detail(problem: Problem, org: Organization) -> dict:
    return present(problem, org, detail=True)


def present_designation(designation: WeakDesignation, org_name: str | None, detail: bool = False) -> dict:
    values = {key: getattr(designation, key) for key in WeakDesignationSchema().fields
              if hasattr(WeakDesignation, key)}
    values["org_name"] = org_name
    values["status_label"] = WEAK_STATUS_LABELS.get(designation.status, designation.status)
    if detail:
        today = date.today()
        values["problems"] = [
            {"id": p.id, "title": p.title, "status": p.status, "deadline": p.deadline,
             "overdue": service.is_overdue(p, today)}
            for p in weak.problems_of(designation)
        ]
        values["events"] = [_event(e, WEAK_EVENT_LABELS) for e in weak.events_of(designation)]
        values["history"] = [present_designation(d, org_name) for d in weak.history(designation.org_id)]
    return values


# -- problems ------------------------------------------------------------------------------------


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(ProblemQuerySchema, location="query")
@bp.response(200, ProblemSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_problems(filters, pagination_parameters):
    """Problems of the organisations the user sees, newest first: ``org`` (with its
    subtree), ``status``, ``source``, ``overdue``, ``year`` (found in), ``designation_id``."""
    root = _visible_org(filters["org"]) if filters["org"] is not None else None
    stmt = service.search(visible_orgs_clause(), root=root, status=filters["status"],
                          source=filters["source"], overdue=filters["overdue"], year=filters["year"],
                          designation_id=filters["designation_id"])
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(
        stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)).all()
    return [present(problem, name) for problem, name in rows]


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(ProblemInputSchema)
@bp.response(201, ProblemDetailSchema)
def create_problem(data):
    """Record a problem. ``source: warning`` takes ``source_ref`` (the warning id) and the
    warning's organisation; ``responsible_member_id`` must be a member of the organisation."""
    org = service.target_org(data)
    if org is None or not has_role("member", org):
        if data["source"] == "warning":
            abort(422, "source_ref: 找不到该预警。", {"source_ref": ["找不到该预警。"]})
        abort(404, f"organization {data['org_id']} not found")
    _may_record(org, data["source"])
    problem = service.create_problem(org, data)
    db.session.commit()
    return _detail(problem, org)


@bp.route("/from-warning/<warning_id>", methods=["POST"])
@login_required
@bp.arguments(ProblemFromWarningSchema)
@bp.response(201, ProblemDetailSchema)
def create_from_warning(data, warning_id):
    """Turn a warning into a problem (转办) on its organisation; title, description, category
    and deadline default from the warning and the settings. 409 while an earlier problem
    from the same warning is not closed."""
    parsed = parse_id(warning_id)
    row = None
    if parsed is not None:
        row = db.session.execute(
            select(Warning, Organization).join(Organization, Organization.id == Warning.org_id)
            .where(Warning.id == parsed, visible_orgs_clause())
        ).first()
    if row is None:
        abort(404, f"warning {warning_id} not found")
    warning, org = row
    _may_record(org, "warning")
    rule = warning_rules.tenant_rules().get(warning.rule_key)
    problem = service.from_warning(warning, data, rule.name if rule is not None else None)
    db.session.commit()
    return _detail(problem, org)


@bp.route("/<problem_id>", methods=["GET"])
@login_required
@bp.response(200, ProblemDetailSchema)
def get_problem(problem_id):
    """One problem with its events (the printable trail) and its evidence."""
    problem, org = _problem(problem_id)
    return _detail(problem, org)


@bp.route("/<problem_id>", methods=["PATCH"])
@login_required
@bp.arguments(ProblemPatchSchema)
@bp.response(200, ProblemDetailSchema)
def update_problem(data, problem_id):
    """Correct a problem (not a closed one); send the ``version`` you read. A new
    ``deadline`` needs ``deadline_reason`` and is recorded as an event."""
    problem, org = _problem(problem_id)
    _may_record(org, problem.source)
    version = data.pop("version")
    service.update_problem(problem, org, data, version)
    db.session.commit()
    return _detail(problem, org)


@bp.route("/<problem_id>/start", methods=["POST"])
@login_required
@bp.arguments(ProblemStepSchema)
@bp.response(200, ProblemDetailSchema)
def start_problem(data, problem_id):
    """开始整改: open → rectifying (the organisation's secretary)."""
    problem, org = _problem(problem_id)
    _may_rectify(org)
    service.start(problem, data["comment"], data["version"])
    db.session.commit()
    return _detail(problem, org)


@bp.route("/<problem_id>/submit", methods=["POST"])
@login_required
@bp.arguments(ProblemSubmitSchema)
@bp.response(200, ProblemDetailSchema)
def submit_problem(data, problem_id):
    """提交销号: rectifying → submitted, with the 整改措施 (``rectification``) and — unless the
    tenant turned it off — at least one piece of evidence."""
    problem, org = _problem(problem_id)
    _may_rectify(org)
    service.submit(problem, data["rectification"], data["comment"], data["version"])
    db.session.commit()
    return _detail(problem, org)


@bp.route("/<problem_id>/approve", methods=["POST"])
@login_required
@bp.arguments(ProblemStepSchema)
@bp.response(200, ProblemDetailSchema)
def approve_problem(data, problem_id):
    """销号: submitted → closed, by the level above and not by the submitter."""
    problem, org = _problem(problem_id)
    service.approve(problem, org, data["comment"], data["version"])
    db.session.commit()
    return _detail(problem, org)


@bp.route("/<problem_id>/reject", methods=["POST"])
@login_required
@bp.arguments(ProblemReasonSchema)
@bp.response(200, ProblemDetailSchema)
def reject_problem(data, problem_id):
    """退回整改: submitted → rectifying, by the level above, with a ``reason``."""
    problem, org = _problem(problem_id)
    service.reject(problem, org, data["reason"], data["version"])
    db.session.commit()
    return _detail(problem, org)


@bp.route("/<problem_id>/reopen", methods=["POST"])
@login_required
@bp.arguments(ProblemReopenSchema)
@bp.response(200, ProblemDetailSchema)
def reopen_problem(data, problem_id):
    """重新打开: closed → rectifying, by the level above, with a ``reason`` and optionally a
    new ``deadline``."""
    problem, org = _problem(problem_id)
    service.reopen(problem, org, data["reason"], data["deadline"], data["version"])
    db.session.commit()
    return _detail(problem, org)


# -- evidence ------------------------------------------------------------------------------------


@bp.route("/<problem_id>/evidence", methods=["GET"])
@login_required
@bp.response(200, ProblemEvidenceSchema(many=True))
def list_evidence(problem_id):
    problem, _ = _problem(problem_id)
    return [_evidence(e) for e in service.evidence_of(problem)]


@bp.route("/<problem_id>/evidence", methods=["POST"])
@login_required
@bp.arguments(ProblemEvidenceFormSchema, location="form", content_type="multipart/form-data")
@bp.response(201, ProblemEvidenceSchema)
def add_evidence(form, problem_id):
    """Add evidence before submission, as multipart: ``text`` (文字材料) and/or ``file`` (pdf,
    jpg/png, docx/xlsx; checked by content, size-limited, kept outside any web root)."""
    problem, org = _problem(problem_id)
    _may_rectify(org)
    service.check_collecting(problem)
    upload = request.files.get("file")
    if upload is None and not (form["text"] or "").strip():
        abort(422, "text: 请填写文字材料或上传附件。", {"text": ["请填写文字材料或上传附件。"],
                                                       "file": ["请填写文字材料或上传附件。"]})
    tenant_id = current_tenant_id()
    stored = None
    if upload is not None:
        try:
            stored = files.store(tenant_id, upload.stream, upload.filename)
        except files.FileError as exc:
            abort(exc.status, f"file: {exc.reason}", {"file": [exc.reason]})
    try:
        row = service.add_evidence(problem, form["text"], stored)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if stored is not None:
            files.discard(tenant_id, stored.name)
        raise
    return _evidence(row)


def _evidence_row(problem: Problem, evidence_id) -> ProblemEvidence:
    parsed = parse_id(evidence_id)
    row = (db.session.scalar(select(ProblemEvidence).where(
        ProblemEvidence.id == parsed, ProblemEvidence.problem_id == problem.id))
        if parsed is not None else None)
    if row is None:
        abort(404, f"evidence {evidence_id} not found")
    return row


@bp.route("/<problem_id>/evidence/<evidence_id>", methods=["GET"])
@login_required
@bp.response(200, content_type="application/octet-stream", description="The file")
def download_evidence(problem_id, evidence_id):
    """The evidence's file, named as uploaded (only for users who see the problem)."""
    problem, _ = _problem(problem_id)
    row = _evidence_row(problem, evidence_id)
    if row.stored_name is None:
        abort(404, f"evidence {evidence_id} has no file")
    path = files.path_for(current_tenant_id(), row.stored_name)
    if not path.is_file():
        abort(404, f"evidence {evidence_id} not found")
    return send_file(path, mimetype=row.content_type, as_attachment=True,
                     download_name=row.original_name)


@bp.route("/<problem_id>/evidence/<evidence_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_evidence(problem_id, evidence_id):
    """Remove a piece of evidence added in error (before submission)."""
    problem, org = _problem(problem_id)
    _may_rectify(org)
    row = _evidence_row(problem, evidence_id)
    stored_name = service.remove_evidence(problem, row)
    db.session.commit()
    if stored_name is not None:
        files.discard(current_tenant_id(), stored_name)


# -- weak-and-lax organisations ------------------------------------------------------------------


@bp.route("/weak-orgs", methods=["GET"])
@login_required
@bp.arguments(WeakDesignationQuerySchema, location="query")
@bp.response(200, WeakDesignationSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_designations(filters, pagination_parameters):
    """Designations of the organisations the user sees, newest first: ``org`` (subtree),
    ``status``, ``year``, ``active`` (not de-listed)."""
    stmt = (select(WeakDesignation, Organization.name)
            .join(Organization, Organization.id == WeakDesignation.org_id)
            .where(visible_orgs_clause()))
    if filters["org"] is not None:
        stmt = stmt.where(orgs.subtree_filter(_visible_org(filters["org"]).path))
    if filters["status"] is not None:
        stmt = stmt.where(WeakDesignation.status == filters["status"])
    if filters["year"] is not None:
        stmt = stmt.where(WeakDesignation.year == filters["year"])
    if filters["active"] is True:
        stmt = stmt.where(WeakDesignation.status != DELISTED)
    elif filters["active"] is False:
        stmt = stmt.where(WeakDesignation.status == DELISTED)
    pagination_parameters.item_count = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(
        stmt.order_by(WeakDesignation.designated_on.desc(), WeakDesignation.created_at.desc())
        .offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)).all()
    return [present_designation(d, name) for d, name in rows]


@bp.route("/weak-orgs", methods=["POST"])
@login_required
@bp.arguments(WeakDesignationInputSchema)
@bp.response(201, WeakDesignationDetailSchema)
def create_designation(data):
    """认定软弱涣散党组织 (the level above); ``problem_ids`` links problems of the organisation.
    409 naming ``org_id`` while it has a designation that is not de-listed."""
    org = _visible_org(data["org_id"])
    designation = weak.designate(org, data)
    db.session.commit()
    return present_designation(designation, org.name, detail=True)


@bp.route("/weak-orgs/<designation_id>", methods=["GET"])
@login_required
@bp.response(200, WeakDesignationDetailSchema)
def get_designation(designation_id):
    """A designation with its linked problems, its events and the organisation's history."""
    designation, org = _designation(designation_id)
    return present_designation(designation, org.name, detail=True)


@bp.route("/weak-orgs/<designation_id>", methods=["PATCH"])
@login_required
@bp.arguments(WeakDesignationPatchSchema)
@bp.response(200, WeakDesignationDetailSchema)
def update_designation(data, designation_id):
    """Correct a designation that is not de-listed (the level above); send ``version``."""
    designation, org = _designation(designation_id)
    version = data.pop("version")
    weak.update_designation(designation, org, data, version)
    db.session.commit()
    return present_designation(designation, org.name, detail=True)


@bp.route("/weak-orgs/<designation_id>/start", methods=["POST"])
@login_required
@bp.arguments(ProblemStepSchema)
@bp.response(200, WeakDesignationDetailSchema)
def start_designation(data, designation_id):
    """开始整顿: designated → rectifying (the organisation's secretary or above)."""
    designation, org = _designation(designation_id)
    _may_rectify(org)
    weak.start(designation, org, data["comment"], data["version"])
    db.session.commit()
    return present_designation(designation, org.name, detail=True)


@bp.route("/weak-orgs/<designation_id>/delist", methods=["POST"])
@login_required
@bp.arguments(ProblemStepSchema)
@bp.response(200, WeakDesignationDetailSchema)
def delist_designation(data, designation_id):
    """摘帽销号: rectifying → delisted, by the level above, once every linked problem is
    closed (409 listing the others)."""
    designation, org = _designation(designation_id)
    weak.delist(designation, org, data["comment"], data["version"])
    db.session.commit()
    return present_designation(designation, org.name, detail=True)


# -- ledger and settings -------------------------------------------------------------------------


@bp.route("/ledger.xlsx", methods=["GET"])
@login_required
@bp.arguments(ProblemLedgerQuerySchema, location="query")
@bp.response(200, content_type=XLSX, description="整改台账 (.xlsx)")
def ledger_xlsx(query):
    """整改台账: every problem (found in ``year``) and weak-organisation designation (of
    ``year``) in ``org``'s subtree, or everything the user sees, as an .xlsx workbook."""
    root = _visible_org(query["org"]) if query["org"] is not None else None
    problems = db.session.execute(
        service.search(visible_orgs_clause(), root=root, year=query["year"])
        .order_by(None).order_by(Organization.path, Problem.found_on, Problem.created_at)
    ).all()
    designations = select(WeakDesignation, Organization.name).join(
        Organization, Organization.id == WeakDesignation.org_id).where(visible_orgs_clause())
    if root is not None:
        designations = designations.where(orgs.subtree_filter(root.path))
    if query["year"] is not None:
        designations = designations.where(WeakDesignation.year == query["year"])
    designations = db.session.execute(
        designations.order_by(Organization.path, WeakDesignation.designated_on)).all()
    title = (root.name if root is not None else "全部党组织") + (f" {query['year']}年" if query["year"] else "")
    data = ledger.to_xlsx(title, problems, designations)
    name = f"整改台账_{query['year'] or date.today().isoformat()}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def _settings_body() -> dict:
    explained = plugin_settings.explain_settings(PLUGIN)
    body = ProblemsSettingsSchema().dump({k: v for k, (v, _) in explained.items()})
    body["overridden"] = sorted(k for k, (_, source) in explained.items() if source == "tenant")
    body["version"] = plugin_settings.settings_version(PLUGIN)
    return body


SETTINGS_CHANGE, SETTINGS_ANSWER = settings_docs(ProblemsSettingsSchema, overridden=True)


@bp.route("/settings", methods=["GET"])
@login_required
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def get_settings():
    """The tenant's problem settings (``evidence_required``, ``categories``,
    ``weak_reason_categories``, ``default_deadline_days``); ``overridden`` lists what the
    tenant changed."""
    return _settings_body()


@bp.route("/settings", methods=["PUT"])
@roles_required("tenant_admin")
@bp.doc(requestBody=json_body(SETTINGS_CHANGE))
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_settings():
    """Replace the tenant's overrides (tenant administrators): keys not sent return to the
    defaults. Validated as a whole; 422 names the field, nothing is written then. ``version``
    beside them is the one you read: a stale one is a 409 naming it."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(422, "Send a JSON object of settings.", {"json": ["Not a JSON object."]})
    expected = pop_version(body)
    plugin_settings.set_overrides(PLUGIN, body, expected_version=expected)
    db.session.commit()
    return _settings_body()
