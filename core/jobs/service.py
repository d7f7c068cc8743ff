"""Starting jobs and reading them: what other slices call.

    from core.jobs import service as jobs
    job = jobs.enqueue("assessment.run_cycle", cycle_id=str(cycle.id))

``enqueue`` records the :class:`~core.jobs.models.Job` row for the current tenant and actor
and commits, then hands the job to rq (``REDIS_URL`` set) or runs it here and now (not set).
"""

from __future__ import annotations

import json
import logging
import uuid

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select, update

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.db import db, new_id
from core.db.mixins import utcnow
from core.jobs import queue, recovery, registry, runner
from core.jobs.models import FAILED, QUEUED, Job
from core.tenancy import current_tenant_id

log = logging.getLogger(__name__)


def enqueue(name: str, /, **kwargs) -> Job:
    """Start job ``name`` with JSON-serialisable ``kwargs`` for the current tenant.

    Commits the current session (the row must exist before a worker looks for it). Raises
    :class:`ApiError` 422 for an unknown job, one of a plugin the tenant has not enabled, or
    arguments that are not JSON; 503 when Redis is configured but cannot be reached (the row
    is then ``failed``). Without Redis the job has already run when this returns.
    """
    try:
        registry.job_for_tenant(name)
    except registry.UnknownJob as exc:
        raise ApiError(422, exc.reason, {"name": [exc.reason]}) from None
    try:
        arguments = json.loads(json.dumps(kwargs, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        message = f"arguments of job {name!r} are not JSON-serialisable: {exc}"
        raise ApiError(422, message, {"kwargs": [message]}) from None

    app = current_app._get_current_object()
    tenant_id = current_tenant_id()
    actor = current_actor()
    use_rq = queue.redis_url(app) is not None
    job = Job(
        id=new_id(),
        name=name,
        kwargs=arguments,
        state=QUEUED,
        progress=0,
        message="",
        attempts=0,
        max_attempts=max(int(app.config.get("JOB_MAX_RETRIES") or 0), 0) + 1,
        created_by=actor.label if actor is not None else "system",
        created_by_user_id=actor.user_id if actor is not None else None,
        backend="rq" if use_rq else "inline",
    )
    job_id = job.id
    db.session.add(job)
    db.session.commit()

    if use_rq:
        _send_to_rq(app, tenant_id, job_id, name)
    else:
        runner.run_inline(tenant_id, job_id)
    db.session.refresh(job)
    return job


def _send_to_rq(app, tenant_id: int, job_id: uuid.UUID, name: str) -> None:
    try:
        queue.queue(app).enqueue_call(
            func=runner.run,
            args=(tenant_id, str(job_id)),
            job_id=str(job_id),
            retry=queue.retry_policy(app),
            timeout=queue.job_timeout(app),
            description=f"{name} (tenant {tenant_id})",
        )
    except RedisError as exc:
        error = f"the job queue (Redis) cannot be reached: {exc}"
        log.error("job %s (%s) not enqueued: %s", name, job_id, error)
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(state=FAILED, error=error, finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        raise ApiError(
            503,
            f"The job queue is unavailable (Redis cannot be reached): job {job_id} was not "
            "started. Try again later.",
        ) from None


def get(job_id: uuid.UUID | str) -> Job | None:
    """The current tenant's job with this id, or ``None``.

    A ``started`` job whose process died is ended first (:func:`core.jobs.recovery.check`, in
    its own transaction), so a reader never sees a dead run as running."""
    try:
        parsed = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id))
    except ValueError:
        return None
    job = db.session.scalar(select(Job).where(Job.id == parsed))
    if job is not None:
        job = recovery.check(current_app._get_current_object(), job)
    return job
