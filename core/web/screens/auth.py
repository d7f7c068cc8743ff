"""Logging in and out (登录、退出)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.api.errors import ApiError
from core.tenancy import current_tenant_id_or_none
from core.web import session
from core.web.blueprint import bp
from core.web.forms import LoginForm


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; 401 and 423 (locked) are shown beside the form, never as a page."""
    if current_tenant_id_or_none() is None:
        return render_template("web/error.html", status=404,
                               message=_("No city is served at this address.")), 404
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            session.log_in(form.username.data, form.password.data)
        except ApiError as exc:
            status = exc.status
            form.form_errors.append(
                _("The account is locked after too many failed logins; try again later.")
                if exc.status == 423 else _("Wrong username or password.")
            )
        else:
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("web/login.html", form=form), status


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
