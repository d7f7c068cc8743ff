"""Tenancy: a tenant is a city's organisation department.

* :mod:`.models` — the ``tenants`` table (a reference table: not tenant-owned itself).
* :mod:`.context` — which tenant the current code runs for; no tenant means an error.
* :mod:`.scoping` — every ORM select/update/delete on a tenant-owned model is filtered to the
  current tenant, and every insert stamped with it; without a tenant they raise.
* :mod:`.rls` — PostgreSQL row-level security, the second wall under raw SQL.
* :mod:`.resolve` — the tenant of an HTTP request (host, ``X-Tenant`` header, or API token).
* :mod:`.files` / :mod:`.service` / :mod:`.cli` — ``tenants/*.toml`` and ``dangjian tenants``.
"""

from core.tenancy.context import (
    TenancyError,
    current_tenant_id,
    current_tenant_id_or_none,
    tenant_context,
)

__all__ = ["TenancyError", "current_tenant_id", "current_tenant_id_or_none", "tenant_context"]
