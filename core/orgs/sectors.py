"""Sectors as the organisation tree sees them: which plugin provides a sector key, its
党组织类别 codes, and which sectors the current tenant may use.

Core names no sector: everything here comes from the plugins' ``dangjian_sectors`` answers.
"""

from __future__ import annotations

from core.api.errors import ApiError
from core.plugins import service as plugin_service
from core.plugins.manager import call_for_each


def installed_sectors() -> dict[str, tuple[str, object]]:
    """Sector key → ``(plugin name, Sector)`` over every installed plugin, enabled or not
    (a sector's codes and settings do not depend on the tenant)."""
    found: dict[str, tuple[str, object]] = {}
    for plugin_name, sectors in call_for_each("dangjian_sectors"):
        for sector in sectors or []:
            found.setdefault(sector.key, (plugin_name, sector))
    return found


def enabled_sector_keys() -> set[str]:
    """Keys of the sectors the current tenant's enabled plugins provide."""
    return {
        sector.key
        for sectors in plugin_service.hook("dangjian_sectors")()
        for sector in sectors or []
    }


def check_enabled(sector: str | None) -> None:
    """422 naming ``sector`` unless it is ``None`` or one the tenant's plugins offer."""
    if sector is None:
        return
    keys = enabled_sector_keys()
    if sector not in keys:
        known = ", ".join(sorted(keys)) or "none enabled"
        raise ApiError(422, f"Unknown sector (available: {known}).", {"sector": ["Unknown sector."]})


def default_category_code(sector: str | None) -> int | None:
    """The 党组织类别 an organisation of ``sector`` is reported under by default: the
    sector's first code (``None`` without a sector or codes)."""
    if sector is None:
        return None
    entry = installed_sectors().get(sector)
    if entry is None or not entry[1].category_codes:
        return None
    return entry[1].category_codes[0]


def plugin_of(sector: str | None) -> str | None:
    """The name of the plugin that provides ``sector``."""
    entry = installed_sectors().get(sector) if sector is not None else None
    return entry[0] if entry else None
