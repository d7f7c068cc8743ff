"""Browser sessions: logging in puts an API token in the signed session cookie.

The token is issued exactly as ``POST /api/v1/auth/token`` issues one (same password check,
lockout and expiry) and revoked at logout. ``core.app`` reads it only for the web
blueprint's requests, so the JSON API never accepts the cookie (no CSRF exposure there).
"""

from __future__ import annotations

from flask import g, session

from core.auth import service
from core.auth.context import Actor, acting_as
from core.db import db

KEY = "dangjian_token"
BLUEPRINT = "web"


def cookie_token() -> str | None:
    """The token the session cookie carries, unchecked (the tenant is not known yet)."""
    value = session.get(KEY)
    return value if isinstance(value, str) and value else None


def still_valid(value: str) -> bool:
    """Whether the session's token still works for the request's tenant; a stale one is
    dropped from the session."""
    if service.find_token(value) is not None:
        return True
    session.pop(KEY, None)
    return False


def log_in(username: str, password: str):
    """Check the credentials (401/423 :class:`ApiError` as the API) and start a session."""
    user = service.authenticate_password(username, password)
    with acting_as(Actor(label=f"user:{user.username}", user_id=user.id)):
        issued, _expires_in = service.issue_token(user)
        db.session.commit()
    session.clear()  # a new session id for the logged-in user
    session[KEY] = issued
    session.permanent = True
    return user


def log_out() -> None:
    value = session.pop(KEY, None)
    if value is not None:
        service.revoke(value)
        db.session.commit()
    session.clear()


def current_web_user():
    return g.get("current_user")
