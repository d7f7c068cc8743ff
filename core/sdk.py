"""What core offers plugin authors: the one import surface for ``plugins/*`` and third parties.

    from core.sdk import hookimpl, Sector

Everything a plugin needs is re-exported here; anything else in ``core`` may change without
notice. See ``docs/plugins.md`` and the hook docstrings in :mod:`core.plugins.hookspecs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.api.smorest import Blueprint
from core.plugins.hookspecs import hookimpl


@dataclass(frozen=True)
class Sector:
    """A sector (领域) a plugin provides.

    ``category_codes`` are the national 党组织类别 codes (① 国有企业 … ⑨ 其他) that organisations
    of this sector are reported under in Party statistics.
    """

    key: str
    name: str
    category_codes: tuple[int, ...] = field(default_factory=tuple)

    def __post_init__(self):
        if not self.key.isidentifier():
            raise ValueError(f"sector key must be an identifier, got {self.key!r}")
        bad = [c for c in self.category_codes if not 1 <= c <= 9]
        if bad:
            raise ValueError(f"sector {self.key}: 党组织类别 codes are 1–9, got {bad}")


def plugin_settings(plugin_name: str) -> dict:
    """The effective settings of ``plugin_name`` for the current tenant (defaults → global →
    tenant), validated by the plugin's schema."""
    from core.plugins.settings import effective_settings

    return effective_settings(plugin_name)


__all__ = ["Blueprint", "Sector", "hookimpl", "plugin_settings"]
