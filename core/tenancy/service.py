"""Creating, updating and listing tenants (used by the CLI and the demo)."""

from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.plugins import service as plugin_service
from core.plugins import settings as plugin_settings
from core.plugins.manager import installed_plugins
from core.tenancy.context import tenant_context
from core.tenancy.files import TenantFileError, TenantSpec
from core.tenancy.models import Tenant


def list_tenants() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).order_by(Tenant.slug)))


def check(spec: TenantSpec) -> None:
    """Everything that can be checked before writing: plugins installed, settings valid,
    host names not taken by another tenant."""
    errors: dict[str, list[str]] = {}
    installed = set(installed_plugins())
    unknown = [p for p in spec.plugins if p not in installed]
    if unknown:
        errors["plugins"] = [
            f"not installed: {', '.join(unknown)} (installed: {', '.join(sorted(installed)) or 'none'})"
        ]
    for name, overrides in spec.plugin_settings.items():
        if name not in installed:
            errors.setdefault("plugin_settings", []).append(f"{name}: plugin not installed")
            continue
        try:
            plugin_settings.validate_overrides(name, overrides)
        except plugin_settings.PluginSettingsError as exc:
            errors.setdefault("plugin_settings", []).append(exc.message)
    others = db.session.scalars(select(Tenant).where(Tenant.slug != spec.slug))
    for other in others:
        for host in sorted(set(spec.hosts) & set(other.hosts or [])):
            errors.setdefault("hosts", []).append(f"{host} is already used by tenant {other.slug}")
    if errors:
        raise TenantFileError(spec.source, errors)


def apply(spec: TenantSpec, *, create_only: bool = False) -> tuple[Tenant, bool]:
    """Create or update the tenant ``spec`` describes, with its plugins and their settings,
    in one transaction. Returns ``(tenant, created)``. The caller commits."""
    check(spec)
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == spec.slug))
    created = tenant is None
    if not created and create_only:
        raise TenantFileError(spec.source, {"slug": [f"tenant {spec.slug!r} already exists"]})
    if created:
        tenant = Tenant(slug=spec.slug)
        db.session.add(tenant)
    tenant.name = spec.name
    tenant.hosts = list(spec.hosts)
    tenant.is_active = spec.active
    db.session.flush()
    with tenant_context(tenant.id):
        wanted = set(spec.plugins)
        for name in sorted(installed_plugins()):
            plugin_service.set_enabled(name, name in wanted)
            # The file is the source of truth: a section removed from it clears the overrides.
            plugin_settings.set_overrides(name, spec.plugin_settings.get(name, {}))
        db.session.flush()
    return tenant, created


def sync(specs: list[TenantSpec], problems: list[str] | None = None) -> list[tuple[Tenant, bool]]:
    """Apply every spec in one transaction: all tenants or none (the caller commits).

    Every spec is checked before anything is written, and all problems (with those the
    files already had) are reported together.
    """
    problems = list(problems or [])
    for spec in specs:
        try:
            check(spec)
        except TenantFileError as exc:
            problems.append(str(exc))
    if problems:
        raise TenantFileError("tenant files", {"problems": problems})
    return [apply(spec) for spec in specs]
