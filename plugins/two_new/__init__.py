"""The two_new sector plugin (两新)."""

from core.sdk import Sector, hookimpl


@hookimpl
def dangjian_sectors():
    return [Sector(key="two_new", name="两新", category_codes=(2,8,))]
