"""Model sites (示范点, 百佳示范单位) in the browser: the applications list with its filters,
applying (one answer per criterion of the tenant), one application's page with the workflow
buttons the state and the user's roles allow (review, notice and objections, award, yearly
re-review, withdrawal) and the organisation's history; opening a year's re-reviews."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from core.api.errors import ApiError
from core.auth.permissions import has_role, visible_orgs_clause, visible_record
from core.brands import service
from core.brands.models import (
    APPLIED,
    AWARDED,
    EVENT_LABELS,
    LEVEL_LABELS,
    NOTICE,
    OBJECTION_LABELS,
    OPEN_OBJECTION,
    REVIEW_STATUS_LABELS,
    STATUS_LABELS,
    ModelSite,
)
from core.brands.settings import settings
from core.db import db
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.scope import filtered_root, org_by_code
from core.web.screens.brands import forms
from core.web.screens.brands.library import show_errors


def _site(site_id):
    return visible_record(ModelSite, site_id, "model site")


@bp.route("/brands/model-sites")
@page
def brand_sites():
    form = forms.SiteFilterForm(request.args)
    root, status = filtered_root(form)
    page_ = None
    if status == 200:
        stmt = service.search_sites(visible_orgs_clause(), root=root, status=form.status.data or None,
                                    level=form.level.data or None)
        page_ = paginate(stmt, scalars=False)
    return render_template("web/brands/sites.html", form=form, page=page_, root=root,
                           status_labels=STATUS_LABELS, level_labels=LEVEL_LABELS,
                           may_apply=has_role("branch_secretary"), may_open=has_role("org_manager"),
                           open_form=forms.OpenReviewsForm(formdata=None, data={"year": date.today().year})), status


def _site_form(formdata=True):
    """The application form with one required answer per criterion (``answer_<n>``)."""
    criteria = settings()["criteria"]

    class Form(forms.SiteForm):
        pass

    for n, criterion in enumerate(criteria):
        setattr(Form, f"answer_{n}", TextAreaField(criterion, validators=[DataRequired(), Length(max=5000)]))
    form = Form() if formdata else Form(formdata=None)
    return form, criteria


@bp.route("/brands/model-sites/new", methods=["GET", "POST"])
@page
def brand_site_new():
    if not has_role("branch_secretary"):
        abort(403, _("Applying needs the branch secretary role on the organisation."))
    form, criteria = _site_form()
    if request.method == "GET":
        form.year.data = date.today().year
        if request.args.get("org"):
            from core.auth.permissions import visible_org

            form.org_code.data = visible_org(request.args["org"]).code
        return render_template("web/brands/site_form.html", form=form)
    if not form.validate():
        return render_template("web/brands/site_form.html", form=form), 422
    org = org_by_code(form.org_code.data)
    if org is None:
        form.org_code.errors = [_("No organisation with this code that you can see.")]
        return render_template("web/brands/site_form.html", form=form), 422
    if not service.may_write_brand(org):
        abort(403, _("Applying needs the branch secretary role on the organisation."))
    brand = service.brand_of(org.id)
    data = {"level": form.level.data, "year": form.year.data,
            "statement": (form.statement.data or "").strip() or None,
            "brand_id": brand.id if brand is not None else None,
            "answers": {c: getattr(form, f"answer_{n}").data for n, c in enumerate(criteria)}}
    try:
        site = service.apply(org, data)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        show_errors(form, exc, {"org_id": "org_code"})
        return render_template("web/brands/site_form.html", form=form), exc.status
    flash(_("The application is submitted."), "success")
    return redirect(url_for("web.brand_site_page", site_id=site.id))


def allowed_actions(site: ModelSite, org) -> dict[str, bool]:
    above = service.may_decide(site, org)
    notice_over = site.notice_ends_on is not None and date.today() > site.notice_ends_on
    return {
        "pass": site.status == APPLIED and above,
        "refuse": site.status in (APPLIED, NOTICE) and above,
        "objection": site.status == NOTICE and above,
        "award": site.status == NOTICE and above and notice_over,
        "review": site.status == AWARDED and above and service.due_review(site) is not None,
        "withdraw": site.status == AWARDED and above,
    }


def _action_forms(site: ModelSite) -> dict:
    version = {"version": site.version}
    return {
        "pass": forms.StepForm(formdata=None, data=version, prefix="pass"),
        "refuse": forms.ReasonForm(formdata=None, data=version, prefix="refuse"),
        "objection": forms.ObjectionForm(formdata=None, prefix="objection"),
        "award": forms.AwardForm(formdata=None, data={**version, "award_year": site.year}, prefix="award"),
        "review": forms.ReviewForm(formdata=None, data=version, prefix="review"),
        "withdraw": forms.ReasonForm(formdata=None, data=version, prefix="withdraw"),
    }


def _render(site: ModelSite, org, status: int = 200, **bound):
    action_forms = _action_forms(site)
    action_forms.update(bound)
    objections = service.objections_of(site)
    settle_forms = {o.id: forms.SettleForm(formdata=None, data={"version": o.version}, prefix="settle")
                    for o in objections if o.status == OPEN_OBJECTION}
    settle_forms.update(bound.get("settle", {}))
    brand = service.get_brand(site.brand_id) if site.brand_id else None
    return render_template(
        "web/brands/site_page.html", site=site, org=org, brand=brand, parent=service.parent_of(org),
        events=service.events_of(site), objections=objections, reviews=service.reviews_of(site),
        history=[s for s in service.history(org.id) if s.id != site.id], due=service.due_review(site),
        actions=allowed_actions(site, org), forms=action_forms, settle_forms=settle_forms,
        status_labels=STATUS_LABELS, level_labels=LEVEL_LABELS, event_labels=EVENT_LABELS,
        objection_labels=OBJECTION_LABELS, review_labels=REVIEW_STATUS_LABELS, today=date.today(),
    ), status


@bp.route("/brands/model-sites/<site_id>")
@page
def brand_site_page(site_id):
    site, org = _site(site_id)
    return _render(site, org)


def _version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError, AttributeError):
        return None


def _step(site_id, name: str, form, action, key=None):
    """Run ``action(site, org, form)``; on a refusal the page again with the form's errors.
    The page finds the form under ``name`` (under ``name[key]`` for one of several, as the
    settle forms of the objections)."""
    shown = {name: form if key is None else {key: form}}
    site, org = _site(site_id)
    if not form.validate():
        return _render(site, org, 422, **shown)
    try:
        action(site, org, form)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        site, org = _site(site_id)
        show_errors(form, exc)
        return _render(site, org, exc.status, **shown)
    return None


def _done(site_id, message: str):
    flash(message, "success")
    return redirect(url_for("web.brand_site_page", site_id=site_id))


@bp.route("/brands/model-sites/<site_id>/pass", methods=["POST"])
@page
def brand_site_pass(site_id):
    refused = _step(site_id, "pass", forms.StepForm(prefix="pass"), lambda s, o, f: service.pass_review(
        s, o, (f.comment.data or "").strip() or None, _version(f)))
    return refused or _done(site_id, _("The application passed review and is on public notice."))


@bp.route("/brands/model-sites/<site_id>/refuse", methods=["POST"])
@page
def brand_site_refuse(site_id):
    refused = _step(site_id, "refuse", forms.ReasonForm(prefix="refuse"), lambda s, o, f: service.refuse(
        s, o, f.reason.data, _version(f)))
    return refused or _done(site_id, _("The application is refused."))


@bp.route("/brands/model-sites/<site_id>/objections", methods=["POST"])
@page
def brand_site_objection(site_id):
    refused = _step(site_id, "objection", forms.ObjectionForm(prefix="objection"),
                    lambda s, o, f: service.add_objection(s, o, f.text.data, f.received_on.data))
    return refused or _done(site_id, _("The objection is recorded."))


@bp.route("/brands/model-sites/<site_id>/objections/<objection_id>/settle", methods=["POST"])
@page
def brand_site_settle(site_id, objection_id):
    from core.api.smorest import parse_id

    site, _org = _site(site_id)
    objection = service.get_objection(site, parse_id(objection_id))
    if objection is None:
        abort(404)
    refused = _step(site_id, "settle", forms.SettleForm(prefix="settle"), lambda s, o, f: service.settle_objection(
        s, o, objection, bool(f.upheld.data), f.resolution.data, _version(f)), key=objection.id)
    return refused or _done(site_id, _("The objection is settled."))


@bp.route("/brands/model-sites/<site_id>/award", methods=["POST"])
@page
def brand_site_award(site_id):
    refused = _step(site_id, "award", forms.AwardForm(prefix="award"), lambda s, o, f: service.award(
        s, o, f.title.data, f.award_year.data, (f.comment.data or "").strip() or None, _version(f)))
    return refused or _done(site_id, _("The title is awarded."))


@bp.route("/brands/model-sites/<site_id>/review", methods=["POST"])
@page
def brand_site_review(site_id):
    refused = _step(site_id, "review", forms.ReviewForm(prefix="review"), lambda s, o, f: service.record_review(
        s, o, f.passed.data == "yes", (f.comment.data or "").strip() or None, _version(f)))
    return refused or _done(site_id, _("The re-review is recorded."))


@bp.route("/brands/model-sites/<site_id>/withdraw", methods=["POST"])
@page
def brand_site_withdraw(site_id):
    refused = _step(site_id, "withdraw", forms.ReasonForm(prefix="withdraw"), lambda s, o, f: service.withdraw(
        s, o, f.reason.data, _version(f)))
    return refused or _done(site_id, _("The title is withdrawn."))


@bp.route("/brands/model-sites/reviews", methods=["POST"])
@page
def brand_sites_open_reviews():
    """Open a year's re-reviews for the subtrees the user manages (the whole city for a
    tenant administrator), and let past-due ones lapse."""
    if not has_role("org_manager"):
        abort(403, _("Opening re-reviews needs the organisation manager role."))
    form = forms.OpenReviewsForm()
    if not form.validate():
        flash(_("Give the year of the re-review."), "error")
        return redirect(url_for("web.brand_sites"))
    from sqlalchemy import select

    from core.auth import service as auth_service
    from core.auth.permissions import current_user
    from core.orgs.models import Organization

    if has_role("tenant_admin"):
        roots = [None]
    else:
        paths = [path for role, path in auth_service.role_scopes(current_user().id)
                 if path is not None and role == "org_manager"]
        roots = list(db.session.scalars(select(Organization).where(Organization.path.in_(paths))))
    opened = lapsed = 0
    for root in roots:
        lapsed += service.lapse_overdue(root=root)
        opened += service.open_reviews(form.year.data, root)
    db.session.commit()
    flash(_("%(opened)s re-reviews opened; %(lapsed)s past due lapsed.", opened=opened, lapsed=lapsed), "success")
    return redirect(url_for("web.brand_sites", review_due="true"))
