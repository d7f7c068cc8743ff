"""The problems ledger (问题台账: 问题清单 → 整改 → 销号) in the browser: the paged list with
its filters, recording a problem, and one problem's page with its whole workflow.

The pages call :mod:`core.problems.service` exactly as the API does (``core/problems/api.py``):
who may record, rectify and close out is the service's rule, and a refusal the service
raises is shown beside the field it names (409/422), or as the error page (403/404). Each
action's form is shown only when the problem's state and the user's roles allow it.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core import files
from core.api.errors import ApiError
from core.auth.permissions import current_user, has_role, visible_org, visible_orgs_clause
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.problems import service
from core.problems.models import (
    CLOSED,
    EVENT_LABELS,
    OPEN,
    RECTIFYING,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    SUBMITTED,
    Problem,
    ProblemEvidence,
)
from core.problems.settings import settings as problem_settings
from core.tenancy import current_tenant_id
from core.web import ledger_forms as forms
from core.web.blueprint import bp, page
from core.web.paging import paginate

LEDGER_ROLE = "branch_secretary"


def require_ledger_role() -> None:
    """The ledger is for branch secretaries and above (anywhere in the tenant): 403 else."""
    if not has_role(LEDGER_ROLE):
        abort(403, _("This page needs the branch secretary role or higher."))


def org_by_code(code: str) -> Organization | None:
    """The organisation with ``code`` if the user sees it (None for unknown or unseen)."""
    org = orgs.by_code(code.strip()) if code and code.strip() else None
    return org if org is not None and has_role("member", org) else None


def _problem(problem_id) -> tuple[Problem, Organization]:
    """The problem and its organisation: 404 for an unknown, foreign or unseen one."""
    from core.auth.permissions import visible_record

    return visible_record(Problem, problem_id, "problem")


def filtered_root(form) -> tuple[Organization | None, int]:
    """A list's filter form checked, and the organisation it limits the list to: the
    ``?org=<id>`` a link gave (404 when unseen; its code then fills the code field) or the
    code typed (not one the user sees: an error beside it). With the status the list
    answers: 422 when a filter is wrong (the problems and the warnings lists alike)."""
    status = 200 if form.validate() else 422
    root = None
    if request.args.get("org") and not form.code.data:
        root = visible_org(request.args["org"])
        form.code.data = root.code
    elif form.code.data:
        root = org_by_code(form.code.data)
        if root is None:
            form.code.errors = [_("No organisation with this code that you can see.")]
            status = 422
    return root, status


def _categories(current: str | None = None) -> list[tuple[str, str]]:
    names = list(problem_settings()["categories"])
    if current and current not in names:
        names.insert(0, current)  # a category the tenant has since removed stays readable
    return [(c, c) for c in names]


# -- the list ----------------------------------------------------------------------------------


@bp.route("/problems")
@page
def problem_list():
    require_ledger_role()
    form = forms.ProblemFilterForm(request.args)
    root, status = filtered_root(form)
    page_ = None
    if status == 200:
        overdue = {"yes": True, "no": False}.get(form.overdue.data or "")
        stmt = service.search(visible_orgs_clause(), root=root, status=form.status.data or None,
                              source=form.source.data or None, overdue=overdue)
        page_ = paginate(stmt, scalars=False)
    return render_template(
        "web/problem_list.html", form=form, page=page_, root=root, today=date.today(),
        status_labels=STATUS_LABELS, source_labels=SOURCE_LABELS, severity_labels=SEVERITY_LABELS,
        may_record=has_role(LEDGER_ROLE),
    ), status


@bp.route("/problems/new", methods=["GET", "POST"])
@page
def problem_new():
    require_ledger_role()
    form = forms.ProblemForm()
    form.category.choices = _categories()
    if request.method == "GET":
        if request.args.get("org"):
            form.org_code.data = visible_org(request.args["org"]).code
        if not has_role("org_manager"):
            form.source.data = "self"
        return render_template("web/problem_form.html", form=form)
    if not form.validate():
        return render_template("web/problem_form.html", form=form), 422
    org = org_by_code(form.org_code.data)
    if org is None:
        form.org_code.errors = [_("No organisation with this code that you can see.")]
        return render_template("web/problem_form.html", form=form), 422
    if not service.may_record(org, form.source.data):
        abort(403, _("Recording a problem needs the organisation manager role on the organisation "
                     "(a branch secretary records what the branch found itself)."))
    data = {
        "source": form.source.data, "source_ref": form.source_ref.data or None,
        "category": form.category.data, "title": form.title.data.strip(),
        "description": (form.description.data or "").strip() or None,
        "severity": form.severity.data, "found_on": form.found_on.data,
        "deadline": form.deadline.data, "responsible_name": form.responsible_name.data or None,
    }
    try:
        problem = service.create_problem(org, data)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        forms.show_errors(form, exc, {"org_id": "org_code"})
        return render_template("web/problem_form.html", form=form), exc.status
    flash(_("The problem is recorded."), "success")
    return redirect(url_for("web.problem_page", problem_id=problem.id))


# -- one problem -------------------------------------------------------------------------------


def allowed_actions(problem: Problem, org: Organization) -> dict[str, bool]:
    """Which workflow forms the page offers: the state allows the step and the user holds
    the role the service will ask for (the service checks again on submission)."""
    user = current_user()
    rectify = service.may_rectify(org)
    above = service.is_level_above(org)
    return {
        "edit": problem.status != CLOSED and service.may_record(org, problem.source),
        "start": problem.status == OPEN and rectify,
        "evidence": problem.status in (OPEN, RECTIFYING) and rectify,
        "submit": problem.status == RECTIFYING and rectify,
        "approve": problem.status == SUBMITTED and above and user is not None
        and user.id != problem.submitted_by_user_id,
        "reject": problem.status == SUBMITTED and above,
        "reopen": problem.status == CLOSED and above,
    }


def _action_forms(problem: Problem) -> dict:
    version = {"version": problem.version}
    return {
        "start": forms.StepForm(formdata=None, data=version, prefix="start"),
        "evidence": forms.EvidenceForm(formdata=None, prefix="evidence"),
        "submit": forms.SubmitForm(formdata=None, data={**version, "rectification": problem.rectification},
                                   prefix="submit"),
        "approve": forms.StepForm(formdata=None, data=version, prefix="approve"),
        "reject": forms.ReasonForm(formdata=None, data=version, prefix="reject"),
        "reopen": forms.ReopenForm(formdata=None, data=version, prefix="reopen"),
        "delete": forms.DeleteForm(formdata=None),
    }


def _render(problem: Problem, org: Organization, status: int = 200, **bound):
    action_forms = _action_forms(problem)
    action_forms.update(bound)
    return render_template(
        "web/problem_page.html", problem=problem, org=org, parent=service.parent_of(org),
        events=service.events_of(problem), evidence=service.evidence_of(problem),
        actions=allowed_actions(problem, org), forms=action_forms, today=date.today(),
        overdue=service.is_overdue(problem), days_overdue=service.days_overdue(problem),
        evidence_required=problem_settings()["evidence_required"],
        status_labels=STATUS_LABELS, source_labels=SOURCE_LABELS, severity_labels=SEVERITY_LABELS,
        event_labels=EVENT_LABELS,
    ), status


@bp.route("/problems/<problem_id>")
@page
def problem_page(problem_id):
    require_ledger_role()
    problem, org = _problem(problem_id)
    return _render(problem, org)


def _step(problem_id, name: str, form_class, action, needs_rectifier: bool = False):
    """Run one workflow ``action(problem, org, form)`` from its form; on a refusal the page
    again, the form keeping its input and the service's errors beside its fields."""
    require_ledger_role()
    problem, org = _problem(problem_id)
    if needs_rectifier and not service.may_rectify(org):
        abort(403, _("Rectification is done by the organisation's branch secretary."))
    form = form_class(prefix=name)
    if not form.validate():
        return _render(problem, org, 422, **{name: form})
    try:
        action(problem, org, form)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        problem, org = _problem(problem_id)
        forms.show_errors(form, exc)
        return _render(problem, org, exc.status, **{name: form})
    return None


def _done(problem_id, message: str):
    flash(message, "success")
    return redirect(url_for("web.problem_page", problem_id=problem_id))


@bp.route("/problems/<problem_id>/start", methods=["POST"])
@page
def problem_start(problem_id):
    refused = _step(problem_id, "start", forms.StepForm, lambda p, o, f: service.start(
        p, f.comment.data or None, forms.version_of(f)), needs_rectifier=True)
    return refused or _done(problem_id, _("Rectification has started."))


@bp.route("/problems/<problem_id>/submit", methods=["POST"])
@page
def problem_submit(problem_id):
    refused = _step(problem_id, "submit", forms.SubmitForm, lambda p, o, f: service.submit(
        p, f.rectification.data or None, f.comment.data or None, forms.version_of(f)),
        needs_rectifier=True)
    return refused or _done(problem_id, _("Submitted for close-out."))


@bp.route("/problems/<problem_id>/approve", methods=["POST"])
@page
def problem_approve(problem_id):
    refused = _step(problem_id, "approve", forms.StepForm, lambda p, o, f: service.approve(
        p, o, f.comment.data or None, forms.version_of(f)))
    return refused or _done(problem_id, _("The problem is closed out."))


@bp.route("/problems/<problem_id>/reject", methods=["POST"])
@page
def problem_reject(problem_id):
    refused = _step(problem_id, "reject", forms.ReasonForm, lambda p, o, f: service.reject(
        p, o, f.reason.data, forms.version_of(f)))
    return refused or _done(problem_id, _("Sent back for rectification."))


@bp.route("/problems/<problem_id>/reopen", methods=["POST"])
@page
def problem_reopen(problem_id):
    refused = _step(problem_id, "reopen", forms.ReopenForm, lambda p, o, f: service.reopen(
        p, o, f.reason.data, f.deadline.data, forms.version_of(f)))
    return refused or _done(problem_id, _("The problem is reopened."))


@bp.route("/problems/<problem_id>/evidence", methods=["POST"])
@page
def problem_evidence(problem_id):
    """Add evidence: the file is checked by content and size (:mod:`core.files`) and
    discarded again if the record cannot be written."""
    require_ledger_role()
    problem, org = _problem(problem_id)
    if not service.may_rectify(org):
        abort(403, _("Rectification is done by the organisation's branch secretary."))
    form = forms.EvidenceForm(prefix="evidence")
    upload = form.file.data if getattr(form.file.data, "filename", None) else None
    if not form.validate():
        return _render(problem, org, 422, evidence=form)
    if upload is None and not (form.text.data or "").strip():
        form.text.errors = [*form.text.errors, _("Write the evidence or attach a file.")]
        return _render(problem, org, 422, evidence=form)
    try:
        service.check_collecting(problem)
    except ApiError as exc:
        forms.show_errors(form, exc)
        return _render(problem, org, exc.status, evidence=form)
    tenant_id = current_tenant_id()
    stored = None
    if upload is not None:
        try:
            stored = files.store(tenant_id, upload.stream, upload.filename)
        except files.FileError as exc:
            form.file.errors = [*form.file.errors, exc.reason]
            return _render(problem, org, exc.status, evidence=form)
    try:
        service.add_evidence(problem, form.text.data, stored)
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        if stored is not None:
            files.discard(tenant_id, stored.name)
        if not isinstance(exc, ApiError) or exc.status in (403, 404):
            raise
        problem, org = _problem(problem_id)
        forms.show_errors(form, exc)
        return _render(problem, org, exc.status, evidence=form)
    return _done(problem_id, _("The evidence is added."))


def _evidence_row(problem: Problem, evidence_id) -> ProblemEvidence:
    from core.api.smorest import parse_id

    parsed = parse_id(evidence_id)
    row = (db.session.scalar(select(ProblemEvidence).where(
        ProblemEvidence.id == parsed, ProblemEvidence.problem_id == problem.id))
        if parsed is not None else None)
    if row is None:
        abort(404)
    return row


@bp.route("/problems/<problem_id>/evidence/<evidence_id>")
@page
def problem_evidence_file(problem_id, evidence_id):
    """The evidence's file, named as uploaded, for whoever sees the problem."""
    require_ledger_role()
    problem, _org = _problem(problem_id)
    row = _evidence_row(problem, evidence_id)
    if row.stored_name is None:
        abort(404)
    path = files.path_for(current_tenant_id(), row.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.original_name)


@bp.route("/problems/<problem_id>/evidence/<evidence_id>/delete", methods=["POST"])
@page
def problem_evidence_delete(problem_id, evidence_id):
    require_ledger_role()
    problem, org = _problem(problem_id)
    if not service.may_rectify(org):
        abort(403, _("Rectification is done by the organisation's branch secretary."))
    form = forms.DeleteForm()
    if not form.validate():
        abort(400)
    row = _evidence_row(problem, evidence_id)
    try:
        stored_name = service.remove_evidence(problem, row)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        problem, org = _problem(problem_id)
        bound = forms.EvidenceForm(formdata=None, prefix="evidence")
        forms.show_errors(bound, exc)
        return _render(problem, org, exc.status, evidence=bound)
    if stored_name is not None:
        files.discard(current_tenant_id(), stored_name)
    return _done(problem_id, _("The evidence is removed."))


@bp.route("/problems/<problem_id>/edit", methods=["GET", "POST"])
@page
def problem_edit(problem_id):
    require_ledger_role()
    problem, org = _problem(problem_id)
    if not service.may_record(org, problem.source):
        abort(403, _("Correcting a problem needs the organisation manager role on the organisation."))
    form = forms.EditProblemForm(obj=problem if request.method == "GET" else None)
    form.category.choices = _categories(problem.category)
    if request.method == "GET":
        form.version.data = problem.version
        return render_template("web/problem_edit.html", form=form, problem=problem, org=org)
    if not form.validate():
        return render_template("web/problem_edit.html", form=form, problem=problem, org=org), 422
    changes = {
        "title": form.title.data.strip(), "category": form.category.data,
        "description": (form.description.data or "").strip() or None,
        "severity": form.severity.data, "deadline": form.deadline.data,
        "responsible_name": (form.responsible_name.data or "").strip() or None,
    }
    if changes["responsible_name"] != problem.responsible_name:
        changes["responsible_member_id"] = None  # a name typed by hand is no register member
    if (form.deadline_reason.data or "").strip():
        changes["deadline_reason"] = form.deadline_reason.data.strip()
    try:
        service.update_problem(problem, org, changes, forms.version_of(form))
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        problem, org = _problem(problem_id)
        forms.show_errors(form, exc)
        return render_template("web/problem_edit.html", form=form, problem=problem, org=org), exc.status
    return _done(problem_id, _("The problem is corrected."))
