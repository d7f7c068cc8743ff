"""The secretaries' yearly review (书记抓基层党建述职评议考核) in the browser: the list of
cycles (and opening one), a cycle's page (its entries with state and grade; moving it on,
publishing a subtree) and an entry's page (the report, the items, attachments, the rating
form and the grade's breakdown).

The pages call :mod:`core.reviews.service` exactly as the API does (``core/reviews/api.py``):
who may do what is the service's rule; a refusal it raises (409/422) is shown above the
form it came from, 403/404 as the error page. Each form is shown only when the cycle's state
and the user's roles allow it.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from core import files
from core.api.errors import ApiError
from core.api.smorest import parse_id
from core.auth.permissions import has_role, visible_orgs_clause
from core.db import db
from core.orgs import service as orgs
from core.reviews import service
from core.reviews.models import (
    ASSIGNED,
    CYCLE_STATE_LABELS,
    ENTRY_STATE_LABELS,
    ITEM_KIND_LABELS,
    NEXT,
    OPEN,
    PUBLISHED,
    RATER_GROUP_LABELS,
    RATER_GROUPS,
    RATING,
    RATING_LABELS,
    RATINGS,
    REPORTING,
    ReviewCycle,
    ReviewEntry,
)
from core.tenancy import current_tenant_id
from core.web import service_errors
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.screens.reviews import forms


def _cycle(cycle_id) -> ReviewCycle:
    cycle = service.seen_cycle(parse_id(cycle_id))
    if cycle is None:
        abort(404)
    return cycle


def _entry(entry_id):
    found = service.seen_entry(parse_id(entry_id))
    if found is None:
        abort(404)
    return found


def _refused(exc: ApiError) -> list[str]:
    """The service's refusal for people: its sentence (the services word them in Chinese)."""
    if exc.status in (403, 404):
        raise exc
    return [service_errors.translate(exc.message)]


# -- the list ----------------------------------------------------------------------------------


def _list_page(new_form, status: int = 200):
    filters = forms.ReviewFilterForm(request.args)
    valid = filters.validate()
    found = None
    if valid:
        found = paginate(service.search(visible_orgs_clause(), year=filters.year.data,
                                        state=filters.state.data or None), scalars=False)
    return render_template("web/reviews/list.html", filters=filters, page=found, new_form=new_form,
                           has_role=has_role,
                           may_open=has_role("org_manager"), state_labels=CYCLE_STATE_LABELS), \
        (status if valid else 422)


@bp.route("/reviews")
@page
def review_list():
    new_form = forms.ReviewCycleForm(formdata=None, data={"year": date.today().year})
    return _list_page(new_form)


@bp.route("/reviews", methods=["POST"])
@page
def review_open():
    if not has_role("org_manager"):
        abort(403, _("Opening a review needs the organisation manager role."))
    form = forms.ReviewCycleForm()
    if not form.validate():
        return _list_page(form, 422)
    root = orgs.by_code(form.org_code.data.strip())
    if root is None or not has_role("member", root):
        form.org_code.errors = [_("No organisation with this code that you can see.")]
        return _list_page(form, 422)
    if not has_role("org_manager", root):
        abort(403, _("Opening a review needs the organisation manager role."))
    try:
        cycle = service.open_cycle(root, form.year.data, form.name.data or None)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        form.form_errors.extend(_refused(exc))
        return _list_page(form, exc.status)
    flash(_("The review is opened."), "success")
    return redirect(url_for("web.review_cycle", cycle_id=cycle.id))


# -- a cycle -----------------------------------------------------------------------------------


def _publishable(cycle: ReviewCycle, rows) -> list[tuple[str, str]]:
    """The organisations whose subtree the user may publish: the root and the reviewed
    organisations they manage that have entries below them."""
    root = service.root_of(cycle)
    candidates = [root] + [org for _entry, org in rows]
    choices = []
    for org in candidates:
        if has_role("org_manager", org) and any(
                o.id != org.id and orgs.covers(org.path, o.path) and e.status != PUBLISHED for e, o in rows):
            choices.append((str(org.id), org.name))
    return choices


def _render_cycle(cycle: ReviewCycle, status: int = 200, **bound):
    rows = service.entries_of(cycle, visible=visible_orgs_clause())
    counts = service.item_counts([e.id for e, _ in rows])
    publish_form = bound.get("publish") or forms.ReviewPublishForm(formdata=None, data={"version": cycle.version})
    publish_form.org.choices = _publishable(cycle, rows)
    step_form = bound.get("step") or forms.ReviewStepForm(formdata=None, data={"version": cycle.version})
    return render_template(
        "web/reviews/cycle.html", cycle=cycle, root=service.root_of(cycle), rows=rows, counts=counts,
        root_seen=has_role("member", service.root_of(cycle)), secretaries=service.secretary_names(rows),
        may_manage=service.may_manage(cycle), publish_form=publish_form, step_form=step_form,
        state_labels=CYCLE_STATE_LABELS, entry_labels=ENTRY_STATE_LABELS, grade_labels=RATING_LABELS,
    ), status


@bp.route("/reviews/<cycle_id>")
@page
def review_cycle(cycle_id):
    return _render_cycle(_cycle(cycle_id))


@bp.route("/reviews/<cycle_id>/advance", methods=["POST"])
@page
def review_advance(cycle_id):
    cycle = _cycle(cycle_id)
    if not service.may_manage(cycle):
        abort(403, _("This needs the organisation manager role on the review's organisation."))
    form = forms.ReviewStepForm()
    if not form.validate():
        abort(400)
    try:
        service.advance(cycle, _version(form))
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        form.form_errors.extend(_refused(exc))
        return _render_cycle(_cycle(cycle_id), exc.status, step=form)
    flash(_("The review moved on to: %(state)s", state=CYCLE_STATE_LABELS[cycle.state]), "success")
    return redirect(url_for("web.review_cycle", cycle_id=cycle.id))


@bp.route("/reviews/<cycle_id>/publish", methods=["POST"])
@page
def review_publish(cycle_id):
    cycle = _cycle(cycle_id)
    if not has_role("org_manager"):
        abort(403, _("This needs the organisation manager role on the review's organisation."))
    form = forms.ReviewPublishForm()
    form.org.choices = _publishable(cycle, service.entries_of(cycle, visible=visible_orgs_clause()))
    if not form.validate():
        return _render_cycle(cycle, 422, publish=form)
    root = orgs.get(parse_id(form.org.data))
    if root is None or not has_role("org_manager", root):
        abort(403)
    try:
        service.publish(cycle, root, _version(form))
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        form.form_errors.extend(_refused(exc))
        return _render_cycle(_cycle(cycle_id), exc.status, publish=form)
    flash(_("The results are published."), "success")
    return redirect(url_for("web.review_cycle", cycle_id=cycle_id))


def _version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


# -- an entry ----------------------------------------------------------------------------------


def _render_entry(entry: ReviewEntry, org, cycle: ReviewCycle, status: int = 200, **bound):
    items = service.items_of(entry)
    secretary = service.may_report(entry, org)
    above = service.is_level_above(org)
    writable = cycle.state in (OPEN, REPORTING) and entry.status == "draft"
    group = service.rater_group(entry, org)
    mine = service.own_rating(entry)
    item_form = bound.get("item") or forms.ReviewItemForm(formdata=None)
    kinds = []
    if above and cycle.state in (OPEN, REPORTING):
        kinds.append(ASSIGNED)
    if secretary and writable:
        kinds += ["commitment", NEXT]
    item_form.kind.choices = [(k, ITEM_KIND_LABELS[k]) for k in kinds]
    outcome_forms = {i.id: forms.ReviewItemOutcomeForm(
        formdata=None, prefix=f"item-{i.id.hex}",
        data={"version": i.version, "done": {True: "yes", False: "no"}.get(i.done, ""), "note": i.note})
        for i in items if i.kind != NEXT}
    deletable = {i.id for i in items if i.carried_from_id is None and (
        (i.kind == ASSIGNED and above and cycle.state in (OPEN, REPORTING) and entry.status == "draft")
        or (i.kind != ASSIGNED and secretary and writable))}
    summary = service.rating_summary(entry)
    return render_template(
        "web/reviews/entry.html", entry=entry, org=org, cycle=cycle, items=items,
        secretary=service.secretary_names([(entry, org)]).get(entry.id),
        attachments=service.attachments_of(entry), summary=summary,
        rater_groups=RATER_GROUPS, group_labels=RATER_GROUP_LABELS, ratings=RATINGS,
        grade_labels=RATING_LABELS, kind_labels=ITEM_KIND_LABELS, entry_labels=ENTRY_STATE_LABELS,
        state_labels=CYCLE_STATE_LABELS,
        may={"report": secretary and writable, "items": bool(kinds), "outcome": secretary and writable,
             "attach": secretary and writable,
             "rate": group is not None and cycle.state == RATING and entry.status != PUBLISHED},
        my_group=group, my_rating=mine,
        report_form=bound.get("report") or forms.ReviewReportForm(
            formdata=None, data={"version": entry.version, "report": entry.report}),
        item_form=item_form, outcome_forms=outcome_forms,
        attach_form=bound.get("attach") or forms.ReviewAttachmentForm(formdata=None),
        rating_form=bound.get("rating") or forms.ReviewRatingForm(
            formdata=None, data={"version": mine.version if mine else 0,
                                 "rating": mine.rating if mine else None,
                                 "comment": mine.comment if mine else None}),
        delete_form=forms.ReviewDeleteForm(formdata=None), deletable=deletable,
        errors=bound.get("errors") or [],
    ), status


@bp.route("/reviews/entries/<entry_id>")
@page
def review_entry(entry_id):
    return _render_entry(*_entry(entry_id))


def _back(entry_id, message: str):
    flash(message, "success")
    return redirect(url_for("web.review_entry", entry_id=entry_id))


def _run(entry_id, name: str, form, action):
    """Run ``action(entry, org, cycle)`` for a valid ``form``; on a refusal the page again,
    the form keeping its input and the refusal above it."""
    entry, org, cycle = _entry(entry_id)
    if not form.validate():
        return _render_entry(entry, org, cycle, 422, **{name: form})
    try:
        action(entry, org, cycle)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        messages = _refused(exc)
        entry, org, cycle = _entry(entry_id)
        if name in ("item", "report", "rating", "attach"):
            form.form_errors.extend(messages)
            return _render_entry(entry, org, cycle, exc.status, **{name: form})
        return _render_entry(entry, org, cycle, exc.status, errors=messages)
    return None


@bp.route("/reviews/entries/<entry_id>/report", methods=["POST"])
@page
def review_report(entry_id):
    form = forms.ReviewReportForm()
    submit = request.form.get("action") == "submit"

    def act(entry, org, cycle):
        if not service.may_report(entry, org):
            abort(403, _("The report is written by the organisation's secretary."))
        if submit:
            service.submit_report(entry, cycle, form.report.data, _version(form))
        else:
            service.write_report(entry, cycle, form.report.data, _version(form))

    refused = _run(entry_id, "report", form, act)
    return refused or _back(entry_id, _("The report is submitted.") if submit else _("The report is saved."))


@bp.route("/reviews/entries/<entry_id>/items", methods=["POST"])
@page
def review_item_add(entry_id):
    form = forms.ReviewItemForm()
    form.kind.choices = [(k, v) for k, v in ITEM_KIND_LABELS.items()]
    refused = _run(entry_id, "item", form, lambda e, o, c: service.add_item(
        e, o, c, form.kind.data, form.title.data))
    return refused or _back(entry_id, _("The item is added."))


@bp.route("/reviews/entries/<entry_id>/items/<item_id>", methods=["POST"])
@page
def review_item_outcome(entry_id, item_id):
    parsed = parse_id(item_id)
    form = forms.ReviewItemOutcomeForm(prefix=f"item-{parsed.hex}" if parsed else "item")

    def act(entry, org, cycle):
        item = service.get_item(parsed) if parsed is not None else None
        if item is None or item.entry_id != entry.id:
            abort(404)
        if not service.may_report(entry, org):
            abort(403, _("The report is written by the organisation's secretary."))
        done = {"yes": True, "no": False}.get(form.done.data or "")
        service.update_item(item, entry, org, cycle, {"done": done, "note": form.note.data or None},
                            _version(form))

    refused = _run(entry_id, "outcome", form, act)
    return refused or _back(entry_id, _("The item's outcome is saved."))


@bp.route("/reviews/entries/<entry_id>/items/<item_id>/delete", methods=["POST"])
@page
def review_item_delete(entry_id, item_id):
    form = forms.ReviewDeleteForm()
    parsed = parse_id(item_id)

    def act(entry, org, cycle):
        item = service.get_item(parsed) if parsed is not None else None
        if item is None or item.entry_id != entry.id:
            abort(404)
        service.delete_item(item, entry, org, cycle)

    refused = _run(entry_id, "delete", form, act)
    return refused or _back(entry_id, _("The item is removed."))


@bp.route("/reviews/entries/<entry_id>/rating", methods=["POST"])
@page
def review_rate(entry_id):
    form = forms.ReviewRatingForm()
    refused = _run(entry_id, "rating", form, lambda e, o, c: service.rate(
        e, o, c, form.rating.data, form.comment.data or None, _version(form)))
    return refused or _back(entry_id, _("Your rating is saved."))


@bp.route("/reviews/entries/<entry_id>/attachments", methods=["POST"])
@page
def review_attachment_add(entry_id):
    """Attach a file: checked by content and size (:mod:`core.files`), discarded again if
    the record cannot be written."""
    entry, org, cycle = _entry(entry_id)
    if not service.may_report(entry, org):
        abort(403, _("The report is written by the organisation's secretary."))
    form = forms.ReviewAttachmentForm()
    upload = form.file.data if getattr(form.file.data, "filename", None) else None
    if not form.validate() or upload is None:
        if upload is None:
            form.file.errors = [*form.file.errors, _("Choose a file.")]
        return _render_entry(entry, org, cycle, 422, attach=form)
    tenant_id = current_tenant_id()
    try:
        stored = files.store(tenant_id, upload.stream, upload.filename)
    except files.FileError as exc:
        form.file.errors = [*form.file.errors, exc.reason]
        return _render_entry(entry, org, cycle, exc.status, attach=form)
    try:
        service.add_attachment(entry, cycle, stored)
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        files.discard(tenant_id, stored.name)
        if not isinstance(exc, ApiError) or exc.status in (403, 404):
            raise
        entry, org, cycle = _entry(entry_id)
        form.form_errors.extend(_refused(exc))
        return _render_entry(entry, org, cycle, exc.status, attach=form)
    return _back(entry_id, _("The file is attached."))


def _attachment(entry, attachment_id):
    parsed = parse_id(attachment_id)
    row = service.get_attachment(entry, parsed) if parsed is not None else None
    if row is None:
        abort(404)
    return row


@bp.route("/reviews/entries/<entry_id>/attachments/<attachment_id>")
@page
def review_attachment(entry_id, attachment_id):
    entry, _org, _cycle = _entry(entry_id)
    row = _attachment(entry, attachment_id)
    path = files.path_for(current_tenant_id(), row.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.original_name)


@bp.route("/reviews/entries/<entry_id>/attachments/<attachment_id>/delete", methods=["POST"])
@page
def review_attachment_delete(entry_id, attachment_id):
    entry, org, cycle = _entry(entry_id)
    if not service.may_report(entry, org):
        abort(403, _("The report is written by the organisation's secretary."))
    form = forms.ReviewDeleteForm()
    if not form.validate():
        abort(400)
    row = _attachment(entry, attachment_id)
    try:
        name = service.remove_attachment(entry, cycle, row)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        return _render_entry(*_entry(entry_id), exc.status, errors=_refused(exc))
    files.discard(current_tenant_id(), name)
    return _back(entry_id, _("The file is removed."))
