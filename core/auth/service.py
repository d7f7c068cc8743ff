"""Users, grants, password logins and API tokens: the auth slice's operations.

An administrator's change of an account (its member, password, lockout, active flag) counts
a ``version`` (:func:`core.db.versioning.bump`); a login's stamps do not.

Callers commit, with one exception: a failed login records itself (the failure counter and
the lockout must persist although the request that carried it fails).

Tokens are ``"<tenant id>.<secret>"``: the prefix lets a request find its tenant from the
token alone (:func:`core.tenancy.resolve.tenant_for_request`), and only the SHA-256 of the
secret is stored, so a database dump holds no usable token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import and_, case, select, update

from core.api.errors import ApiError
from core.auth import passwords
from core.auth.models import ROLES, TENANT_WIDE_ROLES, ApiToken, RoleGrant, User
from core.db import db
from core.db.mixins import utcnow
from core.db.versioning import bump
from core.orgs.models import Organization
from core.tenancy import current_tenant_id, current_tenant_id_or_none

BAD_LOGIN = "Invalid username or password."
USERNAME_RE = re.compile(r"[^\W_][\w.@-]{1,63}")  # \w: Chinese names are welcome
# Where core.auth.permissions caches the current user's grants for one request.
SCOPE_CACHE_KEY = "_dangjian_role_scopes"


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes (stored in UTC); PostgreSQL aware ones."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def iso(value: datetime) -> str:
    return as_utc(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- users -------------------------------------------------------------------------------


def normalize_username(username: str) -> str:
    return username.strip().lower()


def username_problems(username: str) -> list[str]:
    if not USERNAME_RE.fullmatch(username):
        return [
            "Username must be 2–64 characters: letters, digits and . _ @ -, "
            "starting with a letter or digit."
        ]
    return []


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalize_username(username)))


def get_user(user_id: uuid.UUID) -> User | None:
    return db.session.scalar(select(User).where(User.id == user_id))


def create_user(username: str, password: str, display_name: str | None = None) -> User:
    """A new active user of the current tenant (caller commits).

    422 naming ``username`` or ``password`` for bad values; 409 naming ``username`` when the
    name is taken in this tenant.
    """
    username = normalize_username(username)
    errors = {}
    if problems := username_problems(username):
        errors["username"] = problems
    if problems := passwords.password_problems(password):
        errors["password"] = problems
    if errors:
        raise ApiError(422, "Invalid user data.", errors)
    if find_user(username) is not None:
        raise ApiError(
            409, f"Username {username!r} is already taken.", {"username": ["Already taken."]}
        )
    user = User(
        username=username,
        display_name=(display_name or "").strip() or username,
        password_hash=passwords.hash_password(password),
        is_active=True,
        failed_logins=0,
    )
    db.session.add(user)
    db.session.flush()
    return user


def link_member(user: User, member_id: uuid.UUID | None) -> None:
    """Make ``user`` the account of register member ``member_id`` (None unlinks it).

    422 naming ``member_id`` for an unknown member; 409 when another account has it
    already (a member has at most one account). Caller commits."""
    if member_id is None:
        if user.member_id is not None:
            user.member_id = None
            bump(user)
        return
    from core.members import service as members

    if members.get_member(member_id) is None:
        raise ApiError(422, "Unknown member.", {"member_id": ["Unknown member."]})
    other = db.session.scalar(select(User).where(User.member_id == member_id, User.id != user.id))
    if other is not None:
        message = f"The member is already linked to the account {other.username!r}."
        raise ApiError(409, message, {"member_id": [message]})
    if user.member_id != member_id:
        user.member_id = member_id
        bump(user)


def set_password(user: User, password: str) -> None:
    """Replace ``user``'s password after checking the policy (caller commits)."""
    if problems := passwords.password_problems(password):
        raise ApiError(422, "Invalid password.", {"password": problems})
    user.password_hash = passwords.hash_password(password)
    bump(user)


def unlock(user: User) -> None:
    """Lift a lockout and clear the failure counter (caller commits)."""
    user.failed_logins = 0
    user.locked_until = None
    bump(user)


def set_active(user: User, active: bool) -> None:
    """Disable ``user`` (no login, every live token revoked at once) or enable them again.
    Accounts are disabled, never deleted: the audit log keeps naming them. Caller commits."""
    if user.is_active != active:
        user.is_active = active
        bump(user)
    if not active:
        revoke_all_tokens(user)


# -- grants ------------------------------------------------------------------------------


def grant(user: User, role: str, org: Organization | None = None) -> RoleGrant:
    """Give ``user`` ``role`` on ``org``'s subtree, or tenant-wide when ``org`` is None.

    Idempotent: an identical grant is returned as it is. ``platform_operator`` and
    ``tenant_admin`` are tenant-wide only. Caller commits.
    """
    if role not in ROLES:
        raise ApiError(422, f"role must be one of {', '.join(ROLES)}.", {"role": ["Unknown role."]})
    if role in TENANT_WIDE_ROLES and org is not None:
        raise ApiError(
            422,
            f"{role} is granted for the whole tenant, not on an organization.",
            {"org_id": [f"Must be empty for {role}."]},
        )
    org_id = org.id if org is not None else None
    existing = db.session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id,
            RoleGrant.role == role,
            RoleGrant.org_id.is_(None) if org_id is None else RoleGrant.org_id == org_id,
        )
    )
    if existing is not None:
        return existing
    row = RoleGrant(user_id=user.id, role=role, org_id=org_id)
    db.session.add(row)
    db.session.flush()
    if has_request_context():
        g.pop(SCOPE_CACHE_KEY, None)
    return row


def revoke_grant(user: User, grant_id: uuid.UUID) -> RoleGrant:
    """Remove ``user``'s grant ``grant_id``; 404 when ``user`` has no such grant (another
    user's grant is unknown here). Returns the removed row. Caller commits."""
    row = db.session.scalar(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.id == grant_id)
    )
    if row is None:
        raise ApiError(404, f"grant {grant_id} not found")
    db.session.delete(row)
    db.session.flush()
    if has_request_context():
        g.pop(SCOPE_CACHE_KEY, None)
    return row


def grants_of(user: User) -> list[tuple[RoleGrant, Organization | None]]:
    """``user``'s grants with their organisations, highest role first."""
    return grants_of_users([user.id]).get(user.id, [])


def grants_of_users(
    user_ids: list[uuid.UUID],
) -> dict[uuid.UUID, list[tuple[RoleGrant, Organization | None]]]:
    """The grants of several users in one query (a page of users), highest role first."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(RoleGrant, Organization)
        .outerjoin(Organization, Organization.id == RoleGrant.org_id)
        .where(RoleGrant.user_id.in_(user_ids))
    ).all()
    result: dict[uuid.UUID, list[tuple[RoleGrant, Organization | None]]] = {}
    for grant_, org in sorted(
        rows, key=lambda row: (ROLES.index(row[0].role), row[1].path if row[1] else "")
    ):
        result.setdefault(grant_.user_id, []).append((grant_, org))
    return result


def role_scopes(user_id: uuid.UUID) -> list[tuple[str, str | None]]:
    """``(role, org path or None)`` for each of the user's grants: what permissions need."""
    rows = db.session.execute(
        select(RoleGrant.role, Organization.path)
        .outerjoin(Organization, Organization.id == RoleGrant.org_id)
        .where(RoleGrant.user_id == user_id)
    ).all()
    return [(role, path) for role, path in rows]


# -- password login ----------------------------------------------------------------------


def authenticate_password(username: str, password: str) -> User:
    """The user these credentials belong to, or an :class:`ApiError`.

    401 with one message for an unknown user, a wrong password or a disabled account (no
    user enumeration); 423 for a locked account, even with the right password. Each failure
    is counted and committed at once; ``LOGIN_MAX_FAILURES`` consecutive ones lock the
    account for ``LOGIN_LOCKOUT``. Success clears the counter, records the login and
    upgrades an outdated hash (caller commits those).

    A locked account answers 423 without checking the password, so a lockout does show that
    the username exists: the price of telling a locked-out user why they cannot log in.
    """
    user = find_user(username)
    if user is None or not user.is_active:
        passwords.burn_time(password)
        raise ApiError(401, BAD_LOGIN)
    now = utcnow()
    locked_until = as_utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        raise ApiError(
            423,
            f"Account locked after too many failed logins; it unlocks at {iso(locked_until)}.",
        )
    if not passwords.verify(user.password_hash, password):
        _record_failure(user.id, now)
        raise ApiError(401, BAD_LOGIN)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def _record_failure(user_id: uuid.UUID, now: datetime) -> None:
    """Count a failed login in one UPDATE, so concurrent failures are all counted.

    A lockout that has run out starts a fresh count; reaching the limit sets ``locked_until``.
    Committed here: the request that carried the failure answers with an error.
    """
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    lock_until = now + current_app.config["LOGIN_LOCKOUT"]
    lapsed = and_(User.locked_until.is_not(None), User.locked_until <= now)
    count = case((lapsed, 0), else_=User.failed_logins) + 1
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            failed_logins=count,
            locked_until=case(
                (count >= limit, lock_until), (lapsed, None), else_=User.locked_until
            ),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# -- tokens ------------------------------------------------------------------------------


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[int, str] | None:
    """``(tenant id, secret)`` of a token string, or None when it has not that shape."""
    prefix, sep, secret = token.partition(".")
    if not sep or not prefix.isascii() or not prefix.isdigit() or len(prefix) > 12 or not secret:
        return None
    return int(prefix), secret


def issue_token(user: User) -> tuple[str, int]:
    """A new bearer token for ``user``: ``(token string, lifetime in seconds)``.

    The string is shown once; only its hash is kept. Caller commits.
    """
    ttl: timedelta = current_app.config["TOKEN_TTL"]
    secret = secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, token_hash=hash_secret(secret), expires_at=utcnow() + ttl)
    )
    return f"{current_tenant_id()}.{secret}", int(ttl.total_seconds())


def find_token(token: str) -> tuple[ApiToken, User] | None:
    """The live token row and its active user for ``token`` in the current tenant, or None
    (unknown, expired, revoked, issued for another tenant, user disabled)."""
    parsed = split_token(token)
    tenant_id = current_tenant_id_or_none()
    if parsed is None or tenant_id is None or parsed[0] != tenant_id:
        return None
    row = db.session.execute(
        select(ApiToken, User)
        .join(User, and_(User.tenant_id == ApiToken.tenant_id, User.id == ApiToken.user_id))
        .where(
            ApiToken.token_hash == hash_secret(parsed[1]),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(),
            User.is_active.is_(True),
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def revoke(token: str) -> bool:
    """Revoke ``token`` (caller commits); False when it is not a live token of this tenant."""
    found = find_token(token)
    if found is None:
        return False
    found[0].revoked_at = utcnow()
    return True


def revoke_all_tokens(user: User) -> int:
    """Revoke every live token of ``user`` (after a password reset); caller commits."""
    now = utcnow()
    result = db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
