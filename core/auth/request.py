"""The user of an HTTP request, from its ``Authorization: Bearer`` token.

``core.app`` calls, for each request: :func:`bearer_token`, :func:`token_tenant_hint` (so a
token alone can select its tenant), then — once the tenant is in context —
:func:`authenticate`; at teardown :func:`forget`.

Only the ``Bearer`` scheme is ours. Another scheme (``Basic`` from an intranet proxy in front
of the site, say) is not a token and is ignored; a ``Bearer`` header without exactly one
well-formed token is refused with 401.
"""

from __future__ import annotations

import contextvars
from datetime import timedelta

from flask import g, request
from sqlalchemy import update

from core.api.errors import abort
from core.auth import service
from core.auth.context import Actor, reset_actor, set_actor
from core.auth.models import ApiToken
from core.auth.service import SCOPE_CACHE_KEY
from core.db import db
from core.db.mixins import utcnow

MAX_TOKEN_LENGTH = 512
# last_used_at is informative; writing it on every request would cost a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
INVALID_TOKEN = "Invalid, expired or revoked token."


def bearer_token() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = rest.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or any(c.isspace() for c in token):
        abort(401, "Malformed Authorization header: expected 'Bearer <token>'.")
    return token


def token_tenant_hint(token: str | None) -> int | None:
    if token is None:
        return None
    parsed = service.split_token(token)
    return parsed[0] if parsed is not None else None


def authenticate(token: str) -> contextvars.Token:
    """Make the token's user the actor of this request, or answer 401.

    The lookup is scoped to the request's tenant: a token issued for another tenant is
    unknown here, whatever the ``X-Tenant`` header says.
    """
    found = service.find_token(token)
    if found is None:
        abort(401, INVALID_TOKEN)
    api_token, user = found
    token_id, last_used = api_token.id, service.as_utc(api_token.last_used_at)
    actor_token = set_actor(Actor(label=f"user:{user.username}", user_id=user.id))
    try:
        now = utcnow()
        if last_used is None or now - last_used > LAST_USED_RESOLUTION:
            db.session.execute(
                update(ApiToken)
                .where(ApiToken.id == token_id)
                .values(last_used_at=now)
                .execution_options(synchronize_session=False, bookkeeping=True)
            )
            db.session.commit()
    except BaseException:
        reset_actor(actor_token)  # core.app only forgets what this function returned
        raise
    g.current_token_id = token_id
    g.current_user = user
    return actor_token


def forget(token: contextvars.Token) -> None:
    for key in ("current_user", "current_token_id", SCOPE_CACHE_KEY):
        g.pop(key, None)
    reset_actor(token)
