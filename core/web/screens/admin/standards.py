"""Standards and indicators (考核标准与指标), for tenant administrators.

* ``/admin/standards`` — the tenant's standards by sector and organisation kind with their
  current version, and the tenant's own simple indicators.
* ``/admin/standards/<id>`` — its items, editable (points and parameters, an indicator
  added or removed). **预览** scores the change on the last published cycle in memory
  (:mod:`core.assessment.preview`) and shows how each organisation's score and stars would
  move; **保存** writes a new version through the standards service, as ``PUT`` does.
* ``/admin/standards/<id>/versions`` (and ``/<number>``) — the frozen versions.
* ``/admin/standards/indicators/new`` — a simple indicator of the tenant's own
  (:mod:`core.assessment.custom`), then on to a standard to add it.

Everything is validated by the services; their errors come back beside the inputs.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from core.api.errors import ApiError
from core.assessment import custom, preview, registry
from core.assessment import standards as standard_service
from core.assessment.models.standards import Standard, StandardVersion
from core.auth.permissions import has_role
from core.db import db, versioning
from core.web import versions
from core.web.blueprint import bp, page
from core.web.screens.admin import standard_form as sf
from core.web.screens.admin.indicator_form import CustomIndicatorForm, create_from
from core.web.screens.admin.service_messages import MESSAGES
from core.web.service_errors import show_errors

PREVIEW_ROWS = 200
SCORINGS = {
    "threshold": _l("Threshold"), "proportional": _l("Proportional"),
    "checklist": _l("Checklist"), "manual": _l("Scored by hand"), "deduction": _l("Deduction"),
}


def require_admin() -> None:
    """Tenant administrators only (403 for everyone else, as the API)."""
    if not has_role("tenant_admin"):
        abort(403, _("This needs the tenant administrator role."))


def render(template: str, **context):
    """``render_template`` with the way back to the administration hub (when installed)."""
    hub = url_for("web.admin") if "web.admin" in current_app.view_functions else None
    return render_template(template, admin_hub=hub, **context)


def _standard_or_404(standard_id) -> Standard:
    standard = standard_service.get_standard(standard_id)
    if standard is None:
        abort(404)
    return standard


def scoring_label(code) -> str:
    return str(SCORINGS[code]) if code in SCORINGS else (code or "—")


@bp.route("/admin/standards")
@page
def admin_standards():
    """The standards grouped by sector, each with its kinds, current version and items."""
    require_admin()
    rows = db.session.execute(
        select(Standard, StandardVersion)
        .join(StandardVersion, and_(StandardVersion.standard_id == Standard.id,
                                    StandardVersion.number == Standard.current_version))
        .order_by(Standard.sector.is_not(None), Standard.sector, Standard.name)
    ).all()
    groups = defaultdict(list)
    for standard, version in rows:
        groups[standard.sector].append((standard, version))
    return render(
        "web/admin/standards.html", groups=list(groups.items()),
        custom_indicators=custom.list_custom(), scoring_label=scoring_label,
    )


def _rows_for(standard: Standard, added: list[str]):
    """The form rows: the posted ones (POST), else the current version's items and the
    indicators being added."""
    indicators = registry.tenant_indicators()
    if request.method == "POST":
        keys = []
        while f"k{len(keys)}" in request.form and len(keys) < sf.MAX_ROWS:
            keys.append(request.form[f"k{len(keys)}"])
        return sf.build_rows(keys, indicators), indicators
    version = standard_service.latest_version(standard)
    keys = [item["indicator"] for item in version.items or ()]
    keys += [key for key in dict.fromkeys(added) if key in indicators and key not in keys]
    return sf.build_rows(keys, indicators), indicators


def _initial(standard: Standard, rows, indicators) -> dict:
    version = standard_service.latest_version(standard)
    resolved = {item.key: item for item in standard_service.resolve_items(version)}
    weights, params = {}, {}
    for row in rows:
        if row.key in resolved:
            weights[row.key], params[row.key] = resolved[row.key].weight, resolved[row.key].params
        elif row.indicator is not None:
            weights[row.key] = row.indicator.max_points
            params[row.key] = sf.defaults_of(row.indicator)
    return sf.initial_values(rows, weights, params)


def _addable(standard: Standard, rows, indicators) -> list:
    """Indicators that could join the standard: not in it, active, applying to it."""
    present = {row.key for row in rows}
    inactive = custom.inactive_keys()
    return [
        indicator for key, indicator in sorted(indicators.items(), key=lambda kv: kv[1].name)
        if key not in present and key not in inactive
        and standard_service.applicability(indicator, standard.sector, list(standard.kinds or ())) is None
    ]


@bp.route("/admin/standards/<standard_id>", methods=["GET", "POST"])
@page
def admin_standard(standard_id):
    """A standard's items: edit, preview on the last published cycle, save as a version."""
    require_admin()
    standard = _standard_or_404(standard_id)
    rows, indicators = _rows_for(standard, request.args.getlist("add"))
    form_cls = sf.form_class(rows)
    form = (form_cls() if request.method == "POST" else
            form_cls(data={**_initial(standard, rows, indicators), "edit_version": standard.version}))
    found, no_cycle, status = None, None, 200
    if request.method == "POST" and form.validate():
        items, positions = sf.submitted_items(form, rows)
        unreadable = any(field.errors for field in form)
        try:
            if request.form.get("action") == "save" and not unreadable:
                return _save(standard, items, form.note.data or None,
                             versions.read(form, "edit_version"))
            if unreadable:  # the service's say on everything else, nothing scored
                standard_service.proposed(standard, items=items)
            else:
                found = preview.preview(standard, items)
        except preview.NoPublishedCycle:
            no_cycle = True
        except ApiError as exc:
            db.session.rollback()
            if versions.is_conflict(exc):
                versions.show_conflict(form)
            else:
                show_errors(form, exc, MESSAGES, fields=sf.error_fields(rows, positions))
            status = exc.status if exc.status in (409, 422) else 422
            standard = _standard_or_404(standard_id)
        if any(field.errors for field in form) or form.form_errors:
            status = 409 if status == 409 else 422
    elif request.method == "POST":
        status = 422
    version = standard_service.latest_version(standard)
    return render(
        "web/admin/standards_edit.html", standard=standard, version=version, form=form, rows=rows,
        addable=_addable(standard, rows, indicators), preview=found, no_cycle=no_cycle,
        preview_rows=_preview_rows(found), preview_limit=PREVIEW_ROWS,
        total=_total(form, rows), scoring_label=scoring_label,
    ), status


def _save(standard: Standard, items: list[dict], note: str | None, edit_version: int | None):
    """Save through the service (a new version when the content changed), then back to
    the standard's page; refused (409) when someone changed the standard since the page
    was opened (``edit_version``)."""
    before = standard.current_version
    versioning.check_version(standard, edit_version, "standard", "edit_version")
    standard_service.update_standard(standard.id, items=items, note=note)
    db.session.commit()
    if standard.current_version == before:
        flash(_("Nothing changed: the standard stays at version %(n)s.", n=before))
    else:
        flash(_("Saved as version %(n)s.", n=standard.current_version))
    return redirect(url_for("web.admin_standard", standard_id=standard.id))


def _total(form, rows) -> str | None:
    """The points as typed, added up (a reading aid; the service checks the 100)."""
    total = Decimal(0)
    for row in rows:
        if form[row.remove].data:
            continue
        try:
            total += Decimal((form[row.weight].data or "").strip())
        except InvalidOperation:
            return None
    return format(total.normalize(), "f") if total == total.to_integral() else format(total, "f")


def _preview_rows(found):
    """The rows to show: stars moving first, then the largest changes of score."""
    if found is None:
        return []
    order = {"down": 0, "up": 0, "same": 1}
    ranked = sorted(found.rows, key=lambda r: (order[r.move], -abs(r.change), r.code))
    return ranked[:PREVIEW_ROWS]


@bp.route("/admin/standards/<standard_id>/versions")
@page
def admin_standard_versions(standard_id):
    require_admin()
    standard = _standard_or_404(standard_id)
    return render("web/admin/standards_versions.html", standard=standard,
                           versions=list(reversed(standard_service.versions(standard))))


@bp.route("/admin/standards/<standard_id>/versions/<int:number>")
@page
def admin_standard_version(standard_id, number):
    require_admin()
    standard = _standard_or_404(standard_id)
    version = standard_service.version_by_number(standard, number) if number < 2**31 else None
    if version is None:
        abort(404)
    return render("web/admin/standards_version.html", standard=standard, version=version,
                           items=standard_service.describe_items(version), scoring_label=scoring_label)


@bp.route("/admin/standards/indicators/new", methods=["GET", "POST"])
@page
def admin_indicator_new():
    """A simple indicator of the tenant's own; with ``?standard=<id>`` it is then offered
    for adding to that standard."""
    require_admin()
    target = standard_service.get_standard(request.args.get("standard"))
    form = CustomIndicatorForm()
    status = 200
    if form.validate_on_submit():
        row = create_from(form)
        if row is not None:
            db.session.commit()
            flash(_("Indicator %(name)s added (%(key)s).", name=row.name, key=row.key))
            if target is not None:
                return redirect(url_for("web.admin_standard", standard_id=target.id, add=row.key))
            return redirect(url_for("web.admin_standards"))
        db.session.rollback()
        status = 422 if not getattr(form, "conflict", False) else 409
    elif request.method == "POST":
        status = 422
    return render("web/admin/standards_indicator.html", form=form, target=target), status
