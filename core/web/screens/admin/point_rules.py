"""Point rules (积分规则): the plugins' rules with this city's changes, and its own rules.

Input is read by the API's schemas (:mod:`core.points.schemas`) and written by
:mod:`core.points.manage`, exactly as ``POST``/``PATCH /api/v1/points/rules`` do: a plugin's
rule only takes on/off, its points (keeping the sign) and its yearly cap, or goes back to the
plugin's numbers; a city's own rule takes every field.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from core.api.errors import ApiError, abort
from core.db import db, versioning
from core.points import manage, registry
from core.points.rules import CATEGORIES
from core.points.schemas import PointRuleCreateSchema, PointRuleUpdateSchema
from core.web import versions
from core.web.blueprint import bp
from core.web.screens.admin import plugins_form
from core.web.screens.admin.hub import admin_page

CATEGORY_LABELS = {
    "attendance": _l("Attendance"), "volunteering": _l("Volunteering"), "dues": _l("Dues"),
    "study": _l("Study"), "deduction": _l("Deduction"), "other": _l("Other"),
}


class PluginRuleForm(FlaskForm):
    version = versions.version_field()
    active = BooleanField(_l("In use"))
    points = StringField(_l("Points"), description=_l("Keeps its sign: a deduction stays negative."))
    yearly_cap = StringField(_l("Yearly cap"), description=_l("Empty: no cap."))


class TenantRuleForm(PluginRuleForm):
    name = StringField(_l("Rule name"))
    category = SelectField(_l("Point category"), choices=[(c, CATEGORY_LABELS[c]) for c in CATEGORIES],
                           validate_choice=False)  # the API schema judges
    evidence_required = BooleanField(_l("Evidence required"))
    description = TextAreaField(_l("Remarks"))


class NewRuleForm(TenantRuleForm):
    key = StringField(_l("Code"), default="tenant.",
                      description=_l("tenant. followed by 2–60 lower-case letters, digits or _."))


def text(value) -> str | None:
    # not always a str: a field the POST left out keeps the edited row's value (a Decimal cost)
    value = ("" if value is None else str(value)).strip()
    return value or None


def load(schema, form: FlaskForm, data: dict) -> dict | None:
    """``data`` loaded by the API's ``schema``; on errors they go beside the fields (None)."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        form.form_errors.extend(plugins_form.place_errors(form, exc.messages))
        return None


def refused(form: FlaskForm, exc: ApiError) -> None:
    """A service's refusal beside the fields it names (or above the form); someone else's
    change since the page was opened, in the words of :mod:`core.web.versions`."""
    if versions.is_conflict(exc):
        versions.show_conflict(form)
        return
    left = plugins_form.place_errors(form, exc.errors) if exc.errors else [exc.message]
    form.form_errors.extend(left)


@bp.route("/admin/point-rules")
@admin_page
def admin_point_rules():
    rules = list(registry.tenant_rules().values())
    return render_template("web/admin/point_rules.html", rules=rules, categories=CATEGORY_LABELS)


def _rule(key: str):
    rule = registry.get_rule(key) if len(key) <= 100 else None
    if rule is None:
        abort(404, f"point rule {key} not found")
    return rule


@bp.route("/admin/point-rules/new", methods=["GET", "POST"])
@admin_page
def admin_point_rule_new():
    form = NewRuleForm()
    if form.validate_on_submit():
        data = load(PointRuleCreateSchema(), form, {
            "key": (form.key.data or "").strip(), "name": (form.name.data or "").strip(),
            "points": text(form.points.data), "yearly_cap": text(form.yearly_cap.data),
            "category": form.category.data, "evidence_required": form.evidence_required.data,
            "description": form.description.data or "",
        })
        if data is not None:
            try:
                rule = manage.create_rule(data)
            except ApiError as exc:
                db.session.rollback()
                refused(form, exc)
            else:
                db.session.commit()
                flash(_("Point rule “%(rule)s” added.", rule=rule.name))
                return redirect(url_for("web.admin_point_rules"))
        return render_template("web/admin/point_rules_form.html", form=form, rule=None), 422
    return render_template("web/admin/point_rules_form.html", form=form, rule=None)


def _changes(rule, data: dict) -> dict:
    """Only what differs from the rule as it stands (so an untouched plugin rule keeps no
    override)."""
    current = {"active": rule.active, "points": rule.points, "yearly_cap": rule.yearly_cap,
               "name": rule.name, "category": rule.category,
               "evidence_required": rule.evidence_required, "description": rule.description}
    return {k: v for k, v in data.items() if current.get(k, object()) != v}


@bp.route("/admin/point-rules/<key>", methods=["GET", "POST"])
@admin_page
def admin_point_rule(key):
    rule = _rule(key)
    own = rule.source == "tenant"
    form_class = TenantRuleForm if own else PluginRuleForm
    values = {"active": rule.active, "points": plugins_form.display(rule.points, "text"),
              "yearly_cap": plugins_form.display(rule.yearly_cap, "text"), "version": rule.version}
    if own:
        values.update(name=rule.name, category=rule.category,
                      evidence_required=rule.evidence_required, description=rule.description)
    form = form_class(data=values)
    if form.validate_on_submit():
        raw = {"active": form.active.data, "points": text(form.points.data),
               "yearly_cap": text(form.yearly_cap.data)}
        if own:
            raw.update(name=(form.name.data or "").strip(), category=form.category.data,
                       evidence_required=form.evidence_required.data,
                       description=form.description.data or "")
        data = load(PointRuleUpdateSchema(), form, raw)
        if data is not None:
            try:
                versioning.check_version(rule, versions.read(form), "point rule")
                manage.update_rule(rule, _changes(rule, data))
            except ApiError as exc:
                db.session.rollback()
                refused(form, exc)
                if versions.is_conflict(exc):
                    return render_template("web/admin/point_rules_form.html", form=form,
                                           rule=_rule(key)), exc.status
            else:
                db.session.commit()
                flash(_("Point rule “%(rule)s” saved.", rule=rule.name))
                return redirect(url_for("web.admin_point_rules"))
        return render_template("web/admin/point_rules_form.html", form=form, rule=rule), 422
    return render_template("web/admin/point_rules_form.html", form=form, rule=rule)


@bp.route("/admin/point-rules/<key>/reset", methods=["POST"])
@admin_page
def admin_point_rule_reset(key):
    rule = _rule(key)
    if rule.source != "plugin":
        abort(422, _("Only a plugin's rule goes back to the plugin's numbers."))
    manage.update_rule(rule, {"reset": True})
    db.session.commit()
    flash(_("Point rule “%(rule)s” is back to the plugin's numbers.", rule=rule.name))
    return redirect(url_for("web.admin_point_rule", key=key))
