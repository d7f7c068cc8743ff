"""Core's elections slice as a default plugin: the /api/v1/elections blueprint.

The term warnings (ending within 90 days, overdue) are the warnings slice's, read from the
organisation's term fields that recording an election moves."""

import core.elections.models  # noqa: F401  (the models load with the plugin)
from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.elections.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/elections")
