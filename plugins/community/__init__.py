"""The community sector plugin (社区)."""

from core.sdk import Sector, hookimpl


@hookimpl
def dangjian_sectors():
    return [Sector(key="community", name="社区", category_codes=(7,))]
