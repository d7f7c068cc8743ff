"""The archives API: a member's archive (``/api/v1/members/<id>/archive``) and a person's in
the development pipeline (``/api/v1/development/<id>/archive``), the document types, the
completeness of a subtree and the tenant's settings (``/api/v1/archives/…``).

* An archive is confidential: reading it needs ``branch_secretary`` on the organisation
  keeping it (nobody reads their own archive: :mod:`core.archives.access`). Someone who
  sees the organisation without that role gets 403; anyone else 404, as for an unknown or
  another tenant's id.
* Filing, correcting (PATCH, with the ``version`` read) and removing documents need
  ``branch_secretary`` there. Removal is soft and needs a ``reason``
  (:mod:`core.archives.models`); removed documents stay listed under ``removed``.
* Files are checked by content and size (:mod:`core.files`: pdf, jpg/png, docx/xlsx, at most
  ``ATTACHMENT_MAX_BYTES``), kept in a private folder and served only here.
* Filing or removing a document re-evaluates the archive warnings of its organisation at once.
* ``GET /archives/completeness?org_id=`` — the share of complete archives in a subtree
  (``branch_secretary`` on it); ``GET/PUT /archives/settings`` (``PUT``: ``tenant_admin``).
"""

from __future__ import annotations

from flask import request, send_file
from sqlalchemy import select

from core import files
from core.api import Blueprint, abort
from core.api.smorest import json_body, replace_settings, settings_answer, settings_docs
from core.archives import access, service
from core.archives.models import ArchiveDocument
from core.archives.schemas import (
    ArchiveDocumentTypeSchema,
    ArchiveSchema,
    CompletenessQuerySchema,
    DocumentFormSchema,
    DocumentPatchSchema,
    DocumentRemoveSchema,
    DocumentSchema,
    SubtreeCompletenessSchema,
)
from core.archives.settings import DOCUMENT_TYPES, PLUGIN, ArchivesSettingsSchema, document_types
from core.auth.permissions import (
    login_required,
    roles_required,
    visible_org,
    visible_orgs_clause,
)
from core.db import db
from core.orgs.models import Organization
from core.tenancy import current_tenant_id
from core.warnings import scoped

bp = Blueprint("archives", __name__, description="Member archives (党员档案).")

KEEPER_ROLE = access.KEEPER_ROLE
INCOMPLETE_LISTED = 500


# -- lookups -----------------------------------------------------------------------------------

member_archive = access.member_archive
person_archive = access.person_archive
_document = access.document


# -- presentation ------------------------------------------------------------------------------


def present_document(row: ArchiveDocument, labels: dict | None = None) -> dict:
    labels = labels if labels is not None else document_types()
    values = {key: getattr(row, key) for key in DocumentSchema().fields if hasattr(ArchiveDocument, key)}
    values["type_label"] = labels.get(row.doc_type, row.doc_type)
    return values


def present_archive(subject: service.Subject) -> dict:
    labels = document_types()
    return {
        "subject": subject.kind, "subject_id": subject.id, "name": subject.name,
        "org_id": subject.org_id, "member_id": subject.member_id,
        "person_ids": list(subject.person_ids),
        "completeness": service.completeness(subject),
        "documents": [present_document(d, labels) for d in service.documents_of(subject)],
        "removed": [present_document(d, labels) for d in service.documents_of(subject, removed=True)],
        "transfer_letters": service.letters_of(subject.member_id),
    }


def refresh(org: Organization) -> None:
    """Bring the archive warnings of ``org`` up to date now (the caller commits)."""
    scoped.refresh(org, scoped.rules_for(("archives.",)))


# -- the shared handlers -------------------------------------------------------------------------


def _add(subject: service.Subject, org: Organization, form: dict) -> dict:
    upload = request.files.get("file")
    if upload is None:
        abort(422, "file: 请上传档案材料文件。", {"file": ["请上传档案材料文件。"]})
    if form["doc_type"] not in document_types():
        abort(422, "doc_type: Unknown document type.", {"doc_type": ["Unknown document type; see GET /api/v1/archives/types."]})
    tenant_id = current_tenant_id()
    try:
        stored = files.store(tenant_id, upload.stream, upload.filename)
    except files.FileError as exc:
        abort(exc.status, f"file: {exc.reason}", {"file": [exc.reason]})
    try:
        row = service.add_document(subject, form, stored)
        refresh(org)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.discard(tenant_id, stored.name)
        raise
    return present_document(row)


def _update(subject: service.Subject, document_id, data: dict) -> dict:
    row = _document(subject, document_id)
    version = data.pop("version")
    service.update_document(row, data, version)
    db.session.commit()
    return present_document(row)


def _remove(subject: service.Subject, org: Organization, document_id, data: dict) -> dict:
    row = _document(subject, document_id)
    service.remove_document(row, data["reason"], data["version"])
    refresh(org)
    db.session.commit()
    return present_document(row)


def _download(subject: service.Subject, document_id):
    row = _document(subject, document_id)
    path = files.path_for(current_tenant_id(), row.stored_name)
    if not path.is_file():
        abort(404, f"document {document_id} has no file")
    return send_file(path, mimetype=row.content_type, as_attachment=True,
                     download_name=row.original_name)


# -- a member's archive --------------------------------------------------------------------------


@bp.route("/members/<member_id>/archive", methods=["GET"])
@login_required
@bp.response(200, ArchiveSchema)
def get_member_archive(member_id):
    """The member's archive: documents (their own and those filed while they were in the
    development pipeline), removed documents, completed transfer letters and the checklist
    of their stage."""
    subject, _ = member_archive(member_id)
    return present_archive(subject)


@bp.route("/members/<member_id>/archive", methods=["POST"])
@login_required
@bp.arguments(DocumentFormSchema, location="form", content_type="multipart/form-data")
@bp.response(201, DocumentSchema)
def add_member_document(form, member_id):
    """File a document: ``doc_type``, ``title``, ``dated_on``, ``note`` and ``file``."""
    subject, org = member_archive(member_id, write=True)
    return _add(subject, org, form)


@bp.route("/members/<member_id>/archive/<document_id>", methods=["GET"])
@login_required
@bp.response(200, DocumentSchema)
def get_member_document(member_id, document_id):
    subject, _ = member_archive(member_id)
    return present_document(_document(subject, document_id))


@bp.route("/members/<member_id>/archive/<document_id>", methods=["PATCH"])
@login_required
@bp.arguments(DocumentPatchSchema)
@bp.response(200, DocumentSchema)
def update_member_document(data, member_id, document_id):
    """Correct a document's type, title, date or note; send the ``version`` you read."""
    subject, _ = member_archive(member_id, write=True)
    return _update(subject, document_id, data)


@bp.route("/members/<member_id>/archive/<document_id>/file", methods=["GET"])
@login_required
@bp.response(200, content_type="application/octet-stream", description="The file")
def download_member_document(member_id, document_id):
    """The document's file, named as uploaded (removed documents' too)."""
    subject, _ = member_archive(member_id)
    return _download(subject, document_id)


@bp.route("/members/<member_id>/archive/<document_id>/remove", methods=["POST"])
@login_required
@bp.arguments(DocumentRemoveSchema)
@bp.response(200, DocumentSchema)
def remove_member_document(data, member_id, document_id):
    """Remove a document filed in error, with a ``reason`` (kept, listed as removed)."""
    subject, org = member_archive(member_id, write=True)
    return _remove(subject, org, document_id, data)


# -- a person's archive in the development pipeline ----------------------------------------------


@bp.route("/development/<person_id>/archive", methods=["GET"])
@login_required
@bp.response(200, ArchiveSchema)
def get_person_archive(person_id):
    """The person's archive; once admitted, the same archive as their member's."""
    subject, _ = person_archive(person_id)
    return present_archive(subject)


@bp.route("/development/<person_id>/archive", methods=["POST"])
@login_required
@bp.arguments(DocumentFormSchema, location="form", content_type="multipart/form-data")
@bp.response(201, DocumentSchema)
def add_person_document(form, person_id):
    """File a document on the person (it follows them into the register)."""
    subject, org = person_archive(person_id, write=True)
    return _add(subject, org, form)


@bp.route("/development/<person_id>/archive/<document_id>", methods=["GET"])
@login_required
@bp.response(200, DocumentSchema)
def get_person_document(person_id, document_id):
    subject, _ = person_archive(person_id)
    return present_document(_document(subject, document_id))


@bp.route("/development/<person_id>/archive/<document_id>", methods=["PATCH"])
@login_required
@bp.arguments(DocumentPatchSchema)
@bp.response(200, DocumentSchema)
def update_person_document(data, person_id, document_id):
    subject, _ = person_archive(person_id, write=True)
    return _update(subject, document_id, data)


@bp.route("/development/<person_id>/archive/<document_id>/file", methods=["GET"])
@login_required
@bp.response(200, content_type="application/octet-stream", description="The file")
def download_person_document(person_id, document_id):
    subject, _ = person_archive(person_id)
    return _download(subject, document_id)


@bp.route("/development/<person_id>/archive/<document_id>/remove", methods=["POST"])
@login_required
@bp.arguments(DocumentRemoveSchema)
@bp.response(200, DocumentSchema)
def remove_person_document(data, person_id, document_id):
    subject, org = person_archive(person_id, write=True)
    return _remove(subject, org, document_id, data)


# -- types, completeness, settings ---------------------------------------------------------------


@bp.route("/archives/types", methods=["GET"])
@login_required
@bp.response(200, ArchiveDocumentTypeSchema(many=True))
def list_types():
    """The tenant's document types: the national ones, then the tenant's own."""
    return [{"key": key, "label": label, "national": key in DOCUMENT_TYPES}
            for key, label in document_types().items()]


def subtree_figures(root: Organization) -> dict:
    """The completeness of ``root``'s subtree as the user sees it, and its incomplete
    archives (the first :data:`INCOMPLETE_LISTED`)."""
    checked = service.evaluate(root, visible_orgs_clause())
    names = dict(db.session.execute(
        select(Organization.id, Organization.name).where(
            Organization.id.in_({c.org_id for c in checked if not c.complete}))).all()) if checked else {}
    incomplete = sorted((c for c in checked if not c.complete),
                        key=lambda c: (names.get(c.org_id, ""), c.name, str(c.id)))
    body = {"org_id": root.id, "org_name": root.name, **service.summary(checked)}
    body["incomplete_archives"] = [
        {"subject": c.kind, "subject_id": c.id, "name": c.name, "org_id": c.org_id,
         "org_name": names.get(c.org_id, ""), "stage": c.stage, "missing": list(c.missing)}
        for c in incomplete[:INCOMPLETE_LISTED]]
    return body


@bp.route("/archives/completeness", methods=["GET"])
@login_required
@bp.arguments(CompletenessQuerySchema, location="query")
@bp.response(200, SubtreeCompletenessSchema)
def get_completeness(query):
    """Archives checked in the subtree of ``org_id`` and the share complete, by stage, with
    the incomplete ones and what each misses (``branch_secretary`` on the organisation)."""
    root = visible_org(query["org_id"], role=KEEPER_ROLE)
    return subtree_figures(root)


SETTINGS_CHANGE, SETTINGS_ANSWER = settings_docs(ArchivesSettingsSchema, overridden=True)


@bp.route("/archives/settings", methods=["GET"])
@login_required
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def get_settings():
    """The tenant's archive settings (``extra_document_types``, ``required`` per stage,
    ``members_joined_from``); ``overridden`` lists what the tenant changed."""
    return settings_answer(PLUGIN, ArchivesSettingsSchema)


@bp.route("/archives/settings", methods=["PUT"])
@roles_required("tenant_admin")
@bp.doc(requestBody=json_body(SETTINGS_CHANGE))
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_settings():
    """Replace the tenant's overrides (tenant administrators): keys not sent return to the
    defaults. Validated as a whole; 422 names the field. ``version`` is the one you read: a
    stale one is a 409 naming it."""
    return replace_settings(PLUGIN, ArchivesSettingsSchema)
