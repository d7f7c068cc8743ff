"""Rate limits on logging in and on the API (等保 2.0: 登录失败处理, 资源控制), with
Flask-Limiter.

* **Logging in** (``POST /api/v1/auth/token`` and the web login form): *failed* attempts are
  counted per client address (``RATELIMIT_LOGIN_PER_ADDRESS``) and per (tenant, username)
  (``RATELIMIT_LOGIN_PER_ACCOUNT``); past either, the next attempt is answered 429 before the
  password is even checked. Successes are not counted: a county office behind one NAT
  address logging in at 8:30 must not lock itself out, and a password guesser's attempts are
  failures. The per-account limit sits above ``LOGIN_MAX_FAILURES``, so a user first meets
  the lockout (423, which says why); the limit then bounds what hammering a locked or unknown
  account costs. Concurrent attempts are checked before any is counted, so a burst may
  overshoot by the server's concurrency, no more.
* **The API** (every ``/api/`` request): per bearer token — one that authenticated; a forged
  token is refused (401) before it gets here — else per client address
  (``RATELIMIT_API``). Generous by default: it stops a runaway script, not a busy client.

The client address is ``request.remote_addr``: behind ``TRUSTED_PROXIES`` reverse proxies it
is the address they forwarded (``core.web.headers`` installs ``ProxyFix``), and without them a
client's own ``X-Forwarded-For`` is ignored, so a forged header evades nothing.

Counters live in Redis when ``REDIS_URL`` is set (shared by every gunicorn worker; keys under
``RATELIMIT_KEY_PREFIX``, by default the job queue's name) and in process memory otherwise.
If Redis cannot be reached the limiter **fails open**: it logs a warning, counts in each
worker's memory until Redis answers again, and a request never fails because of it.

Limits are Flask-Limiter strings (``"20 per minute; 200 per hour"``), read from the app's
config on every request, so a test or an operator's config can change them.
"""

from __future__ import annotations

import hashlib
import logging
import time

from flask import Flask, current_app, jsonify, make_response, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded

from core.api.errors import error_body
from core.tenancy.context import current_tenant_id_or_none

log = logging.getLogger(__name__)

EXTENSION = "dangjian_limiter"
API_ENDPOINT = "auth.issue_token"
WEB_ENDPOINT = "web.login"
LOGIN_ENDPOINTS = frozenset({API_ENDPOINT, WEB_ENDPOINT})
# Redis answers in microseconds on a LAN; a dead one must not hold a request for long.
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}


def client_address() -> str:
    """The client's address as the request arrived (after ``ProxyFix`` when trusted)."""
    return f"addr:{request.remote_addr or 'unknown'}"


def _digest(*parts: str) -> str:
    """A bounded, opaque key part: what a client sends never becomes a Redis key as is."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def is_login_attempt() -> bool:
    return request.method == "POST" and request.endpoint in LOGIN_ENDPOINTS


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def login_username() -> str | None:
    """The username a login attempt names (JSON body or form), normalised like the login."""
    if request.endpoint == API_ENDPOINT:
        body = request.get_json(silent=True)
        value = body.get("username") if isinstance(body, dict) else None
    else:
        value = request.form.get("username")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()


def account_key() -> str:
    """(tenant, username) of a login attempt. The tenant is the one the request resolved to;
    on a platform address the form names the city instead."""
    tenant_id = current_tenant_id_or_none()
    if tenant_id is not None:
        tenant = f"t{tenant_id}"
    else:
        tenant = "city:" + (request.form.get("city") or "").strip().lower()
    return "account:" + _digest(tenant, login_username() or "")


def api_key() -> str:
    """The bearer token that authenticated this request (its digest), else the address."""
    if request.environ.get("dangjian.actor_token") is not None:
        header = request.headers.get("Authorization", "")
        token = header.strip().partition(" ")[2].strip()
        if token:
            return "token:" + _digest(token)
    return client_address()


def failed(response) -> bool:
    """A login attempt that did not succeed (a 429 is the limit's own answer, not an attempt)."""
    return response.status_code >= 400 and response.status_code != 429


def _setting(name: str):
    return lambda: current_app.config[name]


def _limits() -> list[ApplicationLimit]:
    return [
        ApplicationLimit(
            _setting("RATELIMIT_LOGIN_PER_ADDRESS"),
            key_function=client_address,
            scope="login-address",
            exempt_when=lambda: not is_login_attempt(),
            deduct_when=failed,
        ),
        ApplicationLimit(
            _setting("RATELIMIT_LOGIN_PER_ACCOUNT"),
            key_function=account_key,
            scope="login-account",
            exempt_when=lambda: not is_login_attempt() or login_username() is None,
            deduct_when=failed,
        ),
        ApplicationLimit(
            _setting("RATELIMIT_API"),
            key_function=api_key,
            scope="api",
            exempt_when=lambda: not is_api_request(),
        ),
    ]


def storage_uri(config) -> str:
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def init_app(app: Flask) -> Limiter:
    """Install the limits on ``app``. Call after the request context hooks: the limits read
    the tenant and the authenticated token they set."""
    config = app.config
    uri = storage_uri(config)
    limiter = Limiter(
        key_func=client_address,
        application_limits=_limits(),
        storage_uri=uri,
        storage_options=REDIS_TIMEOUTS if uri.startswith(("redis://", "rediss://")) else {},
        strategy=config.get("RATELIMIT_STRATEGY") or "fixed-window",
        key_prefix=config.get("RATELIMIT_KEY_PREFIX") or config.get("JOB_QUEUE") or "dangjian",
        headers_enabled=False,  # Retry-After on a 429 only: no storage read on every answer
        swallow_errors=True,  # a storage error is logged and the request goes on (fail open)
        in_memory_fallback_enabled=True,  # Redis down: count per worker until it is back
        enabled=bool(config.get("RATELIMIT_ENABLED", True)),
    )
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    return limiter


def retry_after(limiter: Limiter | None = None) -> int:
    """Seconds until the breached limit's window resets (at least 1)."""
    limiter = limiter or current_app.extensions[EXTENSION]
    try:
        breached = limiter.current_limit
        if breached is not None:
            return max(1, int(breached.reset_at - time.time()))
    except Exception:  # noqa: BLE001 - storage gone between the check and here
        log.warning("rate limit: could not read the window's reset time", exc_info=True)
    return 60


def _too_many_requests(exc: RateLimitExceeded):
    seconds = retry_after()
    log.warning("rate limit %s exceeded on %s %s", exc.description, request.method, request.path)
    if is_api_request():
        message = f"Too many requests; try again in {seconds} seconds."
        response = jsonify(error_body(429, message))
        response.status_code = 429
    else:
        from core.web import throttled

        response = make_response(throttled.page(seconds))
    response.headers["Retry-After"] = str(seconds)
    return response
