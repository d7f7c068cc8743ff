"""Core's development slice as a default plugin: the API and its national warning rules."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.development.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/development")


@hookimpl
def dangjian_warning_rules():
    from core.development.warnings import RULES

    return list(RULES)

@hookimpl
def dangjian_indicators():
    from core.development.indicators import indicators

    return indicators()
