"""Core's organisational-life slice as a default plugin: the /api/v1/meetings blueprint and
the national warning rules of 三会一课 and the rest (:mod:`core.life.warnings`)."""

import core.life.models  # noqa: F401  (the models load with the plugin)
from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.life.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/meetings")


@hookimpl
def dangjian_warning_rules():
    from core.life.warnings import rules

    return rules()

@hookimpl
def dangjian_indicators():
    from core.life.indicators import indicators

    return indicators()

@hookimpl
def dangjian_point_rules():
    from core.life.point_rules import point_rules

    return point_rules()
