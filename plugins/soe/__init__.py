"""The soe sector plugin (国企)."""

from core.sdk import Sector, hookimpl


@hookimpl
def dangjian_sectors():
    return [Sector(key="soe", name="国企", category_codes=(1,))]
