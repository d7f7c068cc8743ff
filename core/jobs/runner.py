"""Running a job: what rq calls in the worker (:func:`run`), and the in-process path.

One attempt (:func:`execute`):

1. in the app context, the job's tenant (``tenant_context``) and an actor ``job:<name>``
   carrying the enqueuing user's id, the row is marked ``started`` (attempts + 1, this
   process as its ``runner``, a first heartbeat) and committed;
2. the job function runs in a fresh transaction; ``ctx.progress`` writes the row in its own
   short transaction (PostgreSQL) so the API sees progress while the job runs, and a
   heartbeat thread keeps ``heartbeat_at`` fresh (:mod:`core.jobs.liveness`);
3. success: the result, ``finished`` and progress 100 are committed *with the job's own
   writes*, in one transaction — a reader sees all of it or none;
4. failure: the job's writes are rolled back (no partial results), then the row is marked
   ``retrying`` (a transient error with attempts left) or ``failed``, with the message.

A process killed between 1 and 3 commits nothing of the job's writes (the database rolls
back a transaction whose connection is gone); :mod:`core.jobs.recovery` then finds the dead
attempt and ends its row. Steps 3 and 4 only change the row while it is still ``started`` by
this attempt, so an attempt that was declared dead (a worker frozen past the heartbeat
limit) cannot commit late: its work is rolled back (outcome ``superseded``).

Transient errors are :class:`~core.jobs.context.TransientJobError`, SQLAlchemy's
``OperationalError`` (a lost connection, a deadlock, SQLite's "database is locked") and Redis
connection errors. Any other exception fails the job at once.

How rq learns the outcome: :func:`run` re-raises the exception of a failed attempt, so rq's
own registries and logs show the traceback. For ``retrying`` rq retries per the job's
``Retry``; for ``failed`` the rq job's ``retries_left`` is set to 0 first, so rq fails it
without retrying. Jobs that ended (``finished``/``failed``) are not run again if rq
redelivers them.

SQLite allows one writer at a time, so there progress goes through the job's own
connection (a second connection would wait on the job's own write lock): it becomes visible
when the job ends. The in-process path (no Redis) retries at once, without rq's waits.
"""

from __future__ import annotations

import json
import logging
import uuid
from contextlib import nullcontext
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import get_current_job
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.auth.context import Actor, acting_as
from core.db import db
from core.db.mixins import utcnow
from core.jobs import faults, liveness, locks, queue, registry
from core.jobs.context import JobContext, TransientJobError
from core.jobs.models import DONE_STATES, ERROR_MAX, FAILED, FINISHED, RETRYING, STARTED, Job
from core.tenancy import tenant_context

log = logging.getLogger(__name__)

TRANSIENT_ERRORS = (TransientJobError, OperationalError, RedisConnectionError, RedisTimeoutError)

_app: Flask | None = None  # the worker's app (``dangjian worker`` sets it; else created once)


class JobResultError(TypeError):
    """The job returned something that is not JSON."""


WAITING = "waiting"  # an Outcome only: another run of the job holds the tenant's lock
SUPERSEDED = "superseded"  # an Outcome only: the attempt was declared dead before it ended


@dataclass
class Outcome:
    """How one attempt ended: ``finished``, ``retrying``, ``failed``, ``missing`` (no row),
    ``waiting`` (not run: another run of the same job for the tenant holds its lock) or
    ``superseded`` (declared dead by recovery before it ended: its work rolled back)."""

    state: str
    result: object = None
    exc: BaseException | None = None


def use_app(app: Flask) -> None:
    """Make ``app`` the app jobs run in when no app context is active (the worker's)."""
    global _app
    _app = app


def _app_for_run() -> Flask:
    global _app
    if has_app_context():  # in-process runs, and SimpleWorker inside an app (tests)
        return current_app._get_current_object()
    if _app is None:  # a plain ``rq worker`` process: build the app once
        from core.app import create_app

        _app = create_app()
    return _app


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT_ERRORS)


def run(tenant_id: int, job_id: str):
    """The rq entry point: run one attempt of job ``job_id`` of tenant ``tenant_id``."""
    rq_job = get_current_job()
    app = _app_for_run()
    outcome = execute(app, tenant_id, uuid.UUID(str(job_id)), rq_job=rq_job, locking="redis")
    if outcome.state == WAITING:
        _try_again_later(app, tenant_id, job_id, rq_job)
        return None
    if outcome.exc is not None:
        if outcome.state == FAILED and rq_job is not None:
            rq_job.retries_left = 0  # failed for good: rq records the failure, no retry
        raise outcome.exc
    return outcome.result


def _try_again_later(app: Flask, tenant_id: int, job_id: str, rq_job) -> None:
    """Put the run back on its queue for after :data:`locks.WAIT_SECONDS` (a new rq job for
    the same row: the current one ends here without having run anything)."""
    from datetime import timedelta

    waits = int((rq_job.meta or {}).get("waits", 0)) + 1 if rq_job is not None else 1
    again = queue.queue(app, rq_job.origin if rq_job is not None else None).enqueue_in(
        timedelta(seconds=locks.WAIT_SECONDS),
        run,
        tenant_id,
        str(job_id),
        job_id=f"{job_id}-wait-{waits}",
        meta={"waits": waits},
        retry=queue.retry_policy(app),
        job_timeout=queue.job_timeout(app),
        description=rq_job.description if rq_job is not None else None,
    )
    log.info(
        "job %s of tenant %s waits for another run of the same job (rq job %s)",
        job_id,
        tenant_id,
        again.id,
    )


def run_inline(tenant_id: int, job_id: uuid.UUID) -> Outcome:
    """Run a job in this process until it finishes or fails (the no-Redis path)."""
    app = current_app._get_current_object()
    while True:  # every attempt commits attempts + 1 first, and the last one cannot retry
        outcome = execute(app, tenant_id, job_id, locking="local")
        if outcome.state != RETRYING:
            return outcome


def execute(
    app: Flask, tenant_id: int, job_id: uuid.UUID, *, rq_job=None, locking: str | None = None
) -> Outcome:
    """One attempt, in a fresh app context (so a fresh session) for the job's tenant, holding
    the tenant's lock for the job (:mod:`core.jobs.locks`): ``"redis"`` without waiting
    (``waiting`` when another run holds it), ``"local"`` waiting for it, ``None`` none."""
    with app.app_context(), tenant_context(tenant_id):
        job = db.session.scalar(select(Job).where(Job.id == job_id))
        if job is None:
            log.warning("job %s of tenant %s not found: nothing to run", job_id, tenant_id)
            return Outcome("missing")
        if job.state in DONE_STATES:
            log.info("job %s (%s) already %s: not run again", job_id, job.name, job.state)
            return Outcome(job.state, result=job.result)
        name = job.name
        db.session.rollback()  # no transaction held while waiting for the lock
        runner = liveness.new_runner()  # also the lock's token, so recovery can release it
        guard = (
            locks.redis_lock(app, tenant_id, name, runner)
            if locking == "redis"
            else locks.local_lock(tenant_id, name)
            if locking == "local"
            else nullcontext(True)
        )
        with guard as held:
            if not held:
                _mark_waiting(job_id)
                return Outcome(WAITING)
            job = db.session.scalar(select(Job).where(Job.id == job_id))
            if job is None or job.state in DONE_STATES:  # finished by the run we waited for
                return Outcome(
                    job.state if job is not None else "missing",
                    result=job.result if job is not None else None,
                )
            with acting_as(Actor(label=f"job:{name}", user_id=job.created_by_user_id)):
                return _attempt(app, job, rq_job, runner)


def _mark_waiting(job_id: uuid.UUID) -> None:
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(message="waiting for another run of this job for the tenant to finish")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _attempt(app: Flask, job: Job, rq_job, runner: str) -> Outcome:
    name, kwargs, job_id, tenant_id = job.name, dict(job.kwargs or {}), job.id, job.tenant_id
    attempt, max_attempts = job.attempts + 1, job.max_attempts
    last = attempt >= max_attempts or (rq_job is not None and not rq_job.should_retry)
    job.state, job.attempts, job.error = STARTED, attempt, None
    job.progress, job.message = 0, ""
    job.started_at = job.started_at or utcnow()
    job.runner, job.heartbeat_at = runner, _now_for_heartbeat()
    db.session.commit()

    writer = _ProgressWriter(job_id, attempt, separate=db.engine.dialect.name != "sqlite")
    ctx = JobContext(
        name=name,
        tenant_id=tenant_id,
        job_id=job_id,
        attempt=attempt,
        max_attempts=max_attempts,
        _report=writer,
    )
    try:
        spec = registry.job_for_tenant(name)
        with liveness.Heartbeat(app, job_id, attempt):
            result = _as_json(spec.function(ctx, **kwargs))
        ended = db.session.execute(
            update(Job)
            .where(*_still_ours(job_id, attempt))
            .values(state=FINISHED, progress=100, result=result, error=None, finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if ended.rowcount != 1:  # declared dead meanwhile (recovery): this work is not kept
            db.session.rollback()
            log.warning(
                "job %s (%s) attempt %d finished after it was declared dead; its work "
                "was discarded",
                name,
                job_id,
                attempt,
            )
            return Outcome(SUPERSEDED)
        db.session.commit()  # the job's own writes and its result, together
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        db.session.rollback()  # the job's partial writes are never visible
        state = RETRYING if is_transient(exc) and not last else FAILED
        error = _describe(exc)
        if state == RETRYING:
            log.warning(
                "job %s (%s) attempt %d/%d failed, will retry: %s",
                name,
                job_id,
                attempt,
                max_attempts,
                error,
            )
        else:
            log.error(
                "job %s (%s) failed on attempt %d/%d: %s",
                name,
                job_id,
                attempt,
                max_attempts,
                error,
                exc_info=exc,
            )
        _record_end(job_id, attempt, state, error, writer)
        return Outcome(state, exc=exc)
    log.info("job %s (%s) finished on attempt %d", name, job_id, attempt)
    return Outcome(FINISHED, result=result)


def _still_ours(job_id: uuid.UUID, attempt: int) -> tuple:
    """The row while this attempt still owns it: ``started`` by this attempt. Recovery ends a
    dead attempt with the same condition, so exactly one of the two ends it (on PostgreSQL the
    second waits for the first's row lock, then finds the row no longer matching)."""
    return Job.id == job_id, Job.state == STARTED, Job.attempts == attempt


def _now_for_heartbeat():
    """A heartbeat's time: the database's clock on PostgreSQL (one clock for all hosts)."""
    return utcnow() if db.engine.dialect.name == "sqlite" else func.now()


def _record_end(
    job_id: uuid.UUID, attempt: int, state: str, error: str, writer: _ProgressWriter
) -> None:
    values = {"state": state, "error": error, "progress": writer.percent, "message": writer.message}
    if state == FAILED:
        values["finished_at"] = utcnow()
    try:
        db.session.execute(
            update(Job)
            .where(*_still_ours(job_id, attempt))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - the database may be what failed; rq still learns
        db.session.rollback()
        log.exception("could not record state %s of job %s", state, job_id)


def _as_json(value):
    """The value as stored (tuples become lists); anything not JSON fails the job."""
    try:
        return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise JobResultError(f"job result is not JSON-serialisable: {exc}") from exc


def _describe(exc: BaseException) -> str:
    return (str(exc).strip() or type(exc).__name__)[:ERROR_MAX]


class _ProgressWriter:
    """``ctx.progress`` for one attempt; remembers the last values for the final state. Each
    write is also a heartbeat, and touches the row only while this attempt owns it."""

    def __init__(self, job_id: uuid.UUID, attempt: int, *, separate: bool):
        self.job_id, self.attempt, self.separate = job_id, attempt, separate
        self.percent, self.message = 0, ""
        self.stall_at = faults.stall_point(attempt)  # None unless a fault test asks

    def __call__(self, percent: int, message: str) -> None:
        if (percent, message) == (self.percent, self.message):
            return
        self.percent, self.message = percent, message
        values = {"progress": percent, "message": message}
        if self.separate:
            values["heartbeat_at"] = func.now()
        statement = (
            update(Job)
            .where(*_still_ours(self.job_id, self.attempt))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if not self.separate:
            db.session.execute(statement)
        else:
            with Session(db.engine) as session:  # its own short transaction, seen at once
                session.execute(statement)
                session.commit()
        if self.stall_at is not None and percent >= self.stall_at:
            faults.stall(self.job_id, percent)
