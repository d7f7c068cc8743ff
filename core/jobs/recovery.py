"""Ending the attempts whose process died, so no job shows ``started`` forever.

A killed worker commits nothing of the job it was running (the job's writes and its result are
one transaction, :mod:`core.jobs.runner`), but its row would still say ``started`` and, on the
worker path, the tenant's job lock would stay taken until it expires. Recovery finds such an
attempt (:func:`core.jobs.liveness.death_reason`) and ends it:

* **retried** — the row becomes ``retrying`` and goes back on the rq queue — when the job has
  attempts left and runs on a worker (backend ``rq``). Rerunning is safe: the dead attempt's
  writes were rolled back, so the next attempt starts from what was there before;
* **failed** otherwise (the last attempt, or an in-process job: nobody would run it again),
  with :data:`ABANDONED` as its error: the user starts it again.

Either way the tenant's job lock the dead attempt held is released (only if that attempt still
holds it: the lock's value is the attempt's runner). Ending the row is conditional on it still
being ``started`` by that attempt, so two processes recovering at once, or the attempt itself
finishing at that moment, cannot both win.

Where it runs: ``dangjian worker`` on start and every few heartbeats (:func:`sweep`, every
tenant), when the worker sees its work-horse die (:func:`horse_died`), and when anyone reads a
job (:func:`check`, from :func:`core.jobs.service.get`) — so even with no worker running, the
API and the web page show a clear state.
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask
from redis.exceptions import RedisError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import db
from core.db.mixins import utcnow
from core.jobs import liveness, locks, queue
from core.jobs.models import ERROR_MAX, FAILED, RETRYING, STARTED, Job
from core.tenancy import tenant_context

log = logging.getLogger(__name__)

# The row's error (English, as every job error; the web app shows it translated).
ABANDONED = (
    "The worker running this job stopped during attempt {attempt} ({reason}); "
    "nothing the attempt wrote was kept."
)
NOT_REQUEUED = "It could not be retried: the job queue (Redis) cannot be reached."


def check(app: Flask, job: Job) -> Job:
    """``job`` (of the current tenant), ended first if its ``started`` attempt is dead."""
    if job.state != STARTED:
        return job
    reason = liveness.death_reason(app, job, liveness.database_now(db.session))
    if reason is not None and abandon(app, job, reason):
        db.session.refresh(job)
    return job


def sweep(app: Flask) -> int:
    """End every dead ``started`` attempt of every tenant; returns how many. Call in an app
    context."""
    from core.tenancy.service import list_tenants

    ended = 0
    tenant_ids = [t.id for t in list_tenants()]
    db.session.rollback()
    for tenant_id in tenant_ids:
        with tenant_context(tenant_id):
            running = list(db.session.scalars(select(Job).where(Job.state == STARTED)))
            if running:
                now = liveness.database_now(db.session)
                for job in running:
                    reason = liveness.death_reason(app, job, now)
                    if reason is not None and abandon(app, job, reason):
                        ended += 1
            db.session.rollback()
    return ended


def horse_died(
    app: Flask, tenant_id: int, job_id: str, pid: int, *, rq_retries: bool
) -> str | None:
    """The worker saw work-horse ``pid`` die while running job ``job_id``: end its attempt at
    once (no need to wait for the heartbeat). rq itself re-enqueues the rq job when
    ``rq_retries``, so this does not; returns the row's new state (``None``: nothing to end —
    the attempt had not started, or another process ended it)."""
    with app.app_context(), tenant_context(tenant_id):
        job = db.session.scalar(select(Job).where(Job.id == uuid.UUID(str(job_id))))
        if job is None or job.state != STARTED:
            return None
        runner = liveness.Runner.parse(job.runner)
        if runner is None or runner.pid != pid or not runner.here():
            return None  # a later attempt, elsewhere: not the one that died
        signal = f"its process {pid} on {runner.host} was killed"
        return abandon(app, job, signal, requeue=False, retry_allowed=rq_retries)


def abandon(
    app: Flask, job: Job, reason: str, *, requeue: bool = True, retry_allowed: bool = True
) -> str | None:
    """End the dead ``started`` attempt of ``job`` (see the module docstring); returns the new
    state, or ``None`` when the row had already moved on (another process ended it)."""
    attempt, runner = job.attempts, job.runner
    retry = retry_allowed and job.backend == "rq" and attempt < job.max_attempts
    state = RETRYING if retry else FAILED
    error = ABANDONED.format(attempt=attempt, reason=reason)[:ERROR_MAX]
    values = {"state": state, "error": error, "heartbeat_at": None}
    if state == FAILED:
        values["finished_at"] = utcnow()
    if not _end(job.id, attempt, runner, values):
        return None
    log.error(
        "job %s (%s) of tenant %s: attempt %d/%d is dead (%s); %s",
        job.name,
        job.id,
        job.tenant_id,
        attempt,
        job.max_attempts,
        reason,
        "it will be retried" if retry else "the job failed",
    )
    if job.backend == "rq" and runner and queue.redis_url(app):
        try:
            locks.release_if_held(app, job.tenant_id, job.name, runner)
        except RedisError:
            log.warning("job %s: its lock was not released (Redis unreachable); it expires", job.id)
    if retry and requeue and not _requeue(app, job, attempt):
        _end(
            job.id,
            attempt,
            None,
            {
                "state": FAILED,
                "finished_at": utcnow(),
                "error": f"{error} {NOT_REQUEUED}"[:ERROR_MAX],
            },
            from_state=RETRYING,
        )
        state = FAILED
    if state == FAILED:
        _release_inputs(app, job)
    return state


def _release_inputs(app: Flask, job: Job) -> None:
    """A job that ended for good no longer needs what it was given to read — an uploaded
    workbook full of personal data, say. A job function that keeps such inputs carries an
    ``on_abandoned(tenant_id, kwargs)`` attribute that removes them; the job itself does the
    same when it ends normally, but a killed one never gets the chance."""
    from core.jobs.registry import all_jobs

    with app.app_context():
        spec = all_jobs().get(job.name)
        cleanup = getattr(spec.function, "on_abandoned", None) if spec else None
        if cleanup is None:
            return
        try:
            cleanup(job.tenant_id, dict(job.kwargs or {}))
        except Exception:  # noqa: BLE001 - the job's state is already right; log and go on
            log.exception("job %s (%s): its inputs could not be released", job.name, job.id)


def _end(
    job_id: uuid.UUID, attempt: int, runner: str | None, values: dict, *, from_state: str = STARTED
) -> bool:
    """Change the row only while it is still in ``from_state`` for ``attempt`` (and ``runner``),
    in its own transaction; whether it did."""
    conditions = [Job.id == job_id, Job.state == from_state, Job.attempts == attempt]
    if runner is not None:
        conditions.append(Job.runner == runner)
    with Session(db.engine) as session:
        changed = session.execute(
            update(Job)
            .where(*conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
    return changed == 1


def _requeue(app: Flask, job: Job, attempt: int) -> bool:
    """Put the job back on its rq queue for its next attempt; whether Redis took it."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RqJob

    from core.jobs import runner

    try:
        connection = queue.connection(app)
        try:  # rq's own record of the dead run must not bring it back a second time
            dead = RqJob.fetch(str(job.id), connection=connection)
            dead.retries_left = 0
            dead.save()
        except NoSuchJobError:
            pass
        queue.queue(app).enqueue_call(
            func=runner.run,
            args=(job.tenant_id, str(job.id)),
            job_id=f"{job.id}-recovered-{attempt}",
            retry=queue.retry_policy(app),
            timeout=queue.job_timeout(app),
            description=f"{job.name} (tenant {job.tenant_id})",
        )
    except RedisError as exc:
        log.error("job %s: not re-enqueued after its dead attempt: %s", job.id, exc)
        return False
    return True
