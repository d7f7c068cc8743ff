"""Plugins (插件): which installed sector plugins this city uses, and every plugin's settings.

Enabling and disabling call :func:`core.plugins.service.set_enabled` with the check the
``dangjian plugins enable`` command makes (settings stored while a plugin was off must still
be valid). Settings are the tenant layer of :mod:`core.plugins.settings`: shown with where
each value comes from (default, global, tenant), saved with ``set_overrides``.

The tenant file wins: ``dangjian tenants sync`` (``core.tenancy.service.apply``) sets every
installed plugin's enabled flag and replaces its tenant overrides with what the city's
``tenants/<slug>.toml`` says. So for a city with a tenant file, a change made here lasts
until the next sync unless the file is changed too; the pages say so and show where the
file differs. Built-in plugins' settings (assessment, points, problems) are not in the file
and are never touched by a sync.
"""

from __future__ import annotations

from pathlib import Path

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from core.api.errors import ApiError, abort
from core.db import db
from core.plugins import service
from core.plugins import settings as plugin_settings
from core.plugins.manager import (
    DEFAULT_PLUGINS,
    call_for_each,
    get_manager,
    installed_plugins,
    plugin_version,
)
from core.tenancy import current_tenant_id
from core.tenancy.files import TenantFileError, TenantSpec, load_file
from core.tenancy.models import Tenant
from core.web import versions
from core.web.blueprint import bp
from core.web.screens.admin import plugins_form, plugins_labels
from core.web.screens.admin.hub import admin_page


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


def tenant_file() -> TenantSpec | None:
    """This city's tenant file, if the platform keeps one (``TENANTS_DIR`` or ./tenants)."""
    from core.tenancy.cli import tenants_dir

    slug = db.session.scalar(select(Tenant.slug).where(Tenant.id == current_tenant_id()))
    directory = tenants_dir()
    if not directory.is_dir():
        return None
    for path in sorted(directory.glob("*.toml")):
        try:
            spec = load_file(path)
        except TenantFileError:
            continue
        if spec.slug == slug:
            spec.source = Path(path).name
            return spec
    return None


def _sectors() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, result in call_for_each("dangjian_sectors", get_manager()):
        found.setdefault(name, []).extend(sector.name for sector in result)
    return found


def _docstring(plugin) -> str:
    return ((getattr(plugin, "__doc__", None) or "").strip().splitlines() or [""])[0]


def _listing(errors: dict | None = None, status: int = 200):
    enabled = service.enabled_plugins()
    spec = tenant_file()
    sectors = _sectors()
    installed = [
        {"name": name, "title": plugins_labels.plugin_name(name),
         "description": plugins_labels.plugin_description(name, _docstring(plugin)),
         "version": plugin_version(name), "sectors": sectors.get(name, []),
         "enabled": name in enabled,
         "in_file": (name in spec.plugins) if spec is not None else None,
         "has_settings": plugin_settings.schema_for(name) is not None}
        for name, plugin in sorted(installed_plugins().items())
    ]
    builtin = [
        {"name": name, "title": plugins_labels.plugin_name(name),
         "description": plugins_labels.plugin_description(name, "")}
        for name in DEFAULT_PLUGINS if plugin_settings.schema_for(name) is not None
    ]
    return render_template("web/admin/plugins.html", installed=installed, builtin=builtin,
                           spec=spec, form=ActionForm(), errors=errors or {}), status


@bp.route("/admin/plugins")
@admin_page
def admin_plugins():
    return _listing()


def _installed_or_404(name: str) -> None:
    if name not in installed_plugins():
        abort(404, f"plugin {name} not found")


@bp.route("/admin/plugins/<name>/<any(enable, disable):change>", methods=["POST"])
@admin_page
def admin_plugin_toggle(name, change):
    _installed_or_404(name)
    ActionForm().validate_on_submit()  # CSRF is checked for every POST by CSRFProtect
    enable = change == "enable"
    if enable:
        try:  # settings stored while it was off must still be valid (as the CLI checks)
            plugin_settings.effective_settings(name)
        except plugin_settings.PluginSettingsError as exc:
            db.session.rollback()
            message = _("Its settings are no longer valid; correct them first: %(problem)s",
                        problem=exc.message)
            return _listing({name: message}, 422)
    service.set_enabled(name, enable)
    db.session.commit()
    title = plugins_labels.plugin_name(name)
    flash(_("%(plugin)s enabled.", plugin=title) if enable else _("%(plugin)s disabled.", plugin=title))
    return redirect(url_for("web.admin_plugins"))


def _configurable_or_404(name: str):
    try:
        service.check_configurable(name)
        schema = plugin_settings.schema_for(name)
    except service.UnknownPlugin:
        abort(404, f"plugin {name} not found")
    return schema


def _explained(name: str, schema) -> tuple[dict, str | None]:
    """What is in effect with its source; when the stored overrides no longer load (a
    plugin upgrade tightened a rule), the stored values are shown with the reason."""
    try:
        return plugin_settings.explain_settings(name), None
    except plugin_settings.PluginSettingsError as exc:
        stored = plugin_settings.tenant_overrides(name)
        keys = plugins_form.input_keys(schema)
        explained = {attr: (value, "default") for attr, value in plugin_settings.defaults(name).items()}
        for key, value in stored.items():
            if key in keys:
                explained[keys[key]] = (value, "tenant")
        return explained, exc.message


@bp.route("/admin/plugins/<name>", methods=["GET", "POST"])
@admin_page
def admin_plugin_settings(name):
    schema = _configurable_or_404(name)
    spec = tenant_file() if name in installed_plugins() else None
    context = {"name": name, "shown": plugins_form.shown, "title": plugins_labels.plugin_name(name),
               "builtin": name not in installed_plugins(), "spec": spec,
               "enabled": name in DEFAULT_PLUGINS or service.is_enabled(name),
               "file_settings": spec.plugin_settings.get(name, {}) if spec is not None else None}
    if schema is None:
        return render_template("web/admin/plugins_settings.html", rows=[], form=ActionForm(),
                               problems=[], **context)
    explained, problem = _explained(name, schema)
    rows = plugins_form.settings_rows(schema, explained, plugin_settings.defaults(name))
    form = plugins_form.build_form(rows, version=plugin_settings.settings_version(name))
    problems = [problem] if problem else []
    if request.method == "POST" and form.validate_on_submit():
        current = plugin_settings.tenant_overrides(name)
        overrides, unreadable = plugins_form.overrides_from(form, rows, current)
        try:
            if unreadable:
                raise plugin_settings.PluginSettingsError(name, unreadable)
            plugin_settings.set_overrides(name, overrides, expected_version=versions.read(form))
        except ApiError as exc:
            db.session.rollback()
            if versions.is_conflict(exc):
                problems = [str(versions.CONFLICT)]
            elif isinstance(exc, plugin_settings.PluginSettingsError):
                problems = plugins_form.place_errors(form, exc.errors)
            else:
                raise
            return render_template("web/admin/plugins_settings.html", rows=rows, form=form,
                                   problems=problems, **context), exc.status
        db.session.commit()
        flash(_("Settings of %(plugin)s saved.", plugin=context["title"]))
        return redirect(url_for("web.admin_plugin_settings", name=name))
    return render_template("web/admin/plugins_settings.html", rows=rows, form=form,
                           problems=problems, **context)
