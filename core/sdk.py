"""What core offers plugin authors: the one import surface for ``plugins/*`` and third parties.

    from core.sdk import hookimpl, Sector, Blueprint, db, TenantOwned, plugin_settings

Everything a plugin needs is re-exported here: the hook marker, the sector type, the API
blueprint, error and permission helpers, the database handle and the tenant-owned model base
types, the declarations a plugin returns (indicators, warning rules, point rules, standards),
the plugin's settings, optimistic locking for the plugin's editable records (``Versioned``,
``version_field``/``expected_version_field`` for schemas, ``expect_version`` in an update),
and the core records a plugin may **read** (organisations, units,
posts, members, finance roles) with a few set-based helpers over them. Write core records
only through the helpers here. Anything else in ``core`` may change without notice. See
``docs/plugins.md`` and the hook docstrings in :mod:`core.plugins.hookspecs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.api.errors import ApiError, abort
from core.api.fields import UtcDateTime
from core.api.smorest import Blueprint, get_or_404, paged, parse_id
from core.assessment.indicators import (
    NO_DATA,
    Indicator,
    IndicatorContext,
    Measurement,
    StandardItem,
    StandardTemplate,
)
from core.auth.permissions import (
    has_role,
    login_required,
    seen_records,
    visible_org,
    visible_orgs_clause,
    visible_record,
)
from core.dates import add_months
from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk
from core.db.versioning import expect as expect_version
from core.db.versioning import expected_version_field, version_field
from core.development.indicators import admissions
from core.dues.models import FinanceRole
from core.jobs.context import JobContext, TransientJobError
from core.members.models import ACTIVE_STATUSES as MEMBER_ACTIVE_STATUSES
from core.members.models import Member
from core.orgs.indicators import org_and_groups
from core.orgs.models import Organization, OrgPost, OrgUnit
from core.orgs.posts import current_condition as posts_held_on
from core.orgs.service import subtree_filter
from core.orgs.structure import full_member_condition
from core.orgs.terms import FiveYearTermSettings, TermSettings, add_years
from core.orgs.units import credit_code_check_char, credit_code_problem, normalise_credit_code
from core.plugins.hookspecs import hookimpl
from core.points.rules import CollectContext, Deed, PointRule
from core.statistics.compute import Spec as StatisticsSpec
from core.statistics.tables import TOTAL as STATISTICS_TOTAL
from core.statistics.tables import Table as StatisticsTable
from core.statistics.tables import period_bounds as statistics_period_bounds
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
    tenant), validated by the plugin's schema. Outside any tenant (a start-up check of the
    plugin's declarations, where a parameter's ``load_default`` reads a setting) there is no
    tenant layer: the defaults overlaid with the global settings."""
    from core.plugins.settings import effective_settings, untenanted_settings
    from core.tenancy import current_tenant_id_or_none

    if current_tenant_id_or_none() is None:
        return untenanted_settings(plugin_name)
    return effective_settings(plugin_name)


def set_org_attributes(org: Organization, attributes: dict) -> Organization:
    """Merge ``attributes`` into ``org``'s sector attributes, validated by every enabled
    plugin's schema exactly as an API write is (422 naming ``attributes.<field>``). For demo
    data and plugin services; the caller commits."""
    from core.orgs import service as orgs

    return orgs.update(org, {"attributes": {**(org.attributes or {}), **attributes}})


def enqueue_job(name: str, /, **kwargs):
    """Start background job ``name`` (from any plugin's ``dangjian_jobs``) for the current
    tenant; returns the job row (``.id`` for ``GET /api/v1/jobs/<id>``). Commits the session."""
    from core.jobs.service import enqueue

    return enqueue(name, **kwargs)


__all__ = [
    "MEMBER_ACTIVE_STATUSES",
    "NO_DATA",
    "STATISTICS_TOTAL",
    "ApiError",
    "Blueprint",
    "CollectContext",
    "Deed",
    "FinanceRole",
    "FiveYearTermSettings",
    "Finding",
    "Indicator",
    "IndicatorContext",
    "JobContext",
    "Measurement",
    "Member",
    "OrgPost",
    "OrgUnit",
    "Organization",
    "PointRule",
    "RuleContext",
    "Sector",
    "StandardItem",
    "StandardTemplate",
    "StatisticsSpec",
    "StatisticsTable",
    "TenantOwned",
    "TermSettings",
    "Timestamps",
    "TransientJobError",
    "UtcDateTime",
    "Versioned",
    "WarningRule",
    "abort",
    "add_months",
    "add_years",
    "admissions",
    "credit_code_check_char",
    "credit_code_problem",
    "current_tenant_id",
    "db",
    "enqueue_job",
    "expect_version",
    "expected_version_field",
    "full_member_condition",
    "get_or_404",
    "has_role",
    "hookimpl",
    "login_required",
    "normalise_credit_code",
    "org_and_groups",
    "paged",
    "parse_id",
    "plugin_settings",
    "posts_held_on",
    "seen_records",
    "set_org_attributes",
    "statistics_period_bounds",
    "subtree_filter",
    "tenant_fk",
    "version_field",
    "visible_org",
    "visible_orgs_clause",
    "visible_record",
]
