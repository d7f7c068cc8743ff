"""Users and roles (用户与角色), for tenant administrators: the city's accounts, paged and
searchable, each with their role grants; a user's page grants a role on an organisation's
subtree, revokes one, links the account to a register member, resets the password, lifts
a lockout and disables or enables the account.

Everything goes through :mod:`core.auth.service` under the API's rules: nobody grants (or
revokes) a role above their own on that organisation — so only a platform operator makes
another —, tenant-wide roles never name an organisation, and an account holding a role
the administrator lacks (a platform operator) cannot be changed by them at all: resetting
its password would hand them that role.
"""

from __future__ import annotations

import functools

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from core.api.errors import ApiError
from core.api.smorest import parse_id
from core.auth import service as auth
from core.auth.models import User
from core.auth.permissions import has_role, visible_orgs_clause
from core.db import db, versioning
from core.db.mixins import utcnow
from core.members import service as members
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.web import versions
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.screens.admin.users_forms import (
    ActionForm,
    GrantForm,
    MemberLinkForm,
    NewUserForm,
    PasswordForm,
    role_label,
    show_errors,
    translated,
)
from core.web.session import current_web_user

SEARCH_LIMIT = 20  # organisations or members offered by a search on the user's page


def admin_page(view):
    """A page for tenant administrators: others get 403."""

    @page
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not has_role("tenant_admin"):
            abort(403, _("This page is for the city's administrators."))
        return view(*args, **kwargs)

    return wrapper


def _bad_form():
    abort(400, _("The form expired; please try again."))


def locked(user: User) -> bool:
    until = auth.as_utc(user.locked_until)
    return until is not None and until > utcnow()


@bp.route("/admin/users", methods=["GET", "POST"])
@admin_page
def admin_users():
    """The list (``?q=`` searches username and name) and the form creating a user."""
    form = NewUserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = auth.create_user(form.username.data, form.password.data, form.display_name.data)
            db.session.commit()
        except ApiError as exc:
            db.session.rollback()
            show_errors(form, exc)
            status = exc.status
        else:
            flash(_("User %(name)s created. Now give them a role.", name=user.username))
            return redirect(url_for("web.admin_user", user_id=user.id))
    elif request.method == "POST":
        status = 422
    q = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.username, User.id)
    if q:
        stmt = stmt.where(or_(User.username.contains(q.lower(), autoescape=True),
                              User.display_name.contains(q, autoescape=True)))
    users = paginate(stmt)
    grants = auth.grants_of_users([u.id for u in users.items])
    return render_template("web/admin/users.html", users=users, grants=grants, q=q, form=form,
                           locked=locked, role_label=role_label), status


def _user_or_404(user_id) -> User:
    parsed = parse_id(user_id)
    user = db.session.scalar(select(User).where(User.id == parsed)) if parsed else None
    if user is None:
        abort(404, _("No such user."))
    return user


def _managed_user(user_id) -> User:
    """The user to change: 404 when unknown here, 403 when they hold a role the
    administrator lacks (a platform operator), and the form's CSRF token checked."""
    user = _user_or_404(user_id)
    if not all(has_role(g.role, org) for g, org in auth.grants_of(user)):
        abort(403, _("This account holds a role above yours; you cannot change it."))
    return user


@bp.route("/admin/users/<user_id>")
@admin_page
def admin_user(user_id):
    return _user_page(_user_or_404(user_id))


def _user_page(user: User, status: int = 200, **forms):
    grant_form = forms.get("grant_form") or GrantForm(formdata=None)
    if "grant_form" not in forms and request.args.get("org_code"):
        grant_form.org_code.data = request.args["org_code"]
    org_q = request.args.get("org_q", "").strip()
    member_q = request.args.get("member_q", "").strip()
    member = members.get_member(user.member_id) if user.member_id else None
    return render_template(
        "web/admin/user.html", user=user, grants=auth.grants_of(user), locked=locked(user),
        role_label=role_label, grant_form=grant_form,
        password_form=forms.get("password_form") or PasswordForm(formdata=None),
        member_form=forms.get("member_form") or MemberLinkForm(formdata=None),
        action_form=ActionForm(formdata=None), member=member,
        member_org=orgs.get(member.org_id) if member else None,
        manageable=all(has_role(g.role, org) for g, org in auth.grants_of(user)),
        is_self=user.id == current_web_user().id,
        org_q=org_q, org_hits=_find_orgs(org_q), member_q=member_q,
        member_hits=_find_members(member_q),
    ), status


def _find_orgs(q: str) -> list[Organization]:
    """Up to :data:`SEARCH_LIMIT` visible organisations whose name has ``q`` or whose code
    starts with it: a city of 5,000 organisations is searched, never listed."""
    if not q:
        return []
    return list(db.session.scalars(
        select(Organization)
        .where(visible_orgs_clause(),
               or_(Organization.name.contains(q, autoescape=True),
                   Organization.code.startswith(q, autoescape=True)))
        .order_by(Organization.depth, Organization.code).limit(SEARCH_LIMIT)
    ))


def _find_members(q: str) -> list[tuple[Member, str]]:
    """Up to :data:`SEARCH_LIMIT` visible members by name or pinyin initials, with their
    organisation's name."""
    if not q:
        return []
    stmt = members.search(q=q).add_columns(Organization.name).limit(SEARCH_LIMIT)
    return [(m, org_name) for m, org_name in db.session.execute(stmt)]


@bp.route("/admin/users/<user_id>/grants", methods=["POST"])
@admin_page
def admin_user_grant(user_id):
    """Grant a role on the subtree of the organisation named by its code (none: the whole
    city); the organisation must be one the administrator sees."""
    user = _managed_user(user_id)
    form = GrantForm()
    if not form.validate_on_submit():
        return _user_page(user, 422, grant_form=form)
    code = (form.org_code.data or "").strip()
    org = orgs.by_code(code) if code else None
    if code and (org is None or not has_role("member", org)):
        form.org_code.errors = [_("No organisation has this code.")]
        return _user_page(user, 422, grant_form=form)
    if not has_role(form.role.data, org):
        form.role.errors = [_("You cannot grant a role above your own.")]
        return _user_page(user, 403, grant_form=form)
    try:
        auth.grant(user, form.role.data, org)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        show_errors(form, exc, {"org_id": "org_code"})
        return _user_page(user, exc.status, grant_form=form)
    flash(_("Granted %(role)s.", role=role_label(form.role.data)))
    return redirect(url_for("web.admin_user", user_id=user.id))


@bp.route("/admin/users/<user_id>/grants/<grant_id>/revoke", methods=["POST"])
@admin_page
def admin_user_revoke(user_id, grant_id):
    user = _managed_user(user_id)
    if not ActionForm().validate_on_submit():
        _bad_form()
    found = next(((g, org) for g, org in auth.grants_of(user) if g.id == parse_id(grant_id)), None)
    if found is None:
        abort(404, _("No such grant."))
    grant, org = found
    if user.id == current_web_user().id and grant.role in ("tenant_admin", "platform_operator"):
        abort(409, _("You cannot take away your own administration role."))
    auth.revoke_grant(user, grant.id)
    db.session.commit()
    flash(_("Revoked %(role)s.", role=role_label(grant.role)))
    return redirect(url_for("web.admin_user", user_id=user.id))


@bp.route("/admin/users/<user_id>/member", methods=["POST"])
@admin_page
def admin_user_member(user_id):
    """Link the account to a register member (``member_id``; empty unlinks)."""
    user = _managed_user(user_id)
    form = MemberLinkForm()
    if not form.validate_on_submit():
        _bad_form()
    member_id = None
    if form.member_id.data:
        member_id = parse_id(form.member_id.data)
        if member_id is None:
            form.member_id.errors = [translated("Unknown member.")]
            return _user_page(user, 422, member_form=form)
    try:
        versioning.check_version(user, versions.read(form), "user")
        auth.link_member(user, member_id)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        if versions.is_conflict(exc):
            versions.show_conflict(form)
        else:
            show_errors(form, exc)
        return _user_page(_managed_user(user_id), exc.status, member_form=form)
    flash(_("Member linked.") if member_id else _("Member unlinked."))
    return redirect(url_for("web.admin_user", user_id=user.id))


@bp.route("/admin/users/<user_id>/password", methods=["POST"])
@admin_page
def admin_user_password(user_id):
    """A new password under the policy; the lockout is lifted and every session ends."""
    user = _managed_user(user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        return _user_page(user, 422, password_form=form)
    try:
        auth.set_password(user, form.password.data)
    except ApiError as exc:
        db.session.rollback()
        show_errors(form, exc)
        return _user_page(user, exc.status, password_form=form)
    auth.unlock(user)
    auth.revoke_all_tokens(user)
    db.session.commit()
    flash(_("Password replaced; the user's sessions have ended."))
    return redirect(url_for("web.admin_user", user_id=user.id))


@bp.route("/admin/users/<user_id>/unlock", methods=["POST"])
@admin_page
def admin_user_unlock(user_id):
    user = _managed_user(user_id)
    if not ActionForm().validate_on_submit():
        _bad_form()
    auth.unlock(user)
    db.session.commit()
    flash(_("Account unlocked."))
    return redirect(url_for("web.admin_user", user_id=user.id))


@bp.route("/admin/users/<user_id>/active", methods=["POST"])
@admin_page
def admin_user_active(user_id):
    """Disable (``active=0``: no login, sessions end) or enable (``active=1``) the account."""
    user = _managed_user(user_id)
    if not ActionForm().validate_on_submit() or request.form.get("active") not in ("0", "1"):
        _bad_form()
    active = request.form["active"] == "1"
    if not active and user.id == current_web_user().id:
        abort(409, _("You cannot disable your own account."))
    auth.set_active(user, active)
    db.session.commit()
    flash(_("Account enabled.") if active else _("Account disabled; its sessions have ended."))
    return redirect(url_for("web.admin_user", user_id=user.id))

