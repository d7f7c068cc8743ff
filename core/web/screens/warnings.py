"""Warnings (预警) in the browser: the open warnings of a subtree with filters, one warning
with its rule explained, acknowledging it, and turning it into a problem of the ledger
(转办, ``/problems/from-warning/<id>`` as in the API).

A warning of a rule whose plugin the tenant has disabled stays hidden here as in the API
(:func:`core.warnings.registry.shown_condition`): it is answered 404 like an unknown one.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.api.errors import ApiError
from core.api.smorest import parse_id
from core.auth.permissions import require_org_access, visible_orgs_clause
from core.db import db
from core.members.models import Member
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.problems import service as problems
from core.problems.settings import settings as problem_settings
from core.warnings import registry
from core.warnings import service as warnings_service
from core.warnings.models import Warning
from core.warnings.rules import SEVERITIES
from core.web import labels, versions
from core.web import ledger_forms as forms
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.screens.problems import filtered_root, require_ledger_role

SUBJECTS = {"org": _l("The organisation"), "member": _l("A member"),
            "person": _l("A person in the development pipeline")}


def _warning(warning_id) -> tuple[Warning, Organization]:
    """The warning and its organisation: 404 when unknown, another tenant's, unseen or
    hidden (its plugin disabled)."""
    parsed = parse_id(warning_id)
    row = None
    if parsed is not None:
        row = db.session.execute(
            select(Warning, Organization).join(Organization, Organization.id == Warning.org_id)
            .where(Warning.id == parsed, visible_orgs_clause(), registry.shown_condition())
        ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


@bp.route("/warnings")
@page
def warning_list():
    require_ledger_role()
    rules = registry.tenant_rules()
    form = forms.WarningFilterForm(request.args)
    form.rule.choices = [forms.ANY, *((key, rule.name) for key, rule in rules.items())]
    form.severity.choices = [forms.ANY, *((s, labels.severity(s)) for s in SEVERITIES)]
    root, status = filtered_root(form)
    page_ = None
    if status == 200:
        conditions = [visible_orgs_clause(), registry.shown_condition(),
                      Warning.state == (form.state.data or "open")]
        if root is not None:
            conditions.append(subtree_filter(root.path))
        if form.rule.data:
            conditions.append(Warning.rule_key == form.rule.data)
        if form.severity.data:
            conditions.append(Warning.severity == form.severity.data)
        page_ = paginate(
            select(Warning, Organization.name).join(Organization, Organization.id == Warning.org_id)
            .where(*conditions).order_by(Warning.opened_at.desc(), Warning.id), scalars=False)
    return render_template("web/warning_list.html", form=form, page=page_, root=root,
                           rules=rules), status


def explain_rule(key: str) -> dict | None:
    """What the page says of a rule: its name, severity, subject, sectors, message template,
    whether it is on, and each parameter with its description, default and effective value."""
    rule = registry.tenant_rules().get(key)
    if rule is None:
        return None
    setting = registry.settings().get(key)
    overrides = dict(setting.params) if setting is not None and setting.params else {}
    defaults = registry.defaults(rule)
    try:
        effective = registry.effective_params(rule, overrides)
    except Exception:  # noqa: BLE001 - a stale override: the sweep reports it, the page shows defaults
        effective = defaults
    schema = registry.params_schema(rule)
    params = [
        {"name": name, "description": field.metadata.get("description") or name,
         "default": defaults.get(name), "value": effective.get(name), "overridden": name in overrides}
        for name, field in (schema.fields.items() if schema is not None else ())
    ]
    return {"key": key, "name": rule.name, "severity": rule.severity, "subject": SUBJECTS.get(rule.subject),
            "sectors": [labels.sector(s) for s in rule.sectors], "message": rule.message,
            "enabled": setting.enabled if setting is not None else True, "params": params}


def _subject_name(warning: Warning) -> str | None:
    if warning.subject_type == "member" and warning.subject_id is not None:
        return db.session.scalar(select(Member.name).where(Member.id == warning.subject_id))
    return None


def _render_warning(warning: Warning, org: Organization, status: int = 200, ack_form=None):
    from core.auth.permissions import has_role

    member_page = "web.member_page" in current_app.view_functions
    return render_template(
        "web/warning_page.html", warning=warning, org=org, rule=explain_rule(warning.rule_key),
        subject_name=_subject_name(warning), member_page=member_page,
        may_acknowledge=has_role("branch_secretary", org),
        may_raise=problems.may_record(org, "warning"),
        problem=problems.open_problem_for_warning(warning.id),
        ack_form=ack_form or forms.AcknowledgeForm(formdata=None, data={
            "note": warning.acknowledgement_note, "version": warning.version}),
    ), status


@bp.route("/warnings/<warning_id>")
@page
def warning_page(warning_id):
    require_ledger_role()
    warning, org = _warning(warning_id)
    return _render_warning(warning, org)


@bp.route("/warnings/<warning_id>/acknowledge", methods=["POST"])
@page
def warning_acknowledge(warning_id):
    """Acknowledge (已阅): the branch secretary or above on its organisation; the warning
    stays open until the data clears."""
    require_ledger_role()
    warning, org = _warning(warning_id)
    require_org_access(org, role="branch_secretary")
    form = forms.AcknowledgeForm()
    if not form.validate():
        return _render_warning(warning, org, 422, form)
    try:
        warnings_service.acknowledge(warning, (form.note.data or "").strip() or None,
                                     expected_version=versions.read(form))
    except ApiError as exc:
        db.session.rollback()
        if not versions.is_conflict(exc):
            raise
        versions.show_conflict(form)  # someone acknowledged it meanwhile: their note shows
        warning, org = _warning(warning_id)
        return _render_warning(warning, org, exc.status, form)
    db.session.commit()
    flash(_("The warning is acknowledged."), "success")
    return redirect(url_for("web.warning_page", warning_id=warning.id))


def _categories(guess: str | None) -> tuple[list, str]:
    allowed = list(problem_settings()["categories"])
    default = guess if guess in allowed else ("其他" if "其他" in allowed else allowed[0])
    return [(c, c) for c in allowed], default


@bp.route("/problems/from-warning/<warning_id>", methods=["GET", "POST"])
@page
def problem_from_warning(warning_id):
    """Turn a warning into a problem of its organisation (转办): the fields default from the
    warning and the settings, as the service would fill them."""
    require_ledger_role()
    warning, org = _warning(warning_id)
    if not problems.may_record(org, "warning"):
        abort(403, _("Recording a problem needs the organisation manager role on the organisation "
                     "(a branch secretary records what the branch found itself)."))
    rule = registry.tenant_rules().get(warning.rule_key)
    choices, category = _categories(problems.CATEGORY_BY_RULE.get(warning.rule_key.split(".", 1)[0]))
    existing = problems.open_problem_for_warning(warning.id)
    if request.method == "GET":
        form = forms.FromWarningForm(formdata=None, data={
            "title": (rule.name if rule is not None else warning.rule_key)[:200], "category": category,
            "description": warning.message, "severity": "serious" if warning.severity == "serious" else "general",
            "deadline": date.today() + timedelta(days=problem_settings()["default_deadline_days"]),
        })
        form.category.choices = choices
        return render_template("web/warning_problem.html", form=form, warning=warning, org=org,
                               existing=existing)
    form = forms.FromWarningForm()
    form.category.choices = choices
    if not form.validate():
        return render_template("web/warning_problem.html", form=form, warning=warning, org=org,
                               existing=existing), 422
    data = {"title": form.title.data.strip(), "category": form.category.data,
            "description": (form.description.data or "").strip() or None, "severity": form.severity.data,
            "deadline": form.deadline.data, "responsible_name": form.responsible_name.data or None}
    try:
        problem = problems.from_warning(warning, data, rule.name if rule is not None else None)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        warning, org = _warning(warning_id)
        forms.show_errors(form, exc)
        return render_template("web/warning_problem.html", form=form, warning=warning, org=org,
                               existing=problems.open_problem_for_warning(warning.id)), exc.status
    flash(_("The warning is now a problem of the ledger."), "success")
    return redirect(url_for("web.problem_page", problem_id=problem.id))
