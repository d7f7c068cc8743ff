"""Core's orgs slice as a default plugin: what it contributes through the hooks."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.orgs.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/orgs")


@hookimpl
def dangjian_warning_rules():
    from core.orgs.warnings import RULES

    return RULES

@hookimpl
def dangjian_indicators():
    from core.orgs.indicators import indicators

    return indicators()
