"""The soe sector plugin (国企): state-owned enterprises, 党组织类别 ①.

Enterprise attributes (党建入章, tier, headcount, board — :mod:`.attributes`), the records an
enterprise's Party organisation keeps — the prior-review register (前置研究讨论), cross
appointments (双向进入、交叉任职), performance links (党建考核与经营业绩挂钩), its branches'
vanguard posts and innovations (:mod:`.models`, :mod:`.service`, :mod:`.api`) — and the
indicators, warnings, point rules, default standards and demo data built on them. Settings
in :mod:`.settings`. Each hook delegates to its module.
"""

from pathlib import Path

import plugins.soe.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.sdk import Sector, hookimpl
from plugins.soe.settings import SoeSettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="soe", name="国企", category_codes=(1,))]


@hookimpl
def dangjian_settings_schema():
    return SoeSettings


@hookimpl
def dangjian_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def dangjian_register_api(api):
    from plugins.soe.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/soe")


@hookimpl
def dangjian_org_attributes(sector, kind):
    from plugins.soe.attributes import org_schema

    return org_schema(sector, kind)


@hookimpl
def dangjian_unit_attributes(sector, unit_type):
    from plugins.soe.attributes import unit_schema

    return unit_schema(sector, unit_type)


@hookimpl
def dangjian_indicators():
    from plugins.soe.indicators import indicators

    return indicators()


@hookimpl
def dangjian_warning_rules():
    from plugins.soe.warnings import rules

    return rules()


@hookimpl
def dangjian_point_rules():
    from plugins.soe.point_rules import point_rules

    return point_rules()


@hookimpl
def dangjian_standards():
    from plugins.soe.standards import templates

    return templates()


@hookimpl
def dangjian_demo_data(today):
    from plugins.soe.demo import demo_data

    return demo_data(today)
