"""The soe sector plugin (国企): state-owned enterprises, 党组织类别 ①. Settings in :mod:`.settings`."""

from core.sdk import Sector, hookimpl
from plugins.soe.settings import SoeSettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="soe", name="国企", category_codes=(1,))]


@hookimpl
def dangjian_settings_schema():
    return SoeSettings
