"""The two_new sector plugin (两新): non-public enterprises and social organisations,
党组织类别 ② and ⑧. Settings in :mod:`.settings`."""

from core.sdk import Sector, hookimpl
from plugins.two_new.settings import TwoNewSettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="two_new", name="两新", category_codes=(2, 8))]


@hookimpl
def dangjian_settings_schema():
    return TwoNewSettings
