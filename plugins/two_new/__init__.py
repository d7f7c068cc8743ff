"""The two_new sector plugin (两新): non-public enterprises and social organisations,
党组织类别 ② and ⑧ — 两个覆盖 (organisation and work coverage), 应建尽建, joint branches,
党建指导员 and 第一书记, the 九有 checklist and new-employment groups with their comprehensive
committees.

Each hook delegates to its module: settings (:mod:`.settings`), attributes
(:mod:`.attributes`), the register's tables (:mod:`.models`, migrations in
``migrations/versions``), API (:mod:`.api`), indicators, warnings, point rules, standards and
demo data. See ``docs/sectors/two_new.md``.
"""

from pathlib import Path

from core.sdk import Sector, hookimpl
from plugins.two_new import models  # noqa: F401 - the tables belong to the metadata
from plugins.two_new.settings import TwoNewSettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="two_new", name="两新", category_codes=(2, 8))]


@hookimpl
def dangjian_settings_schema():
    return TwoNewSettings


@hookimpl
def dangjian_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def dangjian_org_attributes(sector, kind):
    from plugins.two_new.attributes import org_attributes

    return org_attributes(sector, kind)


@hookimpl
def dangjian_unit_attributes(sector, unit_type):
    from plugins.two_new.attributes import unit_attributes

    return unit_attributes(sector, unit_type)


@hookimpl
def dangjian_register_api(api):
    from plugins.two_new.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/two_new")


@hookimpl
def dangjian_indicators():
    from plugins.two_new.indicators import indicators

    return indicators()


@hookimpl
def dangjian_warning_rules():
    from plugins.two_new.warnings import rules

    return rules()


@hookimpl
def dangjian_point_rules():
    from plugins.two_new.point_rules import point_rules

    return point_rules()


@hookimpl
def dangjian_standards():
    from plugins.two_new.standards import templates

    return templates()


@hookimpl
def dangjian_demo_data(today):
    from plugins.two_new.demo import ensure

    return ensure(today)


@hookimpl
def dangjian_statistics_tables():
    from plugins.two_new.statistics import tables

    return tables()
