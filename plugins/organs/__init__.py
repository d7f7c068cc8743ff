"""The organs sector plugin (机关): Party and government organs, 党组织类别 ④.

What the organs' Party organisations keep beyond core: Party-work staffing
(:mod:`.attributes`, :mod:`.staffing`), 一机关一品牌 brands and milestones, 模范机关
self-assessments and 党建与业务融合 goals (:mod:`.models`, :mod:`.service`, :mod:`.api`),
with their indicators, warnings, point rules, default standard and demo data — each hook
below delegates to its module. Settings in :mod:`.settings`.
"""

from pathlib import Path

import plugins.organs.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.sdk import Sector, hookimpl
from plugins.organs.settings import OrgansSettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="organs", name="机关", category_codes=(4,))]


@hookimpl
def dangjian_settings_schema():
    return OrgansSettings


@hookimpl
def dangjian_org_attributes(sector, kind):
    from plugins.organs.attributes import org_schema

    return org_schema(sector, kind)


@hookimpl
def dangjian_unit_attributes(sector, unit_type):
    from plugins.organs.attributes import unit_schema

    return unit_schema(sector, unit_type)


@hookimpl
def dangjian_register_api(api):
    from plugins.organs.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/organs")


@hookimpl
def dangjian_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def dangjian_indicators():
    from plugins.organs.indicators import indicators

    return indicators()


@hookimpl
def dangjian_warning_rules():
    from plugins.organs.warnings import rules

    return rules()


@hookimpl
def dangjian_point_rules():
    from plugins.organs.point_rules import point_rules

    return point_rules()


@hookimpl
def dangjian_standards():
    from plugins.organs.standards import templates

    return templates()


@hookimpl
def dangjian_demo_data(today):
    from plugins.organs.demo import ensure

    return ensure(today)
