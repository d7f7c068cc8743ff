"""The assessors' review (审核): manual scores still missing, one organisation's result with
its explanation, and the decisions on it — a manual score, 加减分 and 一票否决.

Every decision is the service's (:mod:`core.assessment.cycles`), which recomputes the whole
cycle's stars and ranks at once; a refusal is shown beside the field it names (422) or above
the forms (409: a published cycle, a stale page).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from core.api.errors import ApiError
from core.api.smorest import parse_id
from core.assessment import cycles as service
from core.assessment import lists
from core.assessment.models.cycles import EVALUATED
from core.assessment.settings import current as assessment_settings
from core.db import db
from core.web import versions
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.screens.assessment import queries
from core.web.screens.assessment.forms import (
    ActionForm,
    AdjustmentForm,
    ManualForm,
    VetoForm,
    say,
    show_errors,
)
from core.web.screens.auth import safe_next

SCORINGS = ("threshold", "proportional", "checklist", "manual", "deduction")


@bp.route("/cycles/<cycle_id>/review")
@page
def cycle_review(cycle_id):
    """What still needs a manual score, page by page, each with a form to enter it."""
    cycle = queries.assessable_cycle(cycle_id)
    stmt = lists.pending_manual(cycle)
    pending = paginate(stmt, scalars=False) if stmt is not None and cycle.state == EVALUATED else None
    return render_template("web/cycle_review.html", cycle=cycle, pending=pending,
                           manual_items=lists.manual_items(cycle))


def parse_org_id(raw):
    parsed = parse_id(raw)
    if parsed is None:
        abort(404)
    return parsed


def _veto_form(form: VetoForm | None = None) -> VetoForm:
    form = form or VetoForm()
    form.reason.choices = [SelectChoice(r) for r in assessment_settings()["veto_reasons"]]
    return form


def render_result(cycle_id, org_id, *, status: int = 200, manual: tuple | None = None,
                  adjustment_form: AdjustmentForm | None = None, veto_form: VetoForm | None = None,
                  error: str | None = None):
    """One organisation's result explained; a refused decision re-renders it with the
    form that failed (``manual`` is ``(indicator_key, form)``)."""
    cycle, root, assessor = queries.visible_cycle(cycle_id)
    detail = queries.result_detail(cycle, assessor, org_id)
    entered = {m.indicator_key: m for m in detail["manual_scores"]}
    if veto_form is None:
        veto_form = VetoForm(formdata=None, data={"version": detail["veto"].version if detail["veto"] else 0})
    return render_template(
        "web/cycle_result.html", cycle=cycle, root=root, assessor=assessor, detail=detail,
        editable=assessor and cycle.state == EVALUATED, entered=entered,
        manual_key=manual[0] if manual else None, refused_manual=manual[1] if manual else None,
        adjustment_form=adjustment_form or AdjustmentForm(formdata=None),
        veto_form=_veto_form(veto_form),
        action=ActionForm(formdata=None), error=error, scorings=SCORINGS,
        back=safe_next(request.args.get("next"), fallback=None),
    ), status


@bp.route("/cycles/<cycle_id>/results/<org_id>")
@page
def cycle_result(cycle_id, org_id):
    return render_result(cycle_id, org_id)


def _done(cycle, org_id, message: str):
    flash(message, "success")
    fallback = url_for("web.cycle_result", cycle_id=cycle.id, org_id=org_id)
    return redirect(safe_next(request.args.get("next"), fallback=fallback))


def _refused(exc: ApiError, form, rerender):
    """A service refusal: beside the fields (422) or above the forms (409 …)."""
    db.session.rollback()
    if exc.status == 422 and form is not None:
        show_errors(form, exc)
        return rerender(status=422)
    if versions.is_conflict(exc) and form is not None:  # the input stays in the form
        versions.show_conflict(form)
        return rerender(status=409)
    if exc.status in (403, 404):
        raise exc
    return rerender(status=exc.status, error=say(exc.message))


@bp.route("/cycles/<cycle_id>/results/<org_id>/manual/<indicator_key>", methods=["POST"])
@page
def cycle_manual(cycle_id, org_id, indicator_key):
    cycle = queries.assessable_cycle(cycle_id)
    parsed = parse_org_id(org_id)
    item = next((i for i in service.items(cycle, parsed) if i.key == indicator_key), None)
    if item is None or item.scoring != "manual":
        abort(404)
    form = ManualForm(weight=item.weight)

    def rerender(status, error=None):
        return render_result(cycle_id, org_id, status=status, manual=(indicator_key, form), error=error)

    if not form.validate_on_submit():
        return rerender(422)
    try:
        service.set_manual_score(cycle, parsed, indicator_key, form.points.data, form.reason.data,
                                 expected_version=versions.read(form))
        db.session.commit()
    except ApiError as exc:
        return _refused(exc, form, rerender)
    return _done(cycle, parsed, _("Score saved: %(name)s.", name=item.name))


@bp.route("/cycles/<cycle_id>/results/<org_id>/adjustments", methods=["POST"])
@page
def cycle_adjustment_add(cycle_id, org_id):
    cycle = queries.assessable_cycle(cycle_id)
    parsed = parse_org_id(org_id)
    form = AdjustmentForm()

    def rerender(status, error=None):
        return render_result(cycle_id, org_id, status=status, adjustment_form=form, error=error)

    if not form.validate_on_submit():
        return rerender(422)
    try:
        service.add_adjustment(cycle, parsed, form.points.data, form.reason.data)
        db.session.commit()
    except ApiError as exc:
        return _refused(exc, form, rerender)
    return _done(cycle, parsed, _("Adjustment saved."))


@bp.route("/cycles/<cycle_id>/results/<org_id>/adjustments/<adjustment_id>/delete", methods=["POST"])
@page
def cycle_adjustment_delete(cycle_id, org_id, adjustment_id):
    cycle = queries.assessable_cycle(cycle_id)
    parsed = parse_org_id(org_id)
    try:
        service.delete_adjustment(cycle, parsed, adjustment_id)
        db.session.commit()
    except ApiError as exc:
        return _refused(exc, None, lambda status, error=None: render_result(
            cycle_id, org_id, status=status, error=error))
    return _done(cycle, parsed, _("Adjustment withdrawn."))


@bp.route("/cycles/<cycle_id>/results/<org_id>/veto", methods=["POST"])
@page
def cycle_veto(cycle_id, org_id):
    cycle = queries.assessable_cycle(cycle_id)
    parsed = parse_org_id(org_id)
    form = _veto_form()

    def rerender(status, error=None):
        return render_result(cycle_id, org_id, status=status, veto_form=form, error=error)

    if not form.validate_on_submit():
        return rerender(422)
    try:
        service.set_veto(cycle, parsed, form.reason.data, form.note.data,
                         expected_version=versions.read(form))
        db.session.commit()
    except ApiError as exc:
        return _refused(exc, form, rerender)
    return _done(cycle, parsed, _("Veto recorded."))


@bp.route("/cycles/<cycle_id>/results/<org_id>/veto/delete", methods=["POST"])
@page
def cycle_veto_clear(cycle_id, org_id):
    cycle = queries.assessable_cycle(cycle_id)
    parsed = parse_org_id(org_id)
    try:
        service.clear_veto(cycle, parsed)
        db.session.commit()
    except ApiError as exc:
        return _refused(exc, None, lambda status, error=None: render_result(
            cycle_id, org_id, status=status, error=error))
    return _done(cycle, parsed, _("Veto lifted."))
