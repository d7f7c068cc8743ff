"""Browser sessions: logging in puts an API token in the signed session cookie.

The token is issued exactly as ``POST /api/v1/auth/token`` issues one (same password check,
lockout and expiry) and revoked at logout. ``core.app`` reads it only for the web
blueprint's requests, so the JSON API never accepts the cookie (no CSRF exposure there).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, g, session
from flask_babel import gettext as _

from core.auth import service
from core.auth.context import Actor, acting_as
from core.db import db
from core.db.mixins import utcnow

KEY = "dangjian_token"
BLUEPRINT = "web"


def cookie_token() -> str | None:
    """The token the session cookie carries, unchecked (the tenant is not known yet)."""
    value = session.get(KEY)
    return value if isinstance(value, str) and value else None


def still_valid(value: str) -> bool:
    """Whether the session's token still works for the request's tenant; a stale one is
    dropped from the session. A session left idle longer than ``SESSION_IDLE_TIMEOUT``
    (30 minutes by default; 等保's session timeout) ends: its token is revoked, and the login
    page says why."""
    found = service.find_token(value)
    if found is not None and not idle(found[0]):
        return True
    if found is not None:
        service.revoke(value)
        db.session.commit()
        flash(_("Your session ended after a period of inactivity; please log in again."), "error")
    session.pop(KEY, None)
    return False


def idle(token) -> bool:
    """The token was last used (or issued) longer ago than the idle timeout. Its
    ``last_used_at`` is written at most once a minute, so the timeout is that precise."""
    limit = current_app.config.get("SESSION_IDLE_TIMEOUT") or timedelta(0)
    if limit <= timedelta(0):
        return False
    last = service.as_utc(token.last_used_at or token.created_at)
    return utcnow() - last > limit


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
