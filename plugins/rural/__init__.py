"""The rural sector plugin (农村)."""

from core.sdk import Sector, hookimpl


@hookimpl
def dangjian_sectors():
    return [Sector(key="rural", name="农村", category_codes=(3,))]
