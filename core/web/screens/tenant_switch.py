"""Switching city (切换城市), for platform operators.

Accounts belong to one city, so an operator works in another city through their own
account there: switching asks for that account's password and checks, in the target city,
that it holds ``platform_operator``. A missing account, a wrong password and an account
that is no operator there all get the same answer (no account enumeration); failures count
toward that account's lockout like any login. On success the old session token is revoked
and a token of the target city takes its place.

A session names its city by its token, so switching works only where the address names no
city (a platform host, ``PLATFORM_HOSTS``, or any address serving no tenant): on a city's
own address only that city's sessions work, and the switch is refused.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from core.api.errors import ApiError
from core.auth import service as auth
from core.auth.context import Actor, acting_as
from core.auth.permissions import has_role
from core.db import db
from core.tenancy import current_tenant_id, tenant_context
from core.tenancy.models import Tenant
from core.tenancy.service import list_tenants
from core.web import session as web_session
from core.web.blueprint import bp, page
from core.web.forms import SwitchCityForm
from core.web.screens.auth import tenant_pinned

OPERATOR = "platform_operator"


@bp.route("/switch-city", methods=["GET", "POST"])
@page
def tenant_switch():
    if not has_role(OPERATOR):
        abort(403, _("Only platform operators switch cities."))
    here = current_tenant_id()
    tenants = [t for t in list_tenants() if t.is_active]
    current = next((t for t in tenants if t.id == here), None)
    others = {t.slug: t for t in tenants if t.id != here}
    pinned = tenant_pinned()
    form = SwitchCityForm()
    form.city.choices = [SelectChoice(slug, f"{t.name}（{slug}）") for slug, t in others.items()]
    status = 200
    if request.method == "POST" and pinned:
        form.validate_on_submit()  # the CSRF check still runs
        form.form_errors.append(_("This address serves one city only; switch cities at the "
                                  "platform address."))
        status = 409
    elif form.validate_on_submit():
        try:
            _switch(others[form.city.data], form.password.data)
        except ApiError as exc:
            status = exc.status
            form.password.errors.append(
                _("The account is locked after too many failed logins; try again later.")
                if exc.status == 423 else _("Wrong password, or you are not a platform operator "
                                            "in that city."))
        else:
            return redirect(url_for("web.dashboard"))
    elif request.method == "POST":
        status = 422
    return render_template("web/tenant_switch.html", form=form, tenants=tenants,
                           current=current, pinned=pinned), status


def _switch(target: Tenant, password: str) -> None:
    """Log the current operator in to ``target`` by their password there, then replace the
    session's token. 401 :class:`ApiError` for every refusal but a lockout (423)."""
    username = web_session.current_web_user().username
    origin = db.session.get(Tenant, current_tenant_id()).slug
    old_token = web_session.cookie_token()
    # Writes in the target city (failure counts, last login) name where the attempt came from.
    with tenant_context(target.id), acting_as(Actor(label=f"switch:{origin}/{username}")):
        issued = _operator_token(username, password)
    if old_token is not None:
        auth.revoke(old_token)
        db.session.commit()
    cookie.clear()  # a new session id, as at login
    cookie[web_session.KEY] = issued
    cookie.permanent = True


def _operator_token(username: str, password: str) -> str:
    """In the target city (the current tenant): a new token for ``username`` if the password
    is theirs and they are a platform operator there."""
    refused = ApiError(401, auth.BAD_LOGIN)
    try:
        user = auth.authenticate_password(username, password)
    except ApiError as exc:
        # A lockout is told only to a real operator there, else it would reveal the account.
        if exc.status == 423 and _operator_named(username):
            raise
        raise refused from None
    if not any(role == OPERATOR for role, _path in auth.role_scopes(user.id)):
        db.session.rollback()  # no trace of a login that is refused
        raise refused
    with acting_as(Actor(label=f"user:{user.username}", user_id=user.id)):
        issued, _expires_in = auth.issue_token(user)
        db.session.commit()
    return issued


def _operator_named(username: str) -> bool:
    user = auth.find_user(username)
    return user is not None and any(role == OPERATOR for role, _p in auth.role_scopes(user.id))
