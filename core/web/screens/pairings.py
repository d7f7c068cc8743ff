"""Pairing (双联结对共建) in the browser: the list of pairings with its subtree filter, arranging
a pairing, one pairing's page with its agreed tasks and joint activities and their forms, and
the coverage and activity figures of a subtree.

The pages call :mod:`core.pairings.service` as the API does (``core/pairings/api.py``), with
the same rules: a pairing is seen by whoever sees either side; tasks and activities are
recorded by a ``branch_secretary`` of either side; arranging and dissolving need that role on
both. A refusal of the service is shown beside the field it names (409/422), or as the error
page (403/404).
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.api.errors import ApiError
from core.api.smorest import parse_id
from core.auth.permissions import has_role, visible_orgs_clause
from core.db import db
from core.db.versioning import check_version
from core.life.models import KIND_LABELS as MEETING_KIND_LABELS
from core.orgs.service import subtree_filter
from core.pairings import figures, queries, service
from core.pairings.models import (
    ACTIVE,
    ACTIVITY_KIND_LABELS,
    ACTIVITY_KINDS,
    STATUS_LABELS,
    STATUSES,
)
from core.pairings.settings import settings as pairing_settings
from core.web import service_errors, versions
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.scope import filtered_root, org_by_code
from core.web.screens.work.common import refresh_warnings
from core.web.service_errors import MessageTable

ANY = ("", _l("All"))
ROLE = queries.WRITER

MESSAGES = MessageTable(
    patterns=[
        (r"Its 党组织类别 \((?P<code>[^)]*)\) is not one this side takes \((?P<codes>[^)]*)\)\.",
         _l("Its Party organisation category (%(code)s) cannot stand on this side of a pairing "
            "(allowed: %(codes)s).")),
        (r"The organization is (?P<status>\w+)\.", _l("The organisation is no longer active.")),
        (r"Must not be after the first joint activity \((?P<day>[^)]*)\)\.",
         _l("Must not be after the first joint activity (%(day)s).")),
        (r"The meeting was held on (?P<day>[\d-]+), not on the activity's day\.",
         _l("That meeting was held on %(day)s, not on the day of the activity.")),
    ],
    exact={
        service.PAIR_TAKEN: _l("These two organisations are already paired."),
        "A Party group (党小组) is not paired; pair its branch.":
            _l("A Party group is not paired; pair its branch instead."),
        "An organisation is not paired with itself.": _l("An organisation is not paired with itself."),
        "Must not be in the future.": _l("The day must not be in the future."),
        "Say why the pairing ends.": _l("Say why the pairing ends."),
        "Must not be before the pairing started.": _l("Must not be before the pairing started."),
        "Must not be after the pairing was dissolved.": _l("Must not be after the pairing was dissolved."),
        "Must not be after the day it was dissolved.": _l("Must not be after the pairing was dissolved."),
        "The pairing is already dissolved.": _l("The pairing is already dissolved."),
        "A dissolved pairing takes no new tasks.": _l("A dissolved pairing takes no new tasks or activities."),
        "A dissolved pairing takes no new activities.": _l("A dissolved pairing takes no new tasks or activities."),
        "Only a task done has the day it was done.": _l("Only a task done has the day it was done."),
        "Field may not be blank.": _l("Please give a title or topic."),
        "Must be a meeting held by one of the two paired organisations.":
            _l("Choose a meeting held by one of the two paired organisations."),
        "A talk (谈心谈话) is not a joint org-life meeting.": _l("A talk is not a joint org-life meeting."),
        "Another joint activity already records this meeting.":
            _l("Another joint activity already records this meeting."),
        "An activity recorded as an org-life meeting is a joint_meeting.":
            _l("An activity recorded as an org-life meeting is of the kind joint org-life meeting."),
    },
)


def _show(form, exc: ApiError, aliases: dict | None = None) -> None:
    service_errors.show_errors(form, exc, MESSAGES, fields=aliases)


def require_role() -> None:
    """The pairing pages are for branch secretaries and above (anywhere in the tenant)."""
    if not has_role(ROLE):
        abort(403, _("This page needs the branch secretary role or higher."))


# -- forms -------------------------------------------------------------------------------------


class PairingFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Pairing state"), choices=[ANY, *((s, STATUS_LABELS[s]) for s in STATUSES)],
                         validators=[Optional()])
    code = StringField(_l("Organisation code (with the organisations below)"),
                       validators=[Optional(), Length(max=64)])


class FiguresForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(_l("Organisation code (with the organisations below)"),
                       validators=[Optional(), Length(max=64)])
    months = IntegerField(_l("Activity window (months)"), validators=[Optional(), NumberRange(min=1, max=36)])


class PairingForm(FlaskForm):
    org_code = StringField(_l("Organ, SOE or enterprise organisation (code)"),
                           validators=[DataRequired(), Length(max=64)])
    partner_code = StringField(_l("Village or community organisation (code)"),
                               validators=[DataRequired(), Length(max=64)])
    started_on = DateField(_l("Paired since"), validators=[Optional()])
    goals = TextAreaField(_l("Goals of the pairing"), validators=[Optional(), Length(max=10_000)])
    contact = StringField(_l("Liaison"), validators=[Optional(), Length(max=50)])


class PairingEditForm(FlaskForm):
    version = versions.version_field()
    started_on = DateField(_l("Paired since"), validators=[InputRequired()])
    goals = TextAreaField(_l("Goals of the pairing"), validators=[Optional(), Length(max=10_000)])
    contact = StringField(_l("Liaison"), validators=[Optional(), Length(max=50)])


class DissolveForm(FlaskForm):
    version = versions.version_field()
    ended_on = DateField(_l("Dissolved on"), validators=[Optional()])
    end_reason = TextAreaField(_l("Why the pairing ends"), validators=[DataRequired(), Length(max=2000)])


class TaskForm(FlaskForm):
    title = StringField(_l("Agreed task"), validators=[DataRequired(), Length(max=200)])
    due_on = DateField(_l("Task due on"), validators=[Optional()])


class TaskDoneForm(FlaskForm):
    version = versions.version_field()
    done = BooleanField(_l("Done"))
    done_on = DateField(_l("Done on"), validators=[Optional()])
    result = TextAreaField(_l("Result of the task"), validators=[Optional(), Length(max=10_000)])


class ActivityForm(FlaskForm):
    held_on = DateField(_l("Held on"), validators=[InputRequired()])
    kind = SelectField(_l("Kind of activity"), choices=[(k, ACTIVITY_KIND_LABELS[k]) for k in ACTIVITY_KINDS])
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=300)])
    org_participants = IntegerField(_l("Participants of the organ, SOE or enterprise"), default=0,
                                    validators=[Optional(), NumberRange(min=0, max=100_000)])
    partner_participants = IntegerField(_l("Participants of the village or community"), default=0,
                                        validators=[Optional(), NumberRange(min=0, max=100_000)])
    participants_note = TextAreaField(_l("Who took part"), validators=[Optional(), Length(max=10_000)])
    results = TextAreaField(_l("Results of the activity"), validators=[Optional(), Length(max=10_000)])
    meeting_id = SelectField(_l("Recorded as the org-life meeting"), choices=[], validate_choice=False,
                             validators=[Optional()])


class DeleteForm(FlaskForm):
    target = HiddenField()


# -- the list ----------------------------------------------------------------------------------


@bp.route("/pairings")
@page
def pairing_list():
    require_role()
    form = PairingFilterForm(request.args)
    root, status = filtered_root(form)
    page_, rows = None, []
    if status == 200:
        page_ = paginate(queries.search(root, form.status.data or None), scalars=False)
        rows = queries.present_rows(page_.items)
    return render_template("web/pairings/list.html", form=form, page=page_, rows=rows, root=root,
                           may_arrange=has_role(ROLE)), status


@bp.route("/pairings/new", methods=["GET", "POST"])
@page
def pairing_new():
    require_role()
    form = PairingForm()
    if request.method == "GET":
        return render_template("web/pairings/form.html", form=form)
    if not form.validate():
        return render_template("web/pairings/form.html", form=form), 422
    org, partner = org_by_code(form.org_code.data), org_by_code(form.partner_code.data)
    for field, found in ((form.org_code, org), (form.partner_code, partner)):
        if found is None:
            field.errors = [_("No organisation with this code that you can see.")]
    if org is None or partner is None:
        return render_template("web/pairings/form.html", form=form), 422
    if not queries.may_arrange(org, partner):
        abort(403, _("Arranging a pairing needs the branch secretary role on both organisations."))
    try:
        pairing = service.create(org, partner, {"started_on": form.started_on.data,
                                                "goals": (form.goals.data or "").strip() or None,
                                                "contact": (form.contact.data or "").strip() or None})
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        _show(form, exc, {"org_id": "org_code", "partner_org_id": "partner_code"})
        return render_template("web/pairings/form.html", form=form), exc.status
    flash(_("The pairing is recorded."), "success")
    return redirect(url_for("web.pairing_page", pairing_id=pairing.id))


# -- one pairing -------------------------------------------------------------------------------


def _meeting_choices(pairing, org, partner) -> list[tuple[str, str]]:
    names = {org.id: org.name, partner.id: partner.name}
    choices = [("", _("Not an org-life meeting"))]
    for meeting in service.meeting_choices(pairing):
        label = f"{meeting.held_on} {names.get(meeting.org_id, '')} " \
                f"{MEETING_KIND_LABELS.get(meeting.kind, meeting.kind)}：{meeting.topic}"
        choices.append((str(meeting.id), label))
    return choices


def _render(pairing, org, partner, status: int = 200, **bound):
    detail = queries.detail(pairing, org, partner)
    activity = bound.get("activity") or ActivityForm(formdata=None, prefix="activity",
                                                     data={"held_on": date.today()})
    activity.meeting_id.choices = _meeting_choices(pairing, org, partner)
    page_forms = {
        "edit": PairingEditForm(formdata=None, prefix="edit", data={
            "version": pairing.version, "started_on": pairing.started_on, "goals": pairing.goals,
            "contact": pairing.contact}),
        "dissolve": DissolveForm(formdata=None, prefix="dissolve", data={"version": pairing.version}),
        "task": TaskForm(formdata=None, prefix="task"),
        "delete": DeleteForm(formdata=None),
        **bound, "activity": activity,
    }
    done_forms = {t["id"]: TaskDoneForm(formdata=None, prefix=f"t{t['id'].hex}", data={
        "version": t["version"], "done": t["done"], "done_on": t["done_on"], "result": t["result"]})
        for t in detail["task_list"]}
    if "done" in bound:
        done_forms[bound["done_id"]] = bound["done"]
    active = pairing.status == ACTIVE
    return render_template(
        "web/pairings/page.html", pairing=detail, org=org, partner=partner, forms=page_forms,
        done_forms=done_forms, may_write=active and queries.may_write(org, partner),
        may_arrange=active and queries.may_arrange(org, partner), today=date.today(),
    ), status


@bp.route("/pairings/<pairing_id>")
@page
def pairing_page(pairing_id):
    require_role()
    return _render(*queries.visible_pairing(pairing_id))


def _write(pairing_id, name: str, form_class, action, *, arrange: bool = False, message: str, after=None,
           **prefix):
    """Run ``action(pairing, form)`` from its form (then ``after(pairing, org, partner)``, once
    committed); on a refusal the page again with the service's errors beside the form's fields."""
    require_role()
    pairing, org, partner = queries.visible_pairing(pairing_id, "member" if arrange else ROLE)
    if arrange and not queries.may_arrange(org, partner):
        abort(403, _("Arranging a pairing needs the branch secretary role on both organisations."))
    form = form_class(prefix=prefix.get("prefix", name))
    if name == "activity":
        form.meeting_id.choices = _meeting_choices(pairing, org, partner)
    extra = prefix.get("bound", {})
    if not form.validate():
        return _render(pairing, org, partner, 422, **{name: form}, **extra)
    try:
        action(pairing, form)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        pairing, org, partner = queries.visible_pairing(pairing_id)
        if versions.is_conflict(exc):
            versions.show_conflict(form)
        else:
            _show(form, exc)
        return _render(pairing, org, partner, exc.status, **{name: form}, **extra)
    flash(message, "success")
    if after is not None:
        after(pairing, org, partner)
    return redirect(url_for("web.pairing_page", pairing_id=pairing.id))


def _refresh_after_activity(pairing, org, partner) -> None:
    """The idle warning of the initiating side clears at once; a joint meeting may clear the
    partner's organisational-life warnings (and the host's)."""
    refresh_warnings(org, prefixes=("pairings.", "life."))
    refresh_warnings(partner, prefixes=("life.",))


@bp.route("/pairings/<pairing_id>/edit", methods=["POST"])
@page
def pairing_edit(pairing_id):
    def action(pairing, form):
        check_version(pairing, versions.read(form), "pairing")
        service.update(pairing, {"started_on": form.started_on.data,
                                 "goals": (form.goals.data or "").strip() or None,
                                 "contact": (form.contact.data or "").strip() or None})

    return _write(pairing_id, "edit", PairingEditForm, action, message=_("The pairing is saved."))


@bp.route("/pairings/<pairing_id>/dissolve", methods=["POST"])
@page
def pairing_dissolve(pairing_id):
    def action(pairing, form):
        check_version(pairing, versions.read(form), "pairing")
        service.dissolve(pairing, form.ended_on.data, form.end_reason.data)

    return _write(pairing_id, "dissolve", DissolveForm, action, arrange=True,
                  message=_("The pairing is dissolved; it stays in the history."))


@bp.route("/pairings/<pairing_id>/tasks", methods=["POST"])
@page
def pairing_task_add(pairing_id):
    return _write(pairing_id, "task", TaskForm, lambda p, f: service.add_task(
        p, {"title": f.title.data, "due_on": f.due_on.data}), message=_("The task is added."))


@bp.route("/pairings/<pairing_id>/tasks/<task_id>", methods=["POST"])
@page
def pairing_task_update(pairing_id, task_id):
    require_role()
    pairing, _org, _partner = queries.visible_pairing(pairing_id, ROLE)
    parsed = parse_id(task_id)
    task = service.get_task(pairing, parsed) if parsed is not None else None
    if task is None:
        abort(404)
    prefix = f"t{task.id.hex}"

    def action(pairing, form):
        check_version(task, versions.read(form), "task")
        service.update_task(task, pairing, {
            "done": form.done.data, "done_on": form.done_on.data if form.done.data else None,
            "result": (form.result.data or "").strip() or None})

    return _write(pairing_id, "done", TaskDoneForm, action, prefix=prefix,
                  bound={"done_id": task.id}, message=_("The task is saved."))


@bp.route("/pairings/<pairing_id>/activities", methods=["POST"])
@page
def pairing_activity_add(pairing_id):
    def action(pairing, form):
        service.add_activity(pairing, {
            "held_on": form.held_on.data, "kind": form.kind.data, "topic": form.topic.data,
            "org_participants": form.org_participants.data or 0,
            "partner_participants": form.partner_participants.data or 0,
            "participants_note": (form.participants_note.data or "").strip() or None,
            "results": (form.results.data or "").strip() or None,
            "meeting_id": _meeting_id(form.meeting_id.data)})

    return _write(pairing_id, "activity", ActivityForm, action, message=_("The joint activity is recorded."),
                  after=_refresh_after_activity)


def _meeting_id(raw):
    if not raw:
        return None
    parsed = parse_id(raw)
    if parsed is None:
        raise ApiError(422, "meeting_id: Must be a meeting held by one of the two paired organisations.",
                       {"meeting_id": ["Must be a meeting held by one of the two paired organisations."]})
    return parsed


@bp.route("/pairings/<pairing_id>/activities/<activity_id>/delete", methods=["POST"])
@page
def pairing_activity_delete(pairing_id, activity_id):
    require_role()
    pairing, _org, _partner = queries.visible_pairing(pairing_id, ROLE)
    form = DeleteForm()
    if not form.validate():
        abort(400)
    parsed = parse_id(activity_id)
    activity = service.get_activity(pairing, parsed) if parsed is not None else None
    if activity is None:
        abort(404)
    service.delete_activity(activity)
    db.session.commit()
    flash(_("The joint activity is removed."), "success")
    return redirect(url_for("web.pairing_page", pairing_id=pairing.id))


# -- figures -----------------------------------------------------------------------------------


@bp.route("/pairings/figures")
@page
def pairing_figures():
    require_role()
    form = FiguresForm(request.args)
    root, status = filtered_root(form)
    found = None
    if status == 200:
        scope = visible_orgs_clause()
        if root is not None:
            scope = scope & subtree_filter(root.path)
        found = figures.figures(scope, date.today(), form.months.data or pairing_settings()["figure_months"])
    return render_template("web/pairings/figures.html", form=form, figures=found, root=root), status
