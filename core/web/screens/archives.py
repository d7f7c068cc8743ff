"""Member archives (党员档案) in the browser: a member's or applicant's archive — documents by
type, the checklist of their stage, completed transfer letters, documents removed — with
filing, correcting and removing documents, and the completeness of a subtree.

The pages call :mod:`core.archives.service` as the API does (``core/archives/api.py``) and
check access with :mod:`core.archives.access`: only the archive's keeper
(``branch_secretary`` on its organisation) reads and writes it. Files go through
:mod:`core.files` (type by content, size cap, private folder) and are served only here.
Filing or removing re-evaluates the organisation's archive warnings at once.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core import files
from core.api.errors import ApiError
from core.archives import access, service
from core.archives.settings import document_types
from core.auth.permissions import visible_orgs_clause
from core.db import db
from core.orgs.models import Organization
from core.tenancy import current_tenant_id
from core.web import versions
from core.web.blueprint import bp, page
from core.web.scope import root_for_request
from core.web.screens.work.common import refresh_warnings
from core.web.service_errors import MessageTable, show_errors

REQUIRED = _l("This field is required.")
NO_NUL = _l("The text must not contain NUL characters.")


def no_nul(form, field) -> None:
    """PostgreSQL text cannot hold NUL (the API refuses it for every request, core.api.nul)."""
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError(str(NO_NUL))
INCOMPLETE_SHOWN = 200
# The endpoints of each kind of archive, and the name of its id in their URLs.
ENDPOINTS = {
    "member": ("member_id", "web.member_archive"),
    "person": ("person_id", "web.member_archive_person"),
}
MESSAGES = MessageTable(patterns=(
    (r"Files of type \.(?P<ext>[^ ]+) are not accepted; allowed: pdf, jpg, png, docx, xlsx\.",
     _l("Files of type .%(ext)s are not accepted; allowed: PDF, JPG, PNG, DOCX, XLSX.")),
    (r"The file is empty\.", _l("The file is empty.")),
    (r"The file's content is not a PDF, JPEG, PNG, \.docx or \.xlsx file\.",
     _l("The file's content is not a PDF, JPEG, PNG, DOCX or XLSX file.")),
    (r"The file is named \.(?P<ext>\w+) but its content is (?P<detected>\w+)\.",
     _l("The file is named .%(ext)s but its content is %(detected)s.")),
    (r"The file is larger than the limit of (?P<bytes>\d+) bytes\.",
     _l("The file is larger than the limit of %(bytes)s bytes.")),
    (r"Unknown document type.*", _l("Choose a document type from the list.")),
    (r"Cannot be in the future\.", _l("The document's date cannot be in the future.")),
    (r"Must not be empty\.", _l("This field is required.")),
    (r"This document was removed from the archive\.", _l("This document was already removed from the archive.")),
    (r"Say why the document is removed\.", _l("Say why the document is removed.")),
))


class DocumentForm(FlaskForm):
    doc_type = SelectField(_l("Document type"), validators=[InputRequired(message=REQUIRED)])
    title = StringField(_l("Document title"), validators=[InputRequired(message=REQUIRED), Length(max=200), no_nul])
    dated_on = DateField(_l("Document date"), validators=[InputRequired(message=REQUIRED)])
    note = TextAreaField(_l("Note (where the paper original is kept, …)"), validators=[Optional(), Length(max=5000), no_nul])
    file = FileField(_l("File (PDF, JPG, PNG, DOCX or XLSX)"))


class EditForm(FlaskForm):
    version = versions.version_field()
    doc_type = SelectField(_l("Document type"), validators=[InputRequired(message=REQUIRED)])
    title = StringField(_l("Document title"), validators=[InputRequired(message=REQUIRED), Length(max=200), no_nul])
    dated_on = DateField(_l("Document date"), validators=[InputRequired(message=REQUIRED)])
    note = TextAreaField(_l("Note (where the paper original is kept, …)"), validators=[Optional(), Length(max=5000), no_nul])


class RemoveForm(FlaskForm):
    version = versions.version_field()
    reason = TextAreaField(_l("Why it is removed"), validators=[InputRequired(message=REQUIRED), Length(max=2000), no_nul])


def _archive(kind: str, raw_id, write: bool = False):
    return (access.member_archive if kind == "member" else access.person_archive)(raw_id, write=write)


def _url(kind: str, subject_id, suffix: str = "", **values) -> str:
    key, endpoint = ENDPOINTS[kind]
    return url_for(endpoint + suffix, **{key: subject_id}, **values)


def _urls(kind: str, subject_id):
    """The templates' ``url(suffix, **values)``: this archive's pages."""
    return lambda suffix="", **values: _url(kind, subject_id, suffix, **values)


def _type_choices() -> list[tuple[str, str]]:
    return list(document_types().items())


def _render(kind: str, subject: service.Subject, org: Organization, status: int = 200,
            form: DocumentForm | None = None):
    labels = document_types()
    documents = service.documents_of(subject)
    grouped = [(key, label, [d for d in documents if d.doc_type == key]) for key, label in labels.items()]
    grouped += [(d.doc_type, d.doc_type, [d]) for d in documents if d.doc_type not in labels]
    keeper = access.may_keep(org)
    if form is None and keeper:
        form = DocumentForm(formdata=None)
    if form is not None:
        form.doc_type.choices = _type_choices()
    return render_template(
        "web/archives/archive.html", kind=kind, subject=subject, org=org,
        checklist=service.completeness(subject), grouped=[g for g in grouped if g[2]],
        removed=service.documents_of(subject, removed=True) if keeper else [],
        letters=service.letters_of(subject.member_id), labels=labels, keeper=keeper, form=form,
        url=_urls(kind, subject.id),
        stages=service.STAGE_LABELS,
    ), status


def archive_page(kind: str, raw_id):
    subject, org = _archive(kind, raw_id)
    return _render(kind, subject, org)


def archive_upload(kind: str, raw_id):
    subject, org = _archive(kind, raw_id, write=True)
    form = DocumentForm()
    form.doc_type.choices = _type_choices()
    upload = form.file.data if getattr(form.file.data, "filename", None) else None
    if not form.validate():
        return _render(kind, subject, org, 422, form)
    if upload is None:
        form.file.errors = [*form.file.errors, gettext("Choose the file to file.")]
        return _render(kind, subject, org, 422, form)
    tenant_id = current_tenant_id()
    try:
        stored = files.store(tenant_id, upload.stream, upload.filename)
    except files.FileError as exc:
        show_errors(form, ApiError(exc.status, exc.reason, {"file": [exc.reason]}), MESSAGES)
        return _render(kind, subject, org, exc.status, form)
    data = {"doc_type": form.doc_type.data, "title": form.title.data, "dated_on": form.dated_on.data,
            "note": form.note.data}
    try:
        service.add_document(subject, data, stored)
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        files.discard(tenant_id, stored.name)
        if not isinstance(exc, ApiError) or exc.status in (403, 404):
            raise
        subject, org = _archive(kind, raw_id, write=True)
        show_errors(form, exc, MESSAGES)
        return _render(kind, subject, org, exc.status, form)
    flash(gettext("Filed in the archive: %(title)s.", title=data["title"]))
    refresh_warnings(org, ("archives.",))
    return redirect(_url(kind, subject.id))


def archive_file(kind: str, raw_id, document_id):
    subject, _org = _archive(kind, raw_id)
    row = access.document(subject, document_id)
    path = files.path_for(current_tenant_id(), row.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.original_name)


def _refused(form, exc: ApiError) -> int:
    """A correction or removal the service refused: rolled back, its errors on ``form`` (a
    stale ``version`` as the conflict notice); the status to answer. 403 and 404 propagate."""
    db.session.rollback()
    if exc.status in (403, 404):
        raise exc
    if versions.is_conflict(exc):
        versions.show_conflict(form)
    else:
        show_errors(form, exc, MESSAGES)
    return exc.status


def _edit_page(kind: str, subject, org, row, form, remove) -> str:
    """A document's page: the correction form and the removal form."""
    return render_template("web/archives/edit.html", kind=kind, subject=subject, org=org, row=row,
                           form=form, remove=remove,
                           url=_urls(kind, subject.id))


def archive_edit(kind: str, raw_id, document_id):
    subject, org = _archive(kind, raw_id, write=True)
    row = access.document(subject, document_id)
    form = EditForm(obj=row)
    form.doc_type.choices = _type_choices()
    status = 200
    if form.is_submitted():
        if form.validate():
            data = {"doc_type": form.doc_type.data, "title": form.title.data,
                    "dated_on": form.dated_on.data, "note": form.note.data}
            try:
                service.update_document(row, data, versions.read(form))
                db.session.commit()
            except ApiError as exc:
                status = _refused(form, exc)
            else:
                flash(gettext("The document is corrected."))
                return redirect(_url(kind, subject.id))
        else:
            status = 422
    else:
        form.version.data = row.version
    remove = RemoveForm(formdata=None, data={"version": row.version})
    return _edit_page(kind, subject, org, row, form, remove), status


def archive_remove(kind: str, raw_id, document_id):
    subject, org = _archive(kind, raw_id, write=True)
    row = access.document(subject, document_id)
    remove = RemoveForm()
    status = 422
    if remove.validate():
        try:
            service.remove_document(row, remove.reason.data, versions.read(remove))
            db.session.commit()
        except ApiError as exc:
            status = _refused(remove, exc)
            subject, org = _archive(kind, raw_id, write=True)
            row = access.document(subject, document_id)
        else:
            flash(gettext("Removed from the archive: %(title)s.", title=row.title))
            refresh_warnings(org, ("archives.",))
            return redirect(_url(kind, subject.id))
    form = EditForm(formdata=None, obj=row, data={"version": row.version})
    form.doc_type.choices = _type_choices()
    return _edit_page(kind, subject, org, row, form, remove), status


# -- the routes: a member's archive and a development person's -----------------------------------


@bp.route("/members/<member_id>/archive")
@page
def member_archive(member_id):
    """A member's archive: documents by type, the stage's checklist, the upload form."""
    return archive_page("member", member_id)


@bp.route("/members/<member_id>/archive", methods=["POST"])
@page
def member_archive_upload(member_id):
    return archive_upload("member", member_id)


@bp.route("/members/<member_id>/archive/<document_id>/file")
@page
def member_archive_file(member_id, document_id):
    return archive_file("member", member_id, document_id)


@bp.route("/members/<member_id>/archive/<document_id>/edit", methods=["GET", "POST"])
@page
def member_archive_edit(member_id, document_id):
    return archive_edit("member", member_id, document_id)


@bp.route("/members/<member_id>/archive/<document_id>/remove", methods=["POST"])
@page
def member_archive_remove(member_id, document_id):
    return archive_remove("member", member_id, document_id)


@bp.route("/work/development/<person_id>/archive")
@page
def member_archive_person(person_id):
    """An applicant's archive (their member's once admitted)."""
    return archive_page("person", person_id)


@bp.route("/work/development/<person_id>/archive", methods=["POST"])
@page
def member_archive_person_upload(person_id):
    return archive_upload("person", person_id)


@bp.route("/work/development/<person_id>/archive/<document_id>/file")
@page
def member_archive_person_file(person_id, document_id):
    return archive_file("person", person_id, document_id)


@bp.route("/work/development/<person_id>/archive/<document_id>/edit", methods=["GET", "POST"])
@page
def member_archive_person_edit(person_id, document_id):
    return archive_edit("person", person_id, document_id)


@bp.route("/work/development/<person_id>/archive/<document_id>/remove", methods=["POST"])
@page
def member_archive_person_remove(person_id, document_id):
    return archive_remove("person", person_id, document_id)


@bp.route("/archives")
@page
def member_archive_overview():
    """Completeness of the archives of a subtree (``?org=``, default the highest organisation
    the user sees): the share complete, by stage, and the incomplete ones with what they miss."""
    root = root_for_request()
    if root is None or not access.may_keep(root):
        abort(403, gettext("Archives need the branch secretary role or higher."))
    checked = service.evaluate(root, visible_orgs_clause())
    incomplete = [c for c in checked if not c.complete]
    names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_({c.org_id for c in incomplete}))).all()) if incomplete else {}
    incomplete.sort(key=lambda c: (names.get(c.org_id, ""), c.name, str(c.id)))
    return render_template(
        "web/archives/overview.html", root=root, figures=service.summary(checked),
        incomplete=incomplete[:INCOMPLETE_SHOWN], shown=INCOMPLETE_SHOWN, names=names,
        labels=document_types(), stages=service.STAGE_LABELS,
    )
