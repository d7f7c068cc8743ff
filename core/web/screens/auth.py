"""Logging in and out (登录、退出).

Users belong to one city (tenant). On a city's own address the city is implied; on a
platform address (config ``PLATFORM_HOSTS``) the login form asks for the city's code and
logs in within that city only. Any other address that names no city serves no login (404).
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.api.errors import ApiError
from core.tenancy import current_tenant_id_or_none, tenant_context
from core.tenancy.resolve import tenant_by_host, tenant_by_slug
from core.web import session
from core.web.blueprint import bp
from core.web.forms import LoginForm, PlatformLoginForm


def platform_host() -> bool:
    """Whether the request's host is one of ``PLATFORM_HOSTS`` (a list, or a comma-separated
    string when set by hand)."""
    hosts = current_app.config.get("PLATFORM_HOSTS") or []
    if isinstance(hosts, str):
        hosts = hosts.split(",")
    return request.host.split(":", 1)[0].lower() in {h.strip().lower() for h in hosts}


def tenant_pinned() -> bool:
    """Whether the request's ``X-Tenant`` header or host names the city: then only that
    city's sessions work here, whatever a session cookie says."""
    return bool(request.headers.get("X-Tenant", "").strip()) or tenant_by_host(request.host) is not None


def choosing_city() -> bool:
    """A platform address that names no city: the user says which city to log in to."""
    return platform_host() and not tenant_pinned()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; 401 and 423 (locked) are shown beside the form, never as a page."""
    choosing = choosing_city()
    if not choosing and current_tenant_id_or_none() is None:
        return render_template("web/error.html", status=404,
                               message=_("No city is served at this address.")), 404
    form = PlatformLoginForm() if choosing else LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            if choosing:
                _log_in_to_city(form)
            else:
                session.log_in(form.username.data, form.password.data)
        except ApiError as exc:
            status = exc.status
            if exc.status == 404:
                status = 422  # invalid input: the city field
                form.city.errors.append(_("No city has this code."))
            else:
                form.form_errors.append(
                    _("The account is locked after too many failed logins; try again later.")
                    if exc.status == 423 else _("Wrong username or password.")
                )
        else:
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("web/login.html", form=form, choosing=choosing), status


def _log_in_to_city(form: PlatformLoginForm) -> None:
    """Log in within the city the form names (404 :class:`ApiError` for an unknown or
    inactive one); the session's token then names that city on every later request."""
    city = tenant_by_slug(form.city.data.strip().lower())
    if city is None or not city.is_active:
        raise ApiError(404, "unknown city")
    with tenant_context(city.id):
        session.log_in(form.username.data, form.password.data)


@bp.route("/logout", methods=["POST"])
def logout():
    session.log_out()
    return redirect(url_for("web.login"))


def safe_next(target: str | None, fallback: str | None = "") -> str | None:
    """Only a path on this site (no scheme, no host): an open redirect is refused. Anything
    else gives ``fallback`` (by default the dashboard)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.dashboard") if fallback == "" else fallback
