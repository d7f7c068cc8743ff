"""The rural sector plugin (农村): villages, 党组织类别 ③. Settings in :mod:`.settings`."""

from core.sdk import Sector, hookimpl
from plugins.rural.settings import RuralSettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="rural", name="农村", category_codes=(3,))]


@hookimpl
def dangjian_settings_schema():
    return RuralSettings
