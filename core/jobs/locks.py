"""One run at a time: a job never runs twice at once for the same tenant.

Two runs of one job for one tenant (two sweeps, two runs of a cycle, two member imports)
would work on the same rows at the same time; several workers on several hosts share the
queues, so nothing but a lock keeps them apart. The lock's key is the tenant and the job's
name; jobs of other names, and the same job for other tenants, run in parallel.

* With Redis (the worker path, any number of ``dangjian worker`` processes on any hosts): a
  Redis lock (``SET NX`` with an expiry, redis-py's :class:`~redis.lock.Lock`), taken
  without waiting. Its expiry is the job timeout plus a margin, so a worker killed while
  holding it blocks that job of that tenant for at most that long; rq kills an attempt at
  the job timeout anyway. A run that finds the lock taken is put back on the queue to try
  again after :data:`WAIT_SECONDS` (it waits; it is not an attempt). The lock's value is the
  attempt's runner (:mod:`core.jobs.liveness`), so when recovery finds that attempt dead it
  releases exactly that lock (:func:`release_if_held`) instead of waiting for the expiry.
* In-process (no Redis: the embedded default, one process): a lock per key in this
  process, waited for.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from flask import Flask
from redis.exceptions import RedisError

from core.jobs import queue

log = logging.getLogger(__name__)

WAIT_SECONDS = 5  # how long a run that found the lock taken waits before trying again
MARGIN_SECONDS = 60

_local_locks: dict[tuple[int, str], threading.Lock] = {}
_local_guard = threading.Lock()


def key(tenant_id: int, name: str, scope: str | None = None) -> str:
    """The lock's Redis key; ``scope`` is the deployment's queue (``JOB_QUEUE``), so two
    deployments — or two test runs — sharing one Redis never share a lock."""
    return f"dangjian:job-lock:{scope + ':' if scope else ''}{tenant_id}:{name}"


def app_key(app: Flask, tenant_id: int, name: str) -> str:
    return key(tenant_id, name, app.config.get("JOB_QUEUE"))


# Delete the key only while it still holds our token (redis-py's Lock releases the same way).
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


@contextmanager
def redis_lock(app: Flask, tenant_id: int, name: str, token: str):
    """Yields whether this process now holds the tenant's lock for job ``name`` (no wait);
    the lock's value is ``token``."""
    lock = queue.connection(app).lock(
        app_key(app, tenant_id, name),
        timeout=queue.job_timeout(app) + MARGIN_SECONDS,
        blocking=False,
    )
    acquired = lock.acquire(token=token)
    try:
        yield acquired
    finally:
        if acquired:
            try:
                release_if_held(app, tenant_id, name, token)
            except RedisError:  # the run is over and recorded; the lock expires by itself
                log.warning(
                    "job lock %s not released (Redis unreachable); it expires in %d s",
                    app_key(app, tenant_id, name),
                    queue.job_timeout(app) + MARGIN_SECONDS,
                )


def release_if_held(app: Flask, tenant_id: int, name: str, token: str) -> bool:
    """Release the tenant's lock for job ``name`` if ``token`` holds it; whether it did."""
    return bool(queue.connection(app).eval(_RELEASE, 1, app_key(app, tenant_id, name), token))


@contextmanager
def local_lock(tenant_id: int, name: str):
    """Holds this process's lock for (tenant, job) — waiting for it — while the block runs."""
    with _local_guard:
        lock = _local_locks.setdefault((tenant_id, name), threading.Lock())
    with lock:
        yield True
