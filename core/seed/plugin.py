"""The synthetic city as a default plugin: adds ``dangjian seed``."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_cli(cli):
    from core.seed.cli import seed_command

    cli.add_command(seed_command)
