"""Core's tenancy slice as a default plugin: the ``dangjian tenants`` commands."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_cli(cli):
    from core.tenancy.cli import tenants_cli

    cli.add_command(tenants_cli)
