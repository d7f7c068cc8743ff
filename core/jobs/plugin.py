"""Core's jobs slice as a default plugin: what it contributes through the hooks."""

from __future__ import annotations

import logging

from core.plugins.hookspecs import hookimpl

log = logging.getLogger("dangjian")


@hookimpl
def dangjian_app_configured(app):
    from core.jobs import registry

    registry.check()  # two plugins declaring one job name: refuse to start, naming both
    if not app.config.get("REDIS_URL"):
        log.info("REDIS_URL not set: jobs run in-process")


@hookimpl
def dangjian_register_api(api):
    from core.jobs.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/jobs")


@hookimpl
def dangjian_register_cli(cli):
    from core.jobs.cli import jobs_group, worker_command

    cli.add_command(worker_command)
    cli.add_command(jobs_group)
