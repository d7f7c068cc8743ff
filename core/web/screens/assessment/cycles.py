"""The cycles (考核周期): the list with the form to open one, a cycle's page (state, the
run, results with filters, publish and reopen).

A run is the API's job (``assessment.run_cycle``): the page enqueues it and sends the user to
the job's progress page, which comes back here when it is over.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from core.api.errors import ApiError
from core.api.smorest import parse_id
from core.assessment import cycles as service
from core.assessment import lists
from core.assessment import standards as standard_service
from core.assessment.models.cycles import EVALUATED, OPEN, PUBLISHED
from core.assessment.plugin import RUN_JOB
from core.auth.permissions import has_role
from core.db import db
from core.jobs import service as jobs
from core.orgs import service as orgs
from core.web.blueprint import bp, page
from core.web.paging import PER_PAGE, paginate
from core.web.screens.assessment import queries
from core.web.screens.assessment.forms import ActionForm, CycleForm, ReopenForm, say, show_errors

STATE_LABELS = {OPEN: _l("Cycle not evaluated"), EVALUATED: _l("Cycle evaluated"), PUBLISHED: _l("Cycle published")}


def _int_arg(name: str, low: int, high: int) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


# -- the list and opening a cycle -------------------------------------------------------------


def _cycle_form() -> CycleForm:
    form = CycleForm()
    form.root_org_id.choices = [SelectChoice(str(o.id), o.name) for o in queries.assessable_roots()]
    form.root_org_id.validate_choice = False  # checked as the API checks it (404/403 apart)
    form.standard_ids.choices = [SelectChoice(str(s.id), s.name)
                                 for s in standard_service.list_standards(active_only=True)]
    return form


def _open(form: CycleForm):
    """Open the cycle as ``POST /api/v1/cycles`` does: an unseen root is a field error,
    a seen one without the role is 403."""
    parsed = parse_id(form.root_org_id.data)
    root = orgs.get(parsed) if parsed is not None else None
    if root is None or not has_role("member", root):
        raise ApiError(422, "Unknown organization.", {"root_org_id": ["Unknown organization."]})
    if not has_role(queries.ASSESSOR, root):
        abort(403, _("Opening a cycle needs the organisation manager role on that organisation."))
    return service.open_cycle(
        name=form.name.data.strip(), period=form.period.data, year=form.year.data,
        part=form.part.data, root_org=root, standard_ids=form.standard_ids.data or None,
    )


@bp.route("/cycles", methods=["GET", "POST"])
@page
def cycle_list():
    form = _cycle_form()
    may_open = has_role(queries.ASSESSOR)
    status = 200
    if request.method == "POST":
        if not may_open:
            abort(403, _("Opening a cycle needs the organisation manager role."))
        if form.validate_on_submit():
            try:
                cycle = _open(form)
                db.session.commit()
            except ApiError as exc:
                db.session.rollback()
                if exc.status not in (409, 422):
                    raise
                show_errors(form, exc)
                status = exc.status
            else:
                flash(_("The cycle is open: run it to compute the results."), "success")
                return redirect(url_for("web.cycle_page", cycle_id=cycle.id))
        else:
            status = 422
    listed = queries.visible_cycles(_int_arg("page", 1, 10**6) or 1, PER_PAGE)
    counts = queries.star_counts([c.id for c, _r, _a in listed.items],
                                 {c.id for c, _r, assessor in listed.items if not assessor})
    standards = queries.standard_names([c.id for c, _r, _a in listed.items])
    return render_template("web/cycles.html", cycles=listed, counts=counts, standards=standards, form=form,
                           may_open=may_open, state_labels=STATE_LABELS), status


# -- one cycle --------------------------------------------------------------------------------


def _filters(cycle, root, assessor):
    """The results' filters from the query string: ``stars`` (1–5) and ``org`` (a subtree
    of the cycle the user sees; anything else is 404, as for a page)."""
    stars = _int_arg("stars", 1, 5)
    under = None
    if request.args.get("org"):
        parsed = parse_id(request.args["org"])
        under = orgs.get(parsed) if parsed is not None else None
        if (under is None or not orgs.covers(root.path, under.path)
                or (not assessor and not has_role("member", under))):
            abort(404)
    return stars, under


def render_cycle(cycle_id, *, status: int = 200, reopen_form: ReopenForm | None = None,
                 error: str | None = None):
    """The cycle's page (also re-rendered by a refused action, with its error)."""
    cycle, root, assessor = queries.visible_cycle(cycle_id)
    stars, under = _filters(cycle, root, assessor)
    results = paginate(queries.results_select(queries.result_conditions(cycle, assessor, under, stars)),
                       scalars=False)
    pending = lists.count_pending_manual(cycle) if assessor and cycle.state == EVALUATED else 0
    return render_template(
        "web/cycle.html", cycle=cycle, root=root, assessor=assessor,
        shown=queries.present(cycle, root, assessor), results=results, stars=stars, under=under,
        groups=queries.group_choices(root, assessor), pending=pending,
        action=ActionForm(formdata=None, version=cycle.version),
        reopen_form=reopen_form or ReopenForm(formdata=None, version=cycle.version),
        error=error, state_labels=STATE_LABELS,
    ), status


@bp.route("/cycles/<cycle_id>")
@page
def cycle_page(cycle_id):
    return render_cycle(cycle_id)


def _version(form: ActionForm) -> int | None:
    try:
        return int(form.version.data) if form.version.data else None
    except ValueError:
        return -1  # never a version: the cycle is "changed since read"


@bp.route("/cycles/<cycle_id>/run", methods=["POST"])
@page
def cycle_run(cycle_id):
    """Start the run (the API's job) and follow it on the progress page."""
    cycle = queries.assessable_cycle(cycle_id)
    try:
        service.require_runnable(cycle)
        job = jobs.enqueue(RUN_JOB, cycle_id=str(cycle.id))
    except ApiError as exc:
        db.session.rollback()
        return render_cycle(cycle_id, status=exc.status, error=say(exc.message))
    back = url_for("web.cycle_page", cycle_id=cycle.id)
    return redirect(url_for("web.job_page", job_id=job.id, next=back))


@bp.route("/cycles/<cycle_id>/publish", methods=["POST"])
@page
def cycle_publish(cycle_id):
    cycle = queries.assessable_cycle(cycle_id)
    form = ActionForm()
    try:
        service.publish(cycle, _version(form))
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        return render_cycle(cycle_id, status=exc.status, error=say(exc.message))
    flash(_("Published: everyone concerned now sees the results."), "success")
    return redirect(url_for("web.cycle_page", cycle_id=cycle.id))


@bp.route("/cycles/<cycle_id>/reopen", methods=["POST"])
@page
def cycle_reopen(cycle_id):
    cycle = queries.assessable_cycle(cycle_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return render_cycle(cycle_id, status=422, reopen_form=form)
    try:
        service.reopen(cycle, form.reason.data, _version(form))
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status == 422:
            show_errors(form, exc)
            return render_cycle(cycle_id, status=422, reopen_form=form)
        return render_cycle(cycle_id, status=exc.status, error=say(exc.message))
    flash(_("Reopened for review: results can be changed and the cycle run again."), "success")
    return redirect(url_for("web.cycle_page", cycle_id=cycle.id))
