"""The community sector plugin (社区): streets and communities, 党组织类别 ⑦. Settings in
:mod:`.settings`."""

from core.sdk import Sector, hookimpl
from plugins.community.settings import CommunitySettings


@hookimpl
def dangjian_sectors():
    return [Sector(key="community", name="社区", category_codes=(7,))]


@hookimpl
def dangjian_settings_schema():
    return CommunitySettings
