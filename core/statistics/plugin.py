"""Core's statistics slice as a default plugin: its API."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.statistics.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/statistics")
