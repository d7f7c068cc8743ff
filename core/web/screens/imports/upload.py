"""The member import: the upload form, the template, and one import's result.

Who: like ``POST /api/v1/imports/members``, ``branch_secretary`` or higher somewhere (the
job then writes only to organisations where the user holds it); anyone else gets 403. The
upload is stored and checked (a real .xlsx, within ``MAX_CONTENT_LENGTH``) before the job
is enqueued, so a wrong file is answered beside the file field and starts nothing.
"""

from __future__ import annotations

import os
import tempfile

from flask import redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.api.errors import ApiError, abort
from core.auth.permissions import current_user, has_role
from core.db import db
from core.excel import exporter, template, uploads
from core.excel.importer import ALL_OR_NOTHING, IMPORT_ROLE, JOB_NAME, Scope
from core.excel.schemas import XLSX
from core.jobs import service as jobs
from core.jobs.models import DONE_STATES, Job
from core.orgs.models import Organization
from core.tenancy import current_tenant_id
from core.web.blueprint import bp, page
from core.web.paging import Page
from core.web.screens.imports import reasons
from core.web.screens.imports.forms import ImportForm
from core.web.screens.jobs import visible_job
from core.web.service_errors import translate

RECENT = 10
ERRORS_PER_PAGE = 100


def send_xlsx(build, download_name: str):
    """Write a workbook with ``build(file)`` to a private temporary file, unlinked at once,
    and send it from there: memory does not grow with the export, nothing stays on disk."""
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="dangjian-web-")
    try:
        with os.fdopen(fd, "wb") as out:
            build(out)
        stream = open(path, "rb")  # noqa: SIM115 - closed by the response when it is sent
    finally:
        os.unlink(path)
    return send_file(stream, mimetype=XLSX, as_attachment=True, download_name=download_name)


def _require_import_role() -> None:
    if not has_role(IMPORT_ROLE):
        abort(403, _("Importing members needs the branch secretary role or higher."))


def _recent_imports() -> list[Job]:
    """The user's latest imports (a tenant administrator sees everyone's, as the job API)."""
    stmt = select(Job).where(Job.name == JOB_NAME)
    if not has_role("tenant_admin"):
        stmt = stmt.where(Job.created_by_user_id == current_user().id)
    return list(db.session.scalars(stmt.order_by(Job.created_at.desc()).limit(RECENT)))


def _writable_count() -> int:
    """How many organisations the template will list (counted, not loaded)."""
    return db.session.scalar(
        select(func.count()).select_from(Organization)
        .where(Scope.for_current_actor().clause(), Organization.status == "active")
    )


def _start(form: ImportForm) -> Job | None:
    """Store the file and enqueue the job as the API does; on a refusal the reason goes on
    the form (and ``form.status`` says the answer's status)."""
    upload = form.file.data
    tenant_id = current_tenant_id()
    try:
        name = uploads.store(tenant_id, upload.stream)
    except uploads.UploadError as exc:
        form.file.errors.append(reasons.upload_reason(exc.reason))
        form.status = exc.status
        return None
    filename = uploads.display_name(upload.filename)
    try:
        return jobs.enqueue(JOB_NAME, upload=name, mode=form.mode.data or ALL_OR_NOTHING,
                            filename=filename)
    except ApiError as exc:
        uploads.discard(tenant_id, name)
        form.form_errors.append(_("The import could not be started: %(reason)s",
                                  reason=translate(exc.message)))
        form.status = exc.status
        return None


@bp.route("/imports", methods=["GET", "POST"])
@page
def imports():
    """The upload form; a good file starts the job and goes to its progress page."""
    _require_import_role()
    form = ImportForm()
    form.status = 200
    if form.validate_on_submit():
        job = _start(form)
        if job is not None:
            result = url_for("web.imports_result", job_id=job.id)
            return redirect(url_for("web.job_page", job_id=job.id, next=result))
    elif request.method == "POST":
        form.status = 422
    limit = uploads.max_bytes()
    return render_template(
        "web/imports.html", form=form, recent=_recent_imports(),
        limit_mb=round(limit / 1024 / 1024, 1) if limit else None,
        writable=_writable_count(),
    ), form.status


@bp.route("/imports/template")
@page
def imports_template():
    """The template with the organisations the user may import into (as the API's)."""
    rows = [(org.code, org.name, exporter.KIND_LABELS.get(org.kind, org.kind))
            for org in Scope.for_current_actor().writable_orgs()]
    data = template.build_template(rows)
    return send_xlsx(lambda out: out.write(data), "党员信息导入模板.xlsx")


def import_job(job_id: str) -> Job:
    """The import job ``job_id`` if the user may see it (its starter or a tenant
    administrator, as the job API); 404 for any other id or another kind of job."""
    job = visible_job(job_id)
    if job.name != JOB_NAME:
        abort(404, "not found")
    return job


@bp.route("/imports/<job_id>")
@page
def imports_result(job_id):
    """What an import did: the counts, or — refused — every bad row, nothing written."""
    job = import_job(job_id)
    if job.state not in DONE_STATES:
        result = url_for("web.imports_result", job_id=job.id)
        return redirect(url_for("web.job_page", job_id=job.id, next=result))
    result = job.result if isinstance(job.result, dict) else {}
    errors = [reasons.entry(e) for e in result.get("errors") or []]
    pages = max(1, -(-len(errors) // ERRORS_PER_PAGE))
    try:
        number = min(max(int(request.args.get("page", 1)), 1), pages)
    except ValueError:
        number = 1
    shown = errors[(number - 1) * ERRORS_PER_PAGE : number * ERRORS_PER_PAGE]
    return render_template(
        "web/imports_result.html", job=job, result=result, errors=shown,
        page=Page(shown, number, ERRORS_PER_PAGE, len(errors)),
    )
