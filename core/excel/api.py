"""The import and export API.

* ``GET /api/v1/imports/members/template`` — the .xlsx template (with a sheet of the
  organisations the user may import into).
* ``POST /api/v1/imports/members`` — multipart ``file`` (.xlsx) and ``mode``; stores the file,
  starts the job ``imports.members`` and answers 202 with the job (follow it at
  ``GET /api/v1/jobs/<id>``; its ``result`` lists every bad row). Needs ``branch_secretary``
  or higher somewhere; rows may only go to organisations where the user holds it.
* ``GET /api/v1/exports/members`` / ``GET /api/v1/exports/orgs`` — .xlsx of the organisations
  the user sees (of ``subtree_of``'s subtree), personal fields masked unless the user may see
  them (:func:`core.members.masking.can_see_personal`).

Exports are answered synchronously: the workbook is written to a private temporary file
(openpyxl ``write_only``, rows streamed from the database), which is unlinked as soon as it
is open and sent from there, so memory does not grow with the subtree and nothing is left on
disk. ``bench/import_members.py`` measures the time for 100,000 members.
"""

from __future__ import annotations

import os
import tempfile

from flask import request, send_file, url_for
from marshmallow import ValidationError

from core.api import Blueprint, abort
from core.api.errors import ApiError
from core.api.smorest import get_or_404
from core.auth.permissions import (
    login_required,
    require_org_access,
    roles_required,
    visible_orgs_clause,
)
from core.excel import exporter, template, uploads
from core.excel.importer import IMPORT_ROLE, JOB_NAME, Scope
from core.excel.schemas import (
    XLSX,
    ExportQuerySchema,
    ImportFileSchema,
    ImportQuerySchema,
    MemberExportQuerySchema,
    ModeSchema,
)
from core.jobs import service as jobs
from core.jobs.schemas import JobSchema
from core.members.masking import can_see_personal
from core.orgs.models import Organization
from core.tenancy import current_tenant_id

imports_bp = Blueprint("imports", __name__, description="Excel import of the member register (导入).")
exports_bp = Blueprint("exports", __name__, description="Excel export of members and organisations (导出).")

_XLSX_RESPONSE = {"type": "string", "format": "binary"}


def _xlsx(build, download_name: str):
    """Write a workbook with ``build(file)`` to a private temporary file and send it."""
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="dangjian-export-")
    try:
        with os.fdopen(fd, "wb") as out:
            build(out)
        stream = open(path, "rb")  # noqa: SIM115 - closed by the response when it is sent
    finally:
        os.unlink(path)  # the open stream keeps the data; nothing remains on disk
    return send_file(stream, mimetype=XLSX, as_attachment=True, download_name=download_name)


@imports_bp.route("/members/template", methods=["GET"])
@login_required
@imports_bp.response(200, content_type=XLSX, description="The import template (.xlsx)")
def member_template():
    """The member import template: Chinese headers, drop-downs, instructions, and the
    organisations (code, full name) the user may import into."""
    scope = Scope.for_current_actor()
    rows = [
        (org.code, org.name, exporter.KIND_LABELS.get(org.kind, org.kind))
        for org in scope.writable_orgs()
    ]
    data = template.build_template(rows)
    return _xlsx(lambda out: out.write(data), "党员信息导入模板.xlsx")


def _mode(query_mode: str | None) -> str:
    raw = query_mode if query_mode is not None else request.form.get("mode")
    try:
        return ModeSchema().load({} if raw is None else {"mode": raw})["mode"]
    except ValidationError as exc:
        abort(422, "mode: must be all_or_nothing or valid_rows_only.", exc.messages)


@imports_bp.route("/members", methods=["POST"])
@roles_required(IMPORT_ROLE)
@imports_bp.arguments(ImportQuerySchema, location="query")
@imports_bp.arguments(ImportFileSchema, location="files")
@imports_bp.response(202, JobSchema, description="The import job (see GET /api/v1/jobs/<id>)")
def import_members(query, files):
    """Import members from an .xlsx workbook, as a background job.

    Rows are matched to organisations by code, then by full name; a person already in the
    register (same ID number) is updated, not added again. By default nothing is written if
    any row is bad; the job's ``result.errors`` lists each bad row with its row number,
    column and reason.
    """
    mode = _mode(query["mode"])
    upload = files["file"]
    if not hasattr(upload, "stream"):
        abort(422, "file: send the workbook as a multipart file.", {"file": ["Not a file."]})
    tenant_id = current_tenant_id()
    try:
        name = uploads.store(tenant_id, upload.stream)
    except uploads.UploadError as exc:
        abort(exc.status, f"file: {exc.reason}", {"file": [exc.reason]})
    filename = uploads.display_name(upload.filename)
    try:
        job = jobs.enqueue(JOB_NAME, upload=name, mode=mode, filename=filename)
    except ApiError:
        uploads.discard(tenant_id, name)
        raise
    location = url_for("jobs.get_job", job_id=str(job.id))
    return job, 202, {"Location": location}


def _root(subtree_of) -> Organization | None:
    if subtree_of is None:
        return None
    return require_org_access(get_or_404(Organization, subtree_of, "organization"), "member")


@exports_bp.route("/members", methods=["GET"])
@login_required
@exports_bp.arguments(MemberExportQuerySchema, location="query")
@exports_bp.response(200, content_type=XLSX, description="The members (.xlsx), with the import template's headers")
def export_members(query):
    """Members of the organisations the user sees (in ``subtree_of``'s subtree) as .xlsx.
    ID number, phone and address are masked unless the user may see them in full."""
    root = _root(query["subtree_of"])
    visible = visible_orgs_clause()
    return _xlsx(
        lambda out: exporter.write_members(
            out, root, visible=visible, full_view=can_see_personal,
            include_former=query["include_former"],
        ),
        exporter.export_name("members", root),
    )


@exports_bp.route("/orgs", methods=["GET"])
@login_required
@exports_bp.arguments(ExportQuerySchema, location="query")
@exports_bp.response(200, content_type=XLSX, description="The organisations (.xlsx)")
def export_orgs(query):
    """The organisations the user sees (in ``subtree_of``'s subtree) as .xlsx."""
    root = _root(query["subtree_of"])
    visible = visible_orgs_clause()
    return _xlsx(
        lambda out: exporter.write_orgs(out, root, visible=visible),
        exporter.export_name("orgs", root),
    )
