"""Configuration read from the environment, with embedded defaults.

The defaults give a working single-machine demo: a SQLite file in the instance folder and
jobs run in-process. Production sets ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``.
"""

from __future__ import annotations

import os
from datetime import timedelta

ENV_PREFIX = "DANGJIAN_"


def _env(name: str, default=None):
    """Read ``NAME`` or ``DANGJIAN_NAME`` from the environment (the prefixed one wins)."""
    return os.environ.get(ENV_PREFIX + name, os.environ.get(name, default))


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be an integer, got {raw!r}") from exc


def _list(name: str) -> list[str]:
    """A comma-separated variable as a list of lower-case items (empty when unset)."""
    return [item.strip().lower() for item in (_env(name) or "").split(",") if item.strip()]


def from_environment(instance_path: str) -> dict:
    """Build the app config; ``instance_path`` holds the SQLite file and the dev secret."""
    database_url = _env("DATABASE_URL") or "sqlite:///" + os.path.join(
        instance_path, "dangjian.sqlite3"
    )
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain URLs from ops tooling should just work.
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    return {
        "SECRET_KEY": _env("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: SQL errors and logs never print the values (personal data)
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": _env("REDIS_URL") or None,
        # Personal fields at rest: Fernet keys, newest first; a separate key for blind indexes.
        "DATA_KEYS": _env("DATA_KEYS"),
        "BLIND_INDEX_KEY": _env("BLIND_INDEX_KEY"),
        "TENANTS_DIR": _env("TENANTS_DIR"),
        "BASE_DOMAIN": _env("BASE_DOMAIN"),
        # Host names that serve no city but the whole platform: their login page asks for
        # the city too (platform operators, a shared intranet address).
        "PLATFORM_HOSTS": _list("PLATFORM_HOSTS"),
        # reverse proxies in front whose X-Forwarded-Proto/-For are believed (core.web.headers)
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Web: seconds a worker keeps a dashboard's aggregate figures (0: recompute each time).
        "DASHBOARD_CACHE_SECONDS": _int("DASHBOARD_CACHE_SECONDS", 120),
        # Auth: token lifetime and login lockout (等保: lock after repeated failures).
        "TOKEN_TTL": timedelta(seconds=_int("TOKEN_TTL_SECONDS", 8 * 3600)),
        # a browser session idle this long ends (0: never); API tokens keep their TTL
        "SESSION_IDLE_TIMEOUT": timedelta(seconds=_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT": timedelta(seconds=_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)),
        "PASSWORD_MIN_LENGTH": _int("PASSWORD_MIN_LENGTH", 8),
        # Rate limits (core.protection.ratelimit), Flask-Limiter strings: failed logins per
        # client address and per (tenant, username); API requests per token or address.
        "RATELIMIT_ENABLED": (_env("RATELIMIT_ENABLED") or "1").lower()
        not in ("0", "false", "no", "off"),
        "RATELIMIT_LOGIN_PER_ADDRESS": _env(
            "RATELIMIT_LOGIN_PER_ADDRESS", "20 per minute; 200 per hour"
        ),
        "RATELIMIT_LOGIN_PER_ACCOUNT": _env("RATELIMIT_LOGIN_PER_ACCOUNT", "10 per minute"),
        "RATELIMIT_API": _env("RATELIMIT_API", "20000 per minute"),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI"),  # unset: REDIS_URL, else memory
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX"),  # unset: JOB_QUEUE
        "RATELIMIT_STRATEGY": _env("RATELIMIT_STRATEGY", "fixed-window"),
        # Jobs
        "JOB_QUEUE": _env("JOB_QUEUE", "dangjian"),
        "JOB_MAX_RETRIES": _int("JOB_MAX_RETRIES", 3),
        "JOB_RETRY_INTERVALS": [5, 30, 120],
        "JOB_TIMEOUT": _int("JOB_TIMEOUT_SECONDS", 3600),  # an attempt longer than this is killed
        # a running attempt's heartbeat; 4 missed and it counts as dead (core.jobs.liveness)
        "JOB_HEARTBEAT_SECONDS": _int("JOB_HEARTBEAT_SECONDS", 15),
        # Plugin settings overridden for every tenant (a JSON object keyed by plugin name).
        "PLUGIN_SETTINGS": _env("PLUGIN_SETTINGS"),
        # API / OpenAPI (flask-smorest)
        "API_TITLE": "dangjian",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024),
        # uploads and imports (core.files, core.excel.importer, core.excel.archive)
        "ATTACHMENT_MAX_BYTES": _int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
        "IMPORT_MAX_ROWS": _int("IMPORT_MAX_ROWS", 200_000),
        "IMPORT_MAX_UNPACKED_BYTES": _int("IMPORT_MAX_UNPACKED_BYTES", 512 * 1024 * 1024),
        "IMPORT_MAX_SHARED_STRINGS": _int("IMPORT_MAX_SHARED_STRINGS", 1_000_000),
    }
