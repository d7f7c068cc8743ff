"""The rural sector plugin (农村): villages, 党组织类别 ③.

Village attributes (:mod:`.attributes`), the village's own records — collective income,
first secretaries and work teams, duty posts, contacts with mobile members (:mod:`.models`,
:mod:`.service`, :mod:`.api`) — and the indicators, warnings, point rules, default standard
and demo data built on them. Settings in :mod:`.settings`. Each hook delegates to its module.
"""

from pathlib import Path

import plugins.rural.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.sdk import Sector, hookimpl
from plugins.rural.settings import RuralSettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="rural", name="农村", category_codes=(3,))]


@hookimpl
def dangjian_settings_schema():
    return RuralSettings


@hookimpl
def dangjian_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def dangjian_register_api(api):
    from plugins.rural.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/rural")


@hookimpl
def dangjian_org_attributes(sector, kind):
    from plugins.rural.attributes import org_schema

    return org_schema(sector, kind)


@hookimpl
def dangjian_unit_attributes(sector, unit_type):
    from plugins.rural.attributes import unit_schema

    return unit_schema(sector, unit_type)


@hookimpl
def dangjian_indicators():
    from plugins.rural.indicators import indicators

    return indicators()


@hookimpl
def dangjian_warning_rules():
    from plugins.rural.warnings import rules

    return rules()


@hookimpl
def dangjian_point_rules():
    from plugins.rural.point_rules import point_rules

    return point_rules()


@hookimpl
def dangjian_standards():
    from plugins.rural.standards import templates

    return templates()


@hookimpl
def dangjian_demo_data(today):
    from plugins.rural.demo import demo_data

    return demo_data(today)
