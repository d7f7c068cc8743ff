"""``dangjian worker`` and ``dangjian jobs run``. The worker itself — forking, recovery of dead
attempts, riding out Redis and database blips — is :mod:`core.jobs.worker`."""

from __future__ import annotations

import json
import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from core.api.errors import ApiError
from core.auth.context import acting_as, cli_actor
from core.jobs import queue, service, worker
from core.jobs.models import FAILED
from core.tenancy import tenant_context

log = logging.getLogger(__name__)


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
    names = list(queue_names or (app.config["JOB_QUEUE"],))
    try:
        worker.serve(app, connection, names, burst=burst)
    except worker.WorkerStopped as exc:
        raise click.ClickException(str(exc)) from None


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
