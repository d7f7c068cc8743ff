"""Star thresholds and caps (评星定级设置), for tenant administrators: ``/admin/stars``.

The settings of ``/api/v1/cycles/settings`` — the four thresholds, the five-star cap, the
veto's stars and reasons, the two index formulas — as a form. Saving goes through
:func:`core.plugins.settings.set_overrides`, as the API's ``PUT`` does, which validates
everything (thresholds going down, ranges, formulas) and writes nothing when anything is
wrong; its errors are shown beside the fields they name. Only settings the administrator
changed (or the city had already changed) become the city's own: a setting left as its
default keeps following the default.
"""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from core.api.errors import ApiError
from core.assessment.settings import PLUGIN
from core.db import db
from core.plugins import settings as plugin_settings
from core.web import versions
from core.web.blueprint import bp, page
from core.web.screens.admin.service_messages import MESSAGES
from core.web.screens.admin.standards import render, require_admin
from core.web.service_errors import place

THRESHOLDS = ("five", "four", "three", "two")


class StarSettingsForm(FlaskForm):
    version = versions.version_field()
    five = StringField(_l("Five stars from (points)"), validators=[Length(max=20)])
    four = StringField(_l("Four stars from (points)"), validators=[Length(max=20)])
    three = StringField(_l("Three stars from (points)"), validators=[Length(max=20)])
    two = StringField(_l("Two stars from (points)"), validators=[Length(max=20)])
    five_star_cap = StringField(
        _l("Five-star cap (share of the organisations rated)"), validators=[Length(max=20)],
        description=_l("Between 0 and 1, e.g. 0.2 for at most 20%; empty: no cap"))
    veto_stars = SelectField(_l("Stars after a veto"), choices=[(str(n), str(n)) for n in range(1, 6)])
    veto_reasons = TextAreaField(_l("Veto reasons (one per line)"), validators=[Length(max=20000)])
    fortress_formula = StringField(
        _l("Fortress index formula"), validators=[Length(max=1000)],
        description=_l("Names: score, stars, members, avg_points, ind_<indicator>…"))
    vanguard_formula = StringField(
        _l("Vanguard index formula"), validators=[Length(max=1000)],
        description=_l("Names: points, branch_score, branch_stars, rank_in_branch, branch_size"))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def _shown(values: dict) -> dict:
    """The form's text for each setting."""
    thresholds = list(values["star_thresholds"])
    data = {name: _text(thresholds[n]) for n, name in enumerate(THRESHOLDS)}
    data.update(
        five_star_cap=_text(values["five_star_cap"]), veto_stars=str(values["veto_stars"]),
        veto_reasons="\n".join(values["veto_reasons"]),
        fortress_formula=values["fortress_formula"], vanguard_formula=values["vanguard_formula"],
    )
    return data


def _submitted(form: StarSettingsForm) -> dict:
    """Each setting as the settings schema takes it (text: the schema parses and checks)."""
    cap = (form.five_star_cap.data or "").strip()
    return {
        "star_thresholds": [(form[name].data or "").strip() for name in THRESHOLDS],
        "five_star_cap": cap or None,
        "veto_stars": form.veto_stars.data,
        "veto_reasons": [line.strip() for line in (form.veto_reasons.data or "").splitlines() if line.strip()],
        "fortress_formula": (form.fortress_formula.data or "").strip(),
        "vanguard_formula": (form.vanguard_formula.data or "").strip(),
    }


def _changed_keys(form: StarSettingsForm, shown: dict) -> set[str]:
    changed = set()
    if any((form[n].data or "").strip() != shown[n] for n in THRESHOLDS):
        changed.add("star_thresholds")
    for key in ("five_star_cap", "veto_stars", "fortress_formula", "vanguard_formula"):
        if (form[key].data or "").strip() != shown[key]:
            changed.add(key)
    lines = [line.strip() for line in (form.veto_reasons.data or "").splitlines() if line.strip()]
    if lines != shown["veto_reasons"].splitlines():
        changed.add("veto_reasons")
    return changed


def _place(form: StarSettingsForm, errors: dict) -> list[str]:
    """Errors beside their fields (``star_thresholds.<i>`` beside the i-th threshold); what
    concerns the thresholds together is returned, anything else goes above the form."""
    thresholds = {f"star_thresholds.{i}": name for i, name in enumerate(THRESHOLDS)}
    together = []
    for name, message in place(form, errors, MESSAGES, fields=thresholds):
        if name.split(".")[0] == "star_thresholds":
            together.append(message)
        else:
            form.form_errors.append(message)
    return together


@bp.route("/admin/stars", methods=["GET", "POST"])
@page
def admin_stars():
    require_admin()
    explained = plugin_settings.explain_settings(PLUGIN)
    values = {key: value for key, (value, _source) in explained.items()}
    overridden = {key for key, (_value, source) in explained.items() if source == "tenant"}
    shown = _shown(values)
    form = (StarSettingsForm() if request.method == "POST" else
            StarSettingsForm(data={**shown, "version": plugin_settings.settings_version(PLUGIN)}))
    together, status = [], 200
    if request.method == "POST":
        status = 422
        if form.validate():
            overrides = plugin_settings.tenant_overrides(PLUGIN)
            submitted = _submitted(form)
            for key in _changed_keys(form, shown) | (overridden & set(submitted)):
                overrides[key] = submitted[key]
            try:
                plugin_settings.set_overrides(PLUGIN, overrides,
                                              expected_version=versions.read(form))
            except ApiError as exc:
                db.session.rollback()
                if versions.is_conflict(exc):
                    versions.show_conflict(form)
                    status = exc.status
                elif isinstance(exc, plugin_settings.PluginSettingsError):
                    together = _place(form, exc.errors or {})
                else:
                    raise
            else:
                db.session.commit()
                flash(_("The star rating settings are saved; they apply from the next run or review."))
                return redirect(url_for("web.admin_stars"))
    return render("web/admin/stars.html", form=form, together=together,
                           overridden=overridden, thresholds=THRESHOLDS), status
