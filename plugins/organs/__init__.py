"""The organs sector plugin (机关)."""

from core.sdk import Sector, hookimpl


@hookimpl
def dangjian_sectors():
    return [Sector(key="organs", name="机关", category_codes=(4,))]
