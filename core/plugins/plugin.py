"""Core's plugins slice as a default plugin: the ``dangjian plugins`` commands, and a check of
the ``PLUGIN_SETTINGS`` config when the app starts (a bad value stops start-up, not a request)."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_cli(cli):
    from core.plugins.cli import plugins_cli

    cli.add_command(plugins_cli)


@hookimpl
def dangjian_app_configured(app):
    from core.plugins.settings import CONFIG_KEY, check_global_config

    check_global_config(app.config.get(CONFIG_KEY))
