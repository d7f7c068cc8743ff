"""Core's secretaries' review slice (书记抓基层党建述职评议考核) as a default plugin: review
cycles, reports, ratings and grades, their API, settings and demo data."""

from __future__ import annotations

import core.reviews.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.reviews.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/reviews")


@hookimpl
def dangjian_settings_schema():
    from core.reviews.settings import ReviewsSettingsSchema

    return ReviewsSettingsSchema


@hookimpl
def dangjian_warning_rules():
    from core.reviews.warnings import rules

    return rules()


@hookimpl
def dangjian_demo_data(today):
    from core.reviews.demo import ensure_demo

    return ensure_demo(today)
