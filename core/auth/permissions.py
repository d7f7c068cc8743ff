"""Who may do what, and see which organisations.

Roles form one line, highest first (:data:`core.auth.models.ROLES`)::

    platform_operator > tenant_admin > org_manager > branch_secretary > member

Holding a role means holding every role below it, within the same scope. A grant's scope is
an organisation and its whole subtree, or the whole tenant (``org_id`` NULL;
``platform_operator`` and ``tenant_admin`` are always tenant-wide).

Seeing an organisation needs any grant covering it. An organisation outside the user's scope
is answered with 404, exactly like an unknown id, so its existence is not revealed.
"""

from __future__ import annotations

import copy
import functools

from flask import g, has_request_context
from flask_smorest.utils import deepupdate
from sqlalchemy import false, or_, true

from core.api.errors import abort
from core.auth import service
from core.auth.context import current_actor
from core.auth.models import ROLES, User
from core.orgs.models import Organization
from core.orgs.service import covers, subtree_filter
from core.tenancy import current_tenant_id_or_none

RANK = {role: rank for rank, role in enumerate(ROLES)}


def _rank(role: str) -> int:
    try:
        return RANK[role]
    except KeyError:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}") from None


def current_user() -> User | None:
    """The user acting now: the request's token holder, or — outside a request (a job, a
    CLI command acting for someone) — the user of the current actor, if any."""
    if has_request_context():
        return g.get("current_user")
    actor = current_actor()
    if actor is None or actor.user_id is None or current_tenant_id_or_none() is None:
        return None
    return service.get_user(actor.user_id)


def _scopes() -> list[tuple[str, str | None]]:
    """The current user's ``(role, org path or None)`` grants, cached for the request."""
    user = current_user()
    if user is None:
        return []
    if not has_request_context():
        return service.role_scopes(user.id)
    cached = g.get(service.SCOPE_CACHE_KEY)
    if cached is None or cached[0] != user.id:
        cached = (user.id, service.role_scopes(user.id))
        setattr(g, service.SCOPE_CACHE_KEY, cached)
    return cached[1]


def has_role(role: str, org: Organization | None = None) -> bool:
    """Does the current user hold ``role`` (or a higher one) …

    * on ``org`` — through a grant on ``org``, on one of its ancestors, or tenant-wide;
    * with ``org`` None — anywhere in the tenant.
    """
    need = _rank(role)
    for granted, path in _scopes():
        if RANK[granted] > need:
            continue
        if org is None or path is None or covers(path, org.path):
            return True
    return False


def visible_orgs_clause():
    """A WHERE clause on :class:`Organization` limiting it to what the current user sees:
    everything for a tenant-wide grant, the granted subtrees otherwise, nothing without
    grants (or without a user)."""
    paths = []
    for _role, path in _scopes():
        if path is None:
            return true()
        paths.append(path)
    # A subtree inside another granted subtree adds nothing to the OR.
    roots = [p for p in set(paths) if not any(o != p and covers(o, p) for o in paths)]
    if not roots:
        return false()
    return or_(*(subtree_filter(p) for p in sorted(roots)))


def require_org_access(org: Organization | None, role: str = "member") -> Organization:
    """``org`` if the current user holds ``role`` on it; 404 when the user cannot see it at
    all (as for an unknown id), 403 when they see it but lack the role."""
    _rank(role)
    if org is None or not has_role("member", org):
        # The same answer as core.api.get_or_404 gives an unknown id.
        abort(404, f"organization {org.id} not found" if org is not None else "organization not found")
    if not has_role(role, org):
        abort(403, f"This needs the {role} role on this organization.")
    return org


def visible_org(org_id, role: str = "member") -> Organization:
    """The organisation with id ``org_id`` (a UUID or its text) if the current user holds
    ``role`` on it: 404 for an unknown, foreign or out-of-scope id (one answer for all), 403
    when the user sees it but lacks the role."""
    from core.api.smorest import parse_id
    from core.orgs.service import get

    parsed = parse_id(org_id)
    org = get(parsed) if parsed is not None else None
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")
    return require_org_access(org, role=role)


def visible_record(model, record_id, what: str, role: str = "member"):
    """``(row, organisation)`` for the ``model`` row with id ``record_id`` (a UUID or its
    text), kept by the organisation in its ``org_id``: 404 — one answer for an unknown id,
    another tenant's and one whose organisation the user does not see — and 403 when the
    user sees it but lacks ``role`` there."""
    from sqlalchemy import select

    from core.api.smorest import parse_id
    from core.db import db
    from core.orgs.service import get

    parsed = parse_id(record_id)
    row = db.session.scalar(select(model).where(model.id == parsed)) if parsed is not None else None
    org = get(row.org_id) if row is not None else None
    if org is None or not has_role("member", org):
        abort(404, f"{what} {record_id} not found")
    if not has_role(role, org):
        abort(403, f"This needs the {role} role on this organization.")
    return row, org


def seen_records(stmt, model, filters=None):
    """``stmt`` (a SELECT of ``model``) joined to the organisation keeping each row
    (``model.org_id``) and limited to the organisations the user sees; ``filters`` (a list
    route's query arguments) may narrow it to one organisation (``org_id``) or a subtree
    (``subtree_of``: 404 when the user does not see that organisation)."""
    from core.orgs.service import subtree_filter

    filters = filters or {}
    stmt = stmt.join(Organization, Organization.id == model.org_id).where(visible_orgs_clause())
    if filters.get("org_id") is not None:
        stmt = stmt.where(model.org_id == filters["org_id"])
    if filters.get("subtree_of") is not None:
        stmt = stmt.where(subtree_filter(visible_org(filters["subtree_of"]).path))
    return stmt


_SECURITY_DOC = {"manual_doc": {"security": [{"bearerAuth": []}]}}


def _documented(wrapper):
    """Mark the view as needing the bearer token in the OpenAPI document."""
    wrapper._apidoc = deepupdate(copy.deepcopy(getattr(wrapper, "_apidoc", {})), _SECURITY_DOC)
    return wrapper


def login_required(view):
    """401 unless the request carries a valid token."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            abort(401, "Authentication required: send 'Authorization: Bearer <token>'.")
        return view(*args, **kwargs)

    return _documented(wrapper)


def roles_required(*roles: str):
    """401 without a user; 403 unless the user holds one of ``roles`` (or a higher role)
    somewhere in the tenant. Views still check the organisation they touch."""
    if not roles:
        raise ValueError("roles_required needs at least one role")
    for role in roles:
        _rank(role)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if current_user() is None:
                abort(401, "Authentication required: send 'Authorization: Bearer <token>'.")
            if not any(has_role(role) for role in roles):
                abort(403, f"This needs one of the roles: {', '.join(roles)}.")
            return view(*args, **kwargs)

        return _documented(wrapper)

    return decorate
