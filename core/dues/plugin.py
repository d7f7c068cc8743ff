"""Core's dues slice (党费) as a default plugin: its models, API and warning rules."""

import core.dues.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.dues.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/dues")


@hookimpl
def dangjian_warning_rules():
    from core.dues.warnings import rules

    return rules()

@hookimpl
def dangjian_indicators():
    from core.dues.indicators import indicators

    return indicators()

@hookimpl
def dangjian_point_rules():
    from core.dues.point_rules import point_rules

    return point_rules()
