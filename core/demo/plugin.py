"""The demo as a default plugin: adds ``dangjian demo``."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_cli(cli):
    from core.demo.cli import demo_command

    cli.add_command(demo_command)
