"""``dangjian plugins``: what is installed, which tenant enabled what, and plugin settings.

Every command that names a tenant runs inside that tenant's context and as the command-line
actor, so the usual tenant walls and the audit trail apply. A wrong plugin name, tenant
slug or setting exits with status 2 and a message listing what exists; nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.auth.context import acting_as, cli_actor
from core.db import db
from core.plugins import service
from core.plugins import settings as plugin_settings
from core.plugins.manager import (
    DEFAULT_PLUGINS,
    call_for_each,
    get_manager,
    installed_plugins,
    plugin_version,
)
from core.tenancy.context import tenant_context
from core.tenancy.models import Tenant
from core.tenancy.resolve import tenant_by_slug


class CommandError(click.ClickException):
    """A refused command: exit status 2 (bad input), like click's usage errors."""

    exit_code = 2


def _require_plugin(name: str) -> None:
    if name not in installed_plugins():
        raise CommandError(str(service.UnknownPlugin(name)))


def _require_tenant(slug: str) -> Tenant:
    tenant = tenant_by_slug(slug)
    if tenant is None:
        slugs = db.session.scalars(select(Tenant.slug).order_by(Tenant.slug)).all()
        raise CommandError(
            f"tenant {slug!r} not found (tenants: {', '.join(slugs) or 'none'})"
        )
    return tenant


@contextmanager
def _as_tenant(slug: str) -> Iterator[Tenant]:
    tenant = _require_tenant(slug)
    tenant_id = tenant.id
    with tenant_context(tenant_id), acting_as(cli_actor()):
        yield tenant


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _parse_assignments(assignments: tuple[str, ...]) -> dict:
    """``key=value`` pairs; a value is JSON when it parses (``10``, ``true``, ``[1]``), else text."""
    parsed = {}
    for item in assignments:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CommandError(f"expected key=value, got {item!r}")
        try:
            parsed[key] = json.loads(raw)
        except ValueError:
            parsed[key] = raw
    return parsed


@click.group("plugins")
def plugins_cli() -> None:
    """Installed plugins: list them, enable them per tenant, view and set their settings."""


@plugins_cli.command("list")
@click.option("--tenant", "slug", default=None, help="Also show whether each is enabled for it.")
@with_appcontext
def list_command(slug: str | None) -> None:
    """List installed plugins (name, version, sectors, hooks) and the built-in ones."""
    pm = get_manager()
    enabled: set[str] | None = None
    if slug is not None:
        with _as_tenant(slug):
            enabled = service.enabled_plugins()
    sectors: dict[str, list[str]] = {}
    for name, result in call_for_each("dangjian_sectors", pm):
        sectors.setdefault(name, []).extend(f"{s.key}({s.name})" for s in result)

    def hooks_of(plugin) -> str:
        return ", ".join(sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])) or "-"

    installed = installed_plugins(pm)
    click.echo(f"Installed plugins{f' (tenant {slug})' if slug else ''}:")
    if not installed:
        click.echo("  none")
    for name in sorted(installed):
        state = ""
        if enabled is not None:
            state = "  enabled" if name in enabled else "  disabled"
        click.echo(
            f"  {name}  {plugin_version(name, pm) or '-'}{state}"
            f"  sectors: {', '.join(sectors.get(name, [])) or '-'}"
            f"  hooks: {hooks_of(installed[name])}"
        )
    click.echo("Built-in plugins (always on):")
    for name in DEFAULT_PLUGINS:
        click.echo(f"  {name}  hooks: {hooks_of(pm.get_plugin(name))}")


def _set_enabled(name: str, slug: str, enabled: bool) -> None:
    _require_plugin(name)
    with _as_tenant(slug):
        if enabled:
            try:  # settings stored while it was off must still be valid for the plugin
                plugin_settings.effective_settings(name)
            except plugin_settings.PluginSettingsError as exc:
                raise CommandError(
                    f"{exc.message}; fix them with `dangjian plugins set` or `plugins unset`"
                ) from None
        service.set_enabled(name, enabled)
        db.session.commit()
    click.echo(f"{name}: {'enabled' if enabled else 'disabled'} for tenant {slug}")


@plugins_cli.command("enable")
@click.argument("name")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@with_appcontext
def enable_command(name: str, slug: str) -> None:
    """Enable installed plugin NAME for a tenant (its earlier data and settings come back)."""
    _set_enabled(name, slug, True)


@plugins_cli.command("disable")
@click.argument("name")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@with_appcontext
def disable_command(name: str, slug: str) -> None:
    """Disable plugin NAME for a tenant. Nothing is deleted: enabling it again restores it."""
    _set_enabled(name, slug, False)


@plugins_cli.command("settings")
@click.argument("name")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@with_appcontext
def settings_command(name: str, slug: str) -> None:
    """Show NAME's effective settings for a tenant and where each comes from."""
    _require_plugin(name)
    with _as_tenant(slug):
        try:
            explained = plugin_settings.explain_settings(name)
        except plugin_settings.PluginSettingsError as exc:
            raise CommandError(exc.message) from None
    if not explained:
        click.echo(f"{name} has no settings")
    for key, (value, source) in explained.items():
        click.echo(f"{key} = {_show(value)}  ({source})")


@plugins_cli.command("set")
@click.argument("name")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@with_appcontext
def set_command(name: str, assignments: tuple[str, ...], slug: str) -> None:
    """Override settings of NAME for a tenant (values are JSON when they parse, else text)."""
    _require_plugin(name)
    changes = _parse_assignments(assignments)
    with _as_tenant(slug):
        overrides = {**plugin_settings.tenant_overrides(name), **changes}
        try:
            stored = plugin_settings.set_overrides(name, overrides)
        except plugin_settings.PluginSettingsError as exc:
            db.session.rollback()
            raise CommandError(exc.message) from None
        db.session.commit()
    for key in changes:
        click.echo(f"{name}.{key} = {_show(stored[key])}  (tenant {slug})")


@plugins_cli.command("unset")
@click.argument("name")
@click.argument("keys", nargs=-1, required=True, metavar="KEY...")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@with_appcontext
def unset_command(name: str, keys: tuple[str, ...], slug: str) -> None:
    """Drop a tenant's overrides of NAME, back to the global value or the default."""
    _require_plugin(name)
    with _as_tenant(slug):
        overrides = plugin_settings.tenant_overrides(name)
        missing = [key for key in keys if key not in overrides]
        if missing:
            raise CommandError(
                f"not overridden for tenant {slug}: {', '.join(missing)} "
                f"(overridden: {', '.join(sorted(overrides)) or 'none'})"
            )
        remaining = {k: v for k, v in overrides.items() if k not in keys}
        try:
            plugin_settings.set_overrides(name, remaining)
        except plugin_settings.PluginSettingsError as exc:
            db.session.rollback()
            raise CommandError(exc.message) from None
        db.session.commit()
    click.echo(f"{name}: {', '.join(keys)} back to the global value or default for tenant {slug}")
