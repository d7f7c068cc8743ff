"""Core's pairing slice (双联结对共建) as a default plugin: pairings of organ, SOE and
enterprise organisations with villages and communities, their API, settings, the idle
pairing warning and demo data."""

from __future__ import annotations

import core.pairings.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.pairings.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/pairings")


@hookimpl
def dangjian_settings_schema():
    from core.pairings.settings import PairingsSettingsSchema

    return PairingsSettingsSchema


@hookimpl
def dangjian_warning_rules():
    from core.pairings.warnings import rules

    return rules()


@hookimpl
def dangjian_demo_data(today):
    from core.pairings.demo import ensure_demo

    return ensure_demo(today)
