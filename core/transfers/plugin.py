"""Core's transfers slice as a default plugin: its API, its sweep job and its command."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.transfers.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/transfers")


@hookimpl
def dangjian_register_cli(cli):
    from core.transfers.cli import transfers_group

    cli.add_command(transfers_group)


@hookimpl
def dangjian_jobs():
    from core.transfers.exchange import SWEEP_JOB, sweep_job

    return {SWEEP_JOB: sweep_job}
