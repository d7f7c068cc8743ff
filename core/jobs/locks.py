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
  again after :data:`WAIT_SECONDS` (it waits; it is not an attempt).
* In-process (no Redis: the embedded default, one process): a lock per key in this
  process, waited for.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from flask import Flask

from core.jobs import queue

WAIT_SECONDS = 5  # how long a run that found the lock taken waits before trying again
MARGIN_SECONDS = 60

_local_locks: dict[tuple[int, str], threading.Lock] = {}
_local_guard = threading.Lock()


def key(tenant_id: int, name: str) -> str:
    return f"dangjian:job-lock:{tenant_id}:{name}"


@contextmanager
def redis_lock(app: Flask, tenant_id: int, name: str):
    """Yields whether this process now holds the tenant's lock for job ``name`` (no wait)."""
    lock = queue.connection(app).lock(
        key(tenant_id, name), timeout=queue.job_timeout(app) + MARGIN_SECONDS, blocking=False)
    acquired = lock.acquire()
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()


@contextmanager
def local_lock(tenant_id: int, name: str):
    """Holds this process's lock for (tenant, job) — waiting for it — while the block runs."""
    with _local_guard:
        lock = _local_locks.setdefault((tenant_id, name), threading.Lock())
    with lock:
        yield True
