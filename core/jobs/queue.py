"""Redis and the rq queue. No ``REDIS_URL`` means jobs run in-process (the embedded default).

One Redis client per URL per app, created lazily: importing or creating the app never
touches Redis, so an app without Redis starts, and a Redis that is down fails only the
operations that need it — with a clear error, not a hang (short connect timeout).
"""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry

CONNECT_TIMEOUT = 3  # seconds; enqueueing in a request must not hang on a dead Redis
DEFAULT_JOB_TIMEOUT = 3600  # seconds an attempt may run before rq kills it (JOB_TIMEOUT)


def redis_url(app: Flask | None = None) -> str | None:
    return (app or current_app).config.get("REDIS_URL") or None


def connection(app: Flask | None = None) -> Redis:
    """The app's Redis client for ``REDIS_URL`` (which must be set)."""
    app = app or current_app
    url = redis_url(app)
    if url is None:
        raise RuntimeError("REDIS_URL is not set")
    clients = app.extensions.setdefault("dangjian_jobs_redis", {})
    if url not in clients:
        clients[url] = Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, health_check_interval=30
        )
    return clients[url]


def queue(app: Flask | None = None, name: str | None = None) -> Queue:
    app = app or current_app
    return Queue(name or app.config["JOB_QUEUE"], connection=connection(app))


def retry_policy(app: Flask | None = None) -> Retry | None:
    """rq's ``Retry`` from ``JOB_MAX_RETRIES`` / ``JOB_RETRY_INTERVALS`` (None: no retries)."""
    config = (app or current_app).config
    retries = int(config.get("JOB_MAX_RETRIES") or 0)
    if retries < 1:
        return None
    # rq waits intervals[len(intervals) - retries_left]: with fewer retries than intervals, the
    # first retry would wait the last (longest) interval; so the list is cut to the retries.
    intervals = list(config.get("JOB_RETRY_INTERVALS") or [0])[:retries]
    return Retry(max=retries, interval=intervals)


def job_timeout(app: Flask | None = None) -> int:
    return int((app or current_app).config.get("JOB_TIMEOUT") or DEFAULT_JOB_TIMEOUT)
