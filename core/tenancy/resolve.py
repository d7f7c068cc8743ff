"""Which tenant an HTTP request is for.

In order: the ``X-Tenant`` header (a tenant slug), then the request's host name (a tenant's
listed ``hosts``, or ``<slug>.<BASE_DOMAIN>``), then the tenant an API token was issued for.
When a header or host names a tenant, a token for another tenant is refused by the auth layer.
"""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import select

from core.api.errors import abort
from core.db import db
from core.tenancy.models import Tenant


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def tenant_by_host(host: str) -> Tenant | None:
    host = host.split(":", 1)[0].lower()
    base = (current_app.config.get("BASE_DOMAIN") or "").lower()
    if base and host.endswith("." + base):
        found = tenant_by_slug(host[: -len(base) - 1])
        if found is not None:
            return found
    for tenant in db.session.scalars(select(Tenant).where(Tenant.is_active.is_(True))):
        if host in [h.lower() for h in tenant.hosts or []]:
            return tenant
    return None


def tenant_for_request(token_tenant_id: int | None) -> Tenant | None:
    """The request's tenant, or ``None`` when nothing names one (tenant-owned data then fails)."""
    slug = request.headers.get("X-Tenant", "").strip()
    if slug:
        tenant = tenant_by_slug(slug)
        if tenant is None or not tenant.is_active:
            abort(404, f"tenant {slug!r} not found")
        return tenant
    tenant = tenant_by_host(request.host)
    if tenant is not None:
        return tenant
    if token_tenant_id is not None:
        tenant = db.session.get(Tenant, token_tenant_id)
        if tenant is not None and tenant.is_active:
            return tenant
    return None
