"""``dangjian tenants``: create, list and sync city tenants."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.auth.context import acting_as, cli_actor
from core.db import db
from core.plugins import service as plugin_service
from core.tenancy import files, service
from core.tenancy.context import tenant_context


def tenants_dir() -> Path:
    configured = current_app.config.get("TENANTS_DIR")
    return Path(configured) if configured else Path(os.getcwd()) / "tenants"


@click.group("tenants")
def tenants_cli() -> None:
    """Manage city tenants (one per organisation department)."""


@tenants_cli.command("list")
@with_appcontext
def list_command() -> None:
    """List tenants with their hosts and enabled plugins."""
    rows = service.list_tenants()
    if not rows:
        click.echo("no tenants (create one with `dangjian tenants create` or `tenants sync`)")
    for tenant in rows:
        slug, name, hosts, active, tenant_id = (
            tenant.slug, tenant.name, tenant.hosts, tenant.is_active, tenant.id
        )
        with tenant_context(tenant_id):
            enabled = sorted(plugin_service.enabled_plugins())
        state = "" if active else "  (inactive)"
        click.echo(
            f"{slug}\t{name}\thosts={','.join(hosts) or '-'}\tplugins={','.join(enabled) or '-'}{state}"
        )


@tenants_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name, e.g. 盐城市委组织部.")
@click.option("--host", "hosts", multiple=True, help="A host name that selects this tenant.")
@click.option("--plugin", "plugins", multiple=True, help="An installed plugin to enable.")
@with_appcontext
def create_command(slug: str, name: str, hosts: tuple[str], plugins: tuple[str]) -> None:
    """Create tenant SLUG."""
    try:
        spec = files.parse(
            {"slug": slug, "name": name, "hosts": list(hosts), "plugins": list(plugins)},
            "tenants create",
        )
        with acting_as(cli_actor()):
            tenant, _ = service.apply(spec, create_only=True)
            db.session.commit()
    except files.TenantFileError as exc:
        db.session.rollback()
        raise click.UsageError(str(exc)) from None
    click.echo(f"created tenant {tenant.slug} (id {tenant.id})")


@tenants_cli.command("sync")
@click.option(
    "--dir", "directory", type=click.Path(path_type=Path), default=None,
    help="Folder of tenant files (default: TENANTS_DIR or ./tenants).",
)
@with_appcontext
def sync_command(directory: Path | None) -> None:
    """Create or update tenants from tenants/*.toml, all or nothing."""
    directory = directory or tenants_dir()
    try:
        specs, problems = files.load_dir(directory)
        with acting_as(cli_actor()):
            results = service.sync(specs, problems)
            db.session.commit()
    except files.TenantFileError as exc:
        db.session.rollback()
        raise click.UsageError(str(exc)) from None
    for tenant, created in results:
        click.echo(f"{'created' if created else 'updated'} {tenant.slug}")
    if not results:
        click.echo(f"no tenant files in {directory}")
