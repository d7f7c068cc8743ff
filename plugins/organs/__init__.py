"""The organs sector plugin (机关): Party and government organs, 党组织类别 ④. Settings in :mod:`.settings`."""

from core.sdk import Sector, hookimpl
from plugins.organs.settings import OrgansSettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="organs", name="机关", category_codes=(4,))]


@hookimpl
def dangjian_settings_schema():
    return OrgansSettings
