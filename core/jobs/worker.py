"""The process behind ``dangjian worker``: rq's forking worker, made to survive faults.

The app is created once, in the parent; rq forks a work-horse per job, and each work-horse
first drops the database connections it inherited (``dispose(close=False)``: the parent's
sockets are left alone, the child opens its own). A socket shared by two processes would
interleave their conversations with the database.

Faults:

* **a dead attempt** (:mod:`core.jobs.recovery`): on start and every few heartbeats the worker
  ends the attempts whose process died — any worker's, any tenant's; when its own work-horse
  dies (killed, out of memory) it ends that attempt at once.
* **Redis away**: rq waits for Redis with back-off while idle, and this worker lets a failed
  heartbeat or registry clean-up pass. rq's loop still quits on a Redis error at some other
  point (right after a job, say); :func:`serve` then waits for Redis and starts a new worker,
  so a Redis restart never needs a worker restart.
* **the database away**: only the attempts running then fail (transient errors: retried); the
  next work-horse opens fresh connections, and the parent's own (the sweep) are checked
  before use (``pool_pre_ping``).

Any other reason to stop ends ``dangjian worker`` with status 1 and the reason (a supervisor
such as systemd restarts it); a stop request (SIGTERM, SIGINT) ends it with status 0.
"""

from __future__ import annotations

import logging
import signal
import threading

import rq
from flask import Flask
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.db import db
from core.jobs import liveness, recovery, runner
from core.jobs.models import FAILED

log = logging.getLogger(__name__)

REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)
REDIS_WAIT_MAX = 30  # seconds between two checks while Redis is away (after back-off)


class WorkerStopped(RuntimeError):
    """``dangjian worker`` stopped for a reason other than a stop request."""


def _noting_redis_loss(method):
    """rq's loop quits on any exception; remember when it was Redis going away."""

    def noted(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except REDIS_ERRORS as exc:
            self.lost_redis = exc
            raise

    return noted


class Worker(rq.Worker):
    """rq's forking worker whose work-horses start with no inherited database connection, and
    which ends dead attempts and rides out Redis blips (see the module docstring)."""

    lost_redis: BaseException | None = None

    def main_work_horse(self, job, queue):
        try:
            with runner._app_for_run().app_context():
                for engine in db.engines.values():
                    engine.dispose(close=False)
        except Exception:  # noqa: BLE001 - never let the child fall back into the parent's loop
            log.exception("work-horse could not reset its database connections")
        super().main_work_horse(job, queue)

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage):
        """The work-horse died without reporting (a signal, the OOM killer): end the job's
        attempt now; when it is not to be retried, rq must not retry the rq job either."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        if job.func_name != f"{runner.run.__module__}.{runner.run.__name__}":
            return
        try:
            tenant_id, job_id = job.args[:2]
            state = recovery.horse_died(
                runner._app_for_run(), tenant_id, job_id, retpid, rq_retries=job.should_retry
            )
        except Exception:  # noqa: BLE001 - recovery's sweep will end it later
            log.exception("could not record the death of the work-horse of job %s", job.id)
            return
        if state == FAILED:
            job.retries_left = 0

    def run_maintenance_tasks(self):
        try:
            super().run_maintenance_tasks()
        except RedisError as exc:
            self.log.warning("Redis unreachable during maintenance (%s); waiting for it", exc)
        app = runner._app_for_run()
        try:
            with app.app_context():
                ended = recovery.sweep(app)
            if ended:
                log.warning("ended %d job attempt(s) whose process had died", ended)
        except Exception:  # noqa: BLE001 - the database may be away; the next sweep retries
            log.exception("the sweep for dead job attempts failed; it runs again later")

    def heartbeat(self, timeout=None, pipeline=None):
        """rq's worker heartbeat; a Redis blip is let pass (rq's dequeue then waits for
        Redis with back-off) instead of ending the worker."""
        if pipeline is not None:
            return super().heartbeat(timeout, pipeline)
        try:
            return super().heartbeat(timeout, pipeline)
        except REDIS_ERRORS as exc:
            self.log.warning("worker heartbeat not sent (Redis unreachable: %s)", exc)
            return None

    execute_job = _noting_redis_loss(rq.Worker.execute_job)
    check_for_suspension = _noting_redis_loss(rq.Worker.check_for_suspension)
    dequeue_job_and_maintain_ttl = _noting_redis_loss(rq.Worker.dequeue_job_and_maintain_ttl)
    teardown = _noting_redis_loss(rq.Worker.teardown)


def serve(app: Flask, connection: Redis, queue_names: list[str], *, burst: bool) -> None:
    """Work on ``queue_names`` until stopped (or, with ``burst``, until they are empty);
    raises :class:`WorkerStopped` when it stops for another reason."""
    runner.use_app(app)
    # maintenance (rq's registries and the sweep for dead attempts) at the heartbeat's pace
    every = max(int(liveness.stale_after(app).total_seconds()), 1)
    while True:
        queues = [rq.Queue(name, connection=connection) for name in queue_names]
        worker = Worker(queues, connection=connection, maintenance_interval=every)
        lost = None
        try:
            worker.work(burst=burst, with_scheduler=True)  # the scheduler brings retries back
        except REDIS_ERRORS as exc:
            lost = exc
        lost = lost or worker.lost_redis
        if lost is None:
            if worker._shutdown_requested_date is not None:
                return  # a stop request
            if not burst:
                raise WorkerStopped("the worker stopped on an error (logged above)")
            waiting = sum(q.count for q in queues)
            if waiting:
                raise WorkerStopped(
                    f"the worker stopped on an error (logged above) with {waiting} job(s) queued"
                )
            return
        log.error("Redis went away (%s); the worker waits for it, then starts again", lost)
        if getattr(worker, "pubsub_thread", None) is not None:
            worker.pubsub_thread.stop()  # rq's teardown could not: it needed Redis
        if not _wait_for_redis(connection):
            return  # stopped while waiting


def _wait_for_redis(connection: Redis) -> bool:
    """Block until Redis answers (back-off up to :data:`REDIS_WAIT_MAX` seconds); ``False``
    when a stop request (SIGTERM, SIGINT) came meanwhile."""
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        pause = 1.0
        while not stop.wait(pause):
            try:
                connection.ping()
                log.warning("Redis answers again: the worker starts again")
                return True
            except RedisError:
                pause = min(pause * 2, REDIS_WAIT_MAX)
        return False
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
