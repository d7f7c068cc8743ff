"""The protection slice as a default plugin: its command line (``dangjian keys``)."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_cli(cli):
    from core.protection.keys_cli import keys_cli

    cli.add_command(keys_cli)
