"""What core offers plugin authors: the one import surface for ``plugins/*`` and third parties.

    from core.sdk import hookimpl, Sector, Blueprint, db, TenantOwned, plugin_settings

Everything a plugin needs is re-exported here: the hook marker, the sector type, the API
blueprint and error helpers, the database handle and the tenant-owned model base types, and
the plugin's settings. Anything else in ``core`` may change without notice. See
``docs/plugins.md`` and the hook docstrings in :mod:`core.plugins.hookspecs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.api.errors import ApiError, abort
from core.api.smorest import Blueprint, get_or_404
from core.assessment.indicators import (
    NO_DATA,
    Indicator,
    IndicatorContext,
    Measurement,
    StandardItem,
    StandardTemplate,
)
from core.db import TenantOwned, Timestamps, db, tenant_fk
from core.jobs.context import JobContext, TransientJobError
from core.orgs.terms import FiveYearTermSettings, TermSettings
from core.plugins.hookspecs import hookimpl
from core.points.rules import CollectContext, Deed, PointRule
from core.tenancy import current_tenant_id
from core.warnings.rules import Finding, RuleContext, WarningRule


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


def enqueue_job(name: str, /, **kwargs):
    """Start background job ``name`` (from any plugin's ``dangjian_jobs``) for the current
    tenant; returns the job row (``.id`` for ``GET /api/v1/jobs/<id>``). Commits the session."""
    from core.jobs.service import enqueue

    return enqueue(name, **kwargs)


__all__ = [
    "NO_DATA",
    "ApiError",
    "Blueprint",
    "CollectContext",
    "Deed",
    "FiveYearTermSettings",
    "Finding",
    "Indicator",
    "IndicatorContext",
    "JobContext",
    "Measurement",
    "PointRule",
    "RuleContext",
    "Sector",
    "StandardItem",
    "StandardTemplate",
    "TenantOwned",
    "TermSettings",
    "Timestamps",
    "TransientJobError",
    "WarningRule",
    "abort",
    "current_tenant_id",
    "db",
    "enqueue_job",
    "get_or_404",
    "hookimpl",
    "plugin_settings",
    "tenant_fk",
]
