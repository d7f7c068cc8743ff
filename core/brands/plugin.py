"""Core's brands slice (党建品牌库, 示范点 and 百佳示范单位, brand coverage) as a default
plugin: the brand library and model-site applications, their API, settings, a warning rule
and demo data."""

from __future__ import annotations

import core.brands.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.brands.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/brands")


@hookimpl
def dangjian_register_cli(cli):
    from core.brands.cli import brands_group

    cli.add_command(brands_group)


@hookimpl
def dangjian_settings_schema():
    from core.brands.settings import BrandsSettingsSchema

    return BrandsSettingsSchema


@hookimpl
def dangjian_warning_rules():
    from core.brands.warnings import rules

    return rules()


@hookimpl
def dangjian_demo_data(today):
    from core.brands.demo import ensure

    return ensure(today)
