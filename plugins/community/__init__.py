"""The community sector plugin (社区): streets and communities, 党组织类别 ⑦.

Only the hook implementations live here, each delegating to its module: settings
(:mod:`.settings`), organisation and unit attributes (:mod:`.attributes`), the records and
their API (:mod:`.models`, :mod:`.service`, :mod:`.api`), indicators, warnings, point rules
and the default standard (:mod:`.indicators`, :mod:`.warnings`, :mod:`.point_rules`,
:mod:`.standards`) and the demo city's data (:mod:`.demo`). See ``docs/sectors/community.md``.
"""

from pathlib import Path

from core.sdk import Sector, hookimpl
from plugins.community import api as community_api
from plugins.community import (
    attributes,
    demo,
    indicators,
    point_rules,
    standards,
    warnings,
)
from plugins.community.settings import CommunitySettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="community", name="社区", category_codes=(7,))]


@hookimpl
def dangjian_settings_schema():
    return CommunitySettings


@hookimpl
def dangjian_org_attributes(sector, kind):
    return attributes.org_attributes(sector, kind)


@hookimpl
def dangjian_unit_attributes(sector, unit_type):
    return attributes.unit_attributes(sector, unit_type)


@hookimpl
def dangjian_register_api(api):
    api.register_blueprint(community_api.bp, url_prefix="/api/v1/community")


@hookimpl
def dangjian_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def dangjian_indicators():
    return indicators.indicators()


@hookimpl
def dangjian_warning_rules():
    return warnings.rules()


@hookimpl
def dangjian_point_rules():
    return point_rules.point_rules()


@hookimpl
def dangjian_standards():
    return standards.templates()


@hookimpl
def dangjian_demo_data(today):
    return demo.demo_data(today)
