"""The brand library (党建品牌库): list and search, a brand's page with its model cases and
sub-brands, the brand form (new and edit), cases added and removed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.api.errors import ApiError
from core.auth.permissions import has_role, visible_orgs_clause
from core.brands import service
from core.brands.models import LEVEL_LABELS, STATUS_LABELS, Brand
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.web import service_errors
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.scope import filtered_root, org_by_code
from core.web.screens.brands import forms

BRAND_FIELDS = ("name", "theme", "concept", "theory", "methods", "carriers", "goals", "started_on")


def show_errors(form, exc: ApiError, aliases: dict | None = None) -> None:
    service_errors.show_errors(form, exc, fields=aliases, summary=True)


def visible_brand(brand_id) -> tuple[Brand, Organization]:
    from core.auth.permissions import visible_record

    return visible_record(Brand, brand_id, "brand")


@bp.route("/brands")
@page
def brand_list():
    """The library of the organisations the user sees, searchable."""
    form = forms.BrandFilterForm(request.args)
    root, status = filtered_root(form)
    page_ = None
    if status == 200:
        stmt = service.search_brands(visible_orgs_clause(), root=root, q=(form.q.data or "").strip() or None)
        page_ = paginate(stmt, scalars=False)
    return render_template("web/brands/list.html", form=form, page=page_, root=root,
                           may_write=has_role("branch_secretary")), status


def _parent_choices(org: Organization | None, brand: Brand | None = None) -> list[tuple[str, str]]:
    """Brands of the organisations above ``org`` that are not sub-brands themselves."""
    choices = [("", _("None (not a sub-brand)"))]
    if org is None:
        return choices
    above = [i for i in orgs.ancestor_ids(org) if i != org.id]
    if not above:
        return choices
    rows = db.session.execute(
        select(Brand, Organization.name).join(Organization, Organization.id == Brand.org_id)
        .where(Brand.org_id.in_(above), Brand.parent_id.is_(None)).order_by(Organization.depth)
    ).all()
    return choices + [(str(b.id), f"{b.name}（{name}）") for b, name in rows if brand is None or b.id != brand.id]


def _values(form) -> dict:
    values = {k: getattr(form, k).data for k in BRAND_FIELDS}
    for key in BRAND_FIELDS:
        if isinstance(values[key], str):
            values[key] = values[key].strip() or None
    values["parent_id"] = service_parent(form.parent.data)
    return values


def service_parent(raw: str | None):
    from core.api.smorest import parse_id

    return parse_id(raw) if raw else None


@bp.route("/brands/new", methods=["GET", "POST"])
@page
def brand_new():
    if not has_role("branch_secretary"):
        abort(403, _("Writing a brand needs the branch secretary role on the organisation."))
    form = forms.BrandForm()
    del form.version
    org = None
    if request.method == "GET":
        if request.args.get("org"):
            from core.auth.permissions import visible_org

            org = visible_org(request.args["org"])
            form.org_code.data = org.code
        form.parent.choices = _parent_choices(org)
        return render_template("web/brands/form.html", form=form, brand=None)
    org = org_by_code(form.org_code.data)
    form.parent.choices = _parent_choices(org)
    if not form.validate():
        return render_template("web/brands/form.html", form=form, brand=None), 422
    if org is None:
        form.org_code.errors = [_("No organisation with this code that you can see.")]
        return render_template("web/brands/form.html", form=form, brand=None), 422
    if not service.may_write_brand(org):
        abort(403, _("Writing a brand needs the branch secretary role on the organisation."))
    try:
        brand = service.create_brand(org, _values(form))
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        show_errors(form, exc, {"org_id": "org_code", "parent_id": "parent"})
        return render_template("web/brands/form.html", form=form, brand=None), exc.status
    flash(_("The brand is saved."), "success")
    return redirect(url_for("web.brand_page", brand_id=brand.id))


@bp.route("/brands/<brand_id>")
@page
def brand_page(brand_id):
    brand, org = visible_brand(brand_id)
    return _render_page(brand, org)


def _render_page(brand: Brand, org: Organization, status: int = 200, case_form=None):
    parent = service.get_brand(brand.parent_id) if brand.parent_id else None
    parent_org = orgs.get(parent.org_id) if parent is not None else None
    sites = [s for s in service.history(org.id) if s.brand_id == brand.id]
    return render_template(
        "web/brands/page.html", brand=brand, org=org, parent=parent, parent_org=parent_org,
        subs=service.sub_brands(brand), cases=service.cases_of(brand), sites=sites,
        may_write=service.may_write_brand(org), case_form=case_form or forms.CaseForm(formdata=None),
        delete_form=forms.DeleteForm(formdata=None), level_labels=LEVEL_LABELS,
        status_labels=STATUS_LABELS,
    ), status


@bp.route("/brands/<brand_id>/edit", methods=["GET", "POST"])
@page
def brand_edit(brand_id):
    brand, org = visible_brand(brand_id)
    if not service.may_write_brand(org):
        abort(403, _("Writing a brand needs the branch secretary role on the organisation."))
    form = forms.BrandForm(obj=brand if request.method == "GET" else None)
    del form.org_code
    form.parent.choices = _parent_choices(org, brand)
    if request.method == "GET":
        form.version.data = brand.version
        form.parent.data = str(brand.parent_id) if brand.parent_id else ""
        return render_template("web/brands/form.html", form=form, brand=brand, org=org)
    if not form.validate():
        return render_template("web/brands/form.html", form=form, brand=brand, org=org), 422
    try:
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        service.update_brand(brand, org, _values(form), version)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        brand, org = visible_brand(brand_id)
        show_errors(form, exc, {"parent_id": "parent"})
        return render_template("web/brands/form.html", form=form, brand=brand, org=org), exc.status
    flash(_("The brand is saved."), "success")
    return redirect(url_for("web.brand_page", brand_id=brand.id))


@bp.route("/brands/<brand_id>/cases", methods=["POST"])
@page
def brand_case_add(brand_id):
    brand, org = visible_brand(brand_id)
    if not service.may_write_brand(org):
        abort(403, _("Writing a brand needs the branch secretary role on the organisation."))
    form = forms.CaseForm()
    if not form.validate():
        return _render_page(brand, org, 422, form)
    try:
        service.add_case(brand, {"title": form.title.data.strip(), "happened_on": form.happened_on.data,
                                 "text": form.text.data.strip()})
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        brand, org = visible_brand(brand_id)
        show_errors(form, exc)
        return _render_page(brand, org, exc.status, form)
    flash(_("The case is added."), "success")
    return redirect(url_for("web.brand_page", brand_id=brand.id))


@bp.route("/brands/<brand_id>/cases/<case_id>/delete", methods=["POST"])
@page
def brand_case_delete(brand_id, case_id):
    from core.api.smorest import parse_id

    brand, org = visible_brand(brand_id)
    if not service.may_write_brand(org):
        abort(403, _("Writing a brand needs the branch secretary role on the organisation."))
    if not forms.DeleteForm().validate():
        abort(400)
    case = service.get_case(brand, parse_id(case_id))
    if case is None:
        abort(404)
    service.delete_case(case)
    db.session.commit()
    flash(_("The case is removed."), "success")
    return redirect(url_for("web.brand_page", brand_id=brand.id))
