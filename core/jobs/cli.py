"""``dangjian worker`` and ``dangjian jobs run``.

The worker creates the app once, in the parent; rq forks a work-horse per job, and each
work-horse first drops the database connections it inherited (``dispose(close=False)``: the
parent's sockets are left alone, the child opens its own). A socket shared by two processes
would interleave their conversations with the database.
"""

from __future__ import annotations

import json
import logging

import click
import rq
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from core.api.errors import ApiError
from core.auth.context import acting_as, cli_actor
from core.db import db
from core.jobs import queue, runner, service
from core.jobs.models import FAILED
from core.tenancy import tenant_context

log = logging.getLogger(__name__)


class Worker(rq.Worker):
    """rq's forking worker whose work-horses start with no inherited database connection."""

    def main_work_horse(self, job, queue):
        try:
            with runner._app_for_run().app_context():
                for engine in db.engines.values():
                    engine.dispose(close=False)
        except Exception:  # noqa: BLE001 - never let the child fall back into the parent's loop
            log.exception("work-horse could not reset its database connections")
        super().main_work_horse(job, queue)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then exit.")
@click.option(
    "--queue", "queue_names", multiple=True, metavar="NAME",
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
    worker = Worker([rq.Queue(n, connection=connection) for n in names], connection=connection)
    worker.work(burst=burst, with_scheduler=True)  # the scheduler brings delayed retries back


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
    "--arg", "pairs", multiple=True, metavar="KEY=VALUE",
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
