"""The auth API (``/api/v1/auth``: log in, revoke, who am I) and the users API
(``/api/v1/users``: tenant administrators manage the tenant's accounts).

Logging in needs the tenant (``X-Tenant`` header or the tenant's host name): usernames are
per tenant. Managing users needs ``tenant_admin``; a grant can never exceed the granter's own
role, so only a platform operator makes another.
"""

from __future__ import annotations

from flask import g
from sqlalchemy import func, select

from core.api import Blueprint, abort, get_or_404
from core.auth import service
from core.auth.context import Actor, acting_as
from core.auth.models import User
from core.auth.permissions import current_user, has_role, login_required, roles_required
from core.auth.request import bearer_token
from core.auth.schemas import (
    GrantCreateSchema,
    TokenRequestSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from core.db import db
from core.db.versioning import check_version
from core.orgs import service as orgs

auth_bp = Blueprint(
    "auth", __name__, description="Log in with a password; get and revoke bearer tokens."
)
users_bp = Blueprint("users", __name__, description="The tenant's user accounts and roles.")

NO_STORE = {"Cache-Control": "no-store"}


def user_view(user: User, grants=None) -> dict:
    """A user with their grants, as :class:`UserSchema` dumps it."""
    if grants is None:
        grants = service.grants_of(user)
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "is_active": user.is_active,
        "locked_until": user.locked_until,
        "last_login_at": user.last_login_at,
        "created_at": user.created_at,
        "member_id": user.member_id,
        "version": user.version,
        "grants": [
            {
                "id": grant.id,
                "role": grant.role,
                "org_id": grant.org_id,
                "org_code": org.code if org is not None else None,
                "org_name": org.name if org is not None else None,
            }
            for grant, org in grants
        ],
    }


@auth_bp.route("/token", methods=["POST"])
@auth_bp.arguments(TokenRequestSchema)
@auth_bp.response(200, TokenSchema)
@auth_bp.alt_response(401, description="Wrong username or password")
@auth_bp.alt_response(423, description="Account locked after repeated failures")
def issue_token(credentials):
    """Exchange a username and password for a bearer token."""
    user = service.authenticate_password(credentials["username"], credentials["password"])
    # The login's own writes (last login, the new token) are the user's, not anonymous.
    with acting_as(Actor(label=f"user:{user.username}", user_id=user.id)):
        token, expires_in = service.issue_token(user)
        db.session.commit()
    return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}, NO_STORE


@auth_bp.route("/revoke", methods=["POST"])
@login_required
@auth_bp.response(204)
def revoke_token():
    """Revoke the token this request carries (log out)."""
    service.revoke(bearer_token())
    db.session.commit()


@auth_bp.route("/me", methods=["GET"])
@login_required
@auth_bp.response(200, UserSchema)
def me():
    """The token's user and their role grants."""
    return user_view(current_user())


@users_bp.route("", methods=["GET"])
@roles_required("tenant_admin")
@users_bp.response(200, UserSchema(many=True))
@users_bp.paginate(page_size=50, max_page_size=500)
def list_users(pagination_parameters):
    """The tenant's users, by username."""
    pagination_parameters.item_count = db.session.scalar(select(func.count()).select_from(User))
    users = db.session.scalars(
        select(User)
        .order_by(User.username)
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    ).all()
    grants = service.grants_of_users([u.id for u in users])
    return [user_view(u, grants.get(u.id, [])) for u in users]


@users_bp.route("", methods=["POST"])
@roles_required("tenant_admin")
@users_bp.arguments(UserCreateSchema)
@users_bp.response(201, UserSchema)
def create_user(data):
    """Create a user (no roles yet: add them with ``POST /users/<id>/grants``)."""
    user = service.create_user(data["username"], data["password"], data["display_name"])
    if data["member_id"] is not None:
        service.link_member(user, data["member_id"])
    db.session.commit()
    return user_view(user, [])


@users_bp.route("/<user_id>", methods=["GET"])
@roles_required("tenant_admin")
@users_bp.response(200, UserSchema)
def get_user(user_id):
    return user_view(get_or_404(User, user_id, "user"))


@users_bp.route("/<user_id>", methods=["PATCH"])
@roles_required("tenant_admin")
@users_bp.arguments(UserUpdateSchema)
@users_bp.response(200, UserSchema)
def update_user(data, user_id):
    """Link the account to a register member (``member_id``; ``null`` unlinks): the member
    then sees their own points (``GET /api/v1/points/me``), card and redemptions."""
    user = get_or_404(User, user_id, "user")
    check_version(user, data.get("version"), "user")
    service.link_member(user, data["member_id"])
    db.session.commit()
    return user_view(user)


@users_bp.route("/<user_id>/grants", methods=["POST"])
@roles_required("tenant_admin")
@users_bp.arguments(GrantCreateSchema)
@users_bp.response(201, UserSchema)
def add_grant(data, user_id):
    """Grant a role, on an organisation's subtree or (``org_id`` null) tenant-wide."""
    user = get_or_404(User, user_id, "user")
    org = None
    if data["org_id"] is not None:
        org = orgs.get(data["org_id"])
        if org is None:
            abort(422, "Unknown organization.", {"org_id": ["Unknown organization."]})
    if not has_role(data["role"], org):
        abort(403, f"You cannot grant {data['role']}: it exceeds your own role.")
    service.grant(user, data["role"], org)
    db.session.commit()
    g.pop(service.SCOPE_CACHE_KEY, None)
    return user_view(user)
