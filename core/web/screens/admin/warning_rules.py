"""Warning rules (预警规则): every rule this city has, switched on or off, with its
parameters (thresholds) — the same :mod:`core.warnings.service` calls as
``PATCH /api/v1/warnings/rules/<key>``, so each change is audited and switching a rule off
resolves its open warnings at once. A sweep is started as the API starts it (the
``warnings.sweep`` job) and followed on the job page.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from core.api.errors import ApiError, abort
from core.db import db
from core.jobs import service as jobs
from core.warnings import registry, service
from core.warnings.plugin import SWEEP_JOB
from core.web import versions
from core.web.blueprint import bp
from core.web.screens.admin import plugins_form
from core.web.screens.admin.hub import admin_page
from core.web.screens.admin.plugins import ActionForm


def _described(key: str) -> dict:
    found = next((r for r in service.describe_rules() if r["key"] == key), None)
    if found is None:
        abort(404, f"warning rule {key} not found")
    return found


@bp.route("/admin/warning-rules")
@admin_page
def admin_warning_rules():
    rules = service.describe_rules()
    for rule in rules:
        schema = registry.params_schema(service.rule_or_none(rule["key"]))
        rule["shown"] = _shown_params(schema, rule["params"]) if schema is not None else []
    return render_template("web/admin/warning_rules.html", rules=rules, form=ActionForm())


def _shown_params(schema, params) -> list[tuple[str, str]]:
    rows = plugins_form.settings_rows(
        schema, {attr: (value, "default") for attr, value in (params or {}).items()}, {})
    return [(row.label, plugins_form.shown(row.value, row.kind)) for row in rows]


@bp.route("/admin/warning-rules/<key>/<any(enable, disable):change>", methods=["POST"])
@admin_page
def admin_warning_rule_toggle(key, change):
    rule = _described(key)
    service.update_rule(key, enabled=change == "enable")
    db.session.commit()
    flash(_("“%(rule)s” switched on.", rule=rule["name"]) if change == "enable"
          else _("“%(rule)s” switched off; its open warnings are resolved.", rule=rule["name"]))
    return redirect(url_for("web.admin_warning_rules") + f"#rule-{key}")


@bp.route("/admin/warning-rules/<key>", methods=["GET", "POST"])
@admin_page
def admin_warning_rule(key):
    described = _described(key)
    schema = registry.params_schema(service.rule_or_none(key))
    overrides = described["overrides"]
    rows = []
    if schema is not None:
        params = described["params"] or {**described["defaults"], **overrides}
        explained = {attr: (value, "tenant" if attr in overrides else "default")
                     for attr, value in params.items()}
        rows = plugins_form.settings_rows(schema, explained, described["defaults"])
    form = plugins_form.build_form(rows, version=described["version"])
    problems = [described["error"]] if described["error"] else []
    status = 200
    if request.method == "POST" and form.validate_on_submit() and rows:
        new, unreadable = plugins_form.overrides_from(form, rows, overrides)
        try:
            if unreadable:
                raise ApiError(422, "unreadable input", unreadable)
            service.update_rule(key, params=_typed(schema, new),
                                expected_version=versions.read(form))
        except ApiError as exc:
            db.session.rollback()
            if versions.is_conflict(exc):
                problems = [str(versions.CONFLICT)]
            else:
                problems = plugins_form.place_errors(form, exc.errors, prefix="params.")
                if not exc.errors:
                    problems.append(exc.message)
            status = exc.status if versions.is_conflict(exc) else 422
        else:
            db.session.commit()
            flash(_("Parameters of “%(rule)s” saved.", rule=described["name"]))
            return redirect(url_for("web.admin_warning_rule", key=key))
    return render_template("web/admin/warning_rules_edit.html", rule=described, rows=rows,
                           form=form, problems=problems, shown=plugins_form.shown,
                           toggle=ActionForm()), status


def _typed(schema, overrides: dict) -> dict:
    """The overrides as the schema types them ("2" → 2), as the API's JSON would give them;
    left as typed when they do not load (the service then names the bad field)."""
    try:
        dumped = schema.dump(schema.load(overrides))
    except ValidationError:
        return overrides
    return {key: dumped.get(key, value) for key, value in overrides.items()}


@bp.route("/admin/warning-rules/sweep", methods=["POST"])
@admin_page
def admin_warning_sweep():
    """Sweep every rule now, as ``POST /api/v1/warnings/sweep`` does, and follow the job."""
    job = jobs.enqueue(SWEEP_JOB)
    done = ("web.warning_list" if "web.warning_list" in current_app.view_functions
            else "web.admin_warning_rules")
    return redirect(url_for("web.job_page", job_id=job.id, next=url_for(done)))
