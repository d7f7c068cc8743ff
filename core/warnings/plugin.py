"""Core's warnings slice as a default plugin: the API, the ``warnings.sweep`` job, the
``dangjian warnings sweep`` command, and the start-up check that rule keys are unique."""

from __future__ import annotations

from datetime import date

from core.plugins.hookspecs import hookimpl

SWEEP_JOB = "warnings.sweep"


def sweep_job(ctx, today: str | None = None, rules: list[str] | None = None) -> dict:
    """The ``warnings.sweep`` job: sweep the job's tenant; progress per rule."""
    from core.warnings import engine

    def progress(done: int, total: int, key: str) -> None:
        ctx.progress(100 * done / max(total, 1), f"{done}/{total} {key}")

    report = engine.sweep(
        today=date.fromisoformat(today) if today else None, rule_keys=rules, progress=progress
    )
    return report.to_dict()


@hookimpl
def dangjian_app_configured(app):
    from core.warnings import registry

    registry.check()  # two plugins declaring one rule key: refuse to start, naming both


@hookimpl
def dangjian_register_api(api):
    from core.warnings.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/warnings")


@hookimpl
def dangjian_register_cli(cli):
    from core.warnings.cli import warnings_group

    cli.add_command(warnings_group)


@hookimpl
def dangjian_jobs():
    return {SWEEP_JOB: sweep_job}

@hookimpl
def dangjian_indicators():
    from core.warnings.indicators import indicators

    return indicators()
