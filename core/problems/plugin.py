"""Core's problems slice (问题清单 → 整改 → 销号, 软弱涣散) as a default plugin: the problem
ledger and weak-organisation tracking, their API, warning rules and indicators."""

from __future__ import annotations

import core.problems.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.problems.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/problems")


@hookimpl
def dangjian_settings_schema():
    from core.problems.settings import ProblemsSettingsSchema

    return ProblemsSettingsSchema


@hookimpl
def dangjian_warning_rules():
    from core.problems.warnings import rules

    return rules()


@hookimpl
def dangjian_indicators():
    from core.problems.indicators import indicators

    return indicators()
