"""``dangjian worker`` and ``dangjian jobs run``.

The worker creates the app once, in the parent; rq forks a work-horse per job, and each
work-horse first drops the database connections it inherited (``dispose(close=False)``: the
parent's sockets are left alone, the child opens its own). A socket shared by two processes
would interleave their conversations with the database.

Faults (:mod:`core.jobs.recovery`): on start and every few heartbeats the worker ends the
attempts whose process died (any worker's, any tenant's); when its own work-horse dies (killed,
out of memory) it ends that attempt at once. A Redis blip does not stop it: rq waits for
Redis while idle, and this worker also lets a failed heartbeat or registry clean-up pass. A
database blip fails nothing but the attempts running then (retried as transient errors); the
next work-horse opens fresh connections. When the worker does stop on an error it exits with
status 1 and says why.
"""

from __future__ import annotations

import json
import logging

import click
import rq
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.api.errors import ApiError
from core.auth.context import acting_as, cli_actor
from core.db import db
from core.jobs import liveness, queue, recovery, runner, service
from core.jobs.models import FAILED
from core.tenancy import tenant_context

log = logging.getLogger(__name__)


class Worker(rq.Worker):
    """rq's forking worker whose work-horses start with no inherited database connection, and
    which ends dead attempts and rides out Redis blips (see the module docstring)."""

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
        """rq's worker heartbeat; a Redis blip while idle is let pass (rq's dequeue then waits
        for Redis with back-off) instead of ending the worker."""
        if pipeline is not None:
            return super().heartbeat(timeout, pipeline)
        try:
            return super().heartbeat(timeout, pipeline)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self.log.warning("worker heartbeat not sent (Redis unreachable: %s)", exc)
            return None


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then exit.")
@click.option(
    "--queue",
    "queue_names",
    multiple=True,
    metavar="NAME",
    help="Queue to work on (default: the JOB_QUEUE setting); repeatable.",
)
@with_appcontext
def worker_command(burst: bool, queue_names: tuple[str, ...]) -> None:
    """Run background jobs from the rq queue on REDIS_URL."""
    app = current_app._get_current_object()
    if queue.redis_url(app) is None:
        raise click.ClickException(
            "REDIS_URL is not set: there is no queue to work on (without Redis, jobs run "
            "in-process when they are started)."
        )
    connection = queue.connection(app)
    try:
        connection.ping()
    except RedisError as exc:
        raise click.ClickException(f"Redis cannot be reached ({exc}); check REDIS_URL.") from None
    runner.use_app(app)
    names = queue_names or (app.config["JOB_QUEUE"],)
    queues = [rq.Queue(n, connection=connection) for n in names]
    # maintenance (rq's registries and the sweep for dead attempts) at the heartbeat's pace
    every = max(int(liveness.stale_after(app).total_seconds()), 1)
    worker = Worker(queues, connection=connection, maintenance_interval=every)
    try:
        worker.work(burst=burst, with_scheduler=True)  # the scheduler brings delayed retries back
        waiting = sum(q.count for q in queues) if burst else 0
    except RedisError as exc:
        raise click.ClickException(f"the worker stopped: Redis cannot be reached ({exc})") from None
    if not burst and worker._shutdown_requested_date is None:
        raise click.ClickException("the worker stopped on an error (logged above)")
    if waiting:
        raise click.ClickException(
            f"the worker stopped on an error (logged above) with {waiting} job(s) still queued"
        )


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs."""


def _parse_args(pairs: tuple[str, ...]) -> dict:
    kwargs = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.isidentifier():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--arg")
        try:
            kwargs[key] = json.loads(raw)
        except ValueError:
            kwargs[key] = raw
    return kwargs


@jobs_group.command("run")
@click.argument("name")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option(
    "--arg",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A keyword argument of the job; VALUE is read as JSON when it parses "
    "(42, true, [1, 2]), else as text. Repeatable.",
)
@with_appcontext
def run_command(name: str, slug: str, pairs: tuple[str, ...]) -> None:
    """Start job NAME for a tenant and print its id."""
    from core.tenancy.resolve import tenant_by_slug

    kwargs = _parse_args(pairs)
    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise click.ClickException(f"tenant {slug!r} not found")
    with acting_as(cli_actor()), tenant_context(tenant.id):
        try:
            job = service.enqueue(name, **kwargs)
        except ApiError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(str(job.id))
        if job.state == FAILED:  # ran in-process and failed
            raise click.ClickException(f"job {job.id} failed: {job.error}")
