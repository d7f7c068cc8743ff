"""``dangjian tenants``: create, list and sync city tenants."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

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
        results = _sync_committed(specs, problems)
    except files.TenantFileError as exc:
        db.session.rollback()
        raise click.UsageError(str(exc)) from None
    for tenant, created in results:
        click.echo(f"{'created' if created else 'updated'} {tenant.slug}")
    if not results:
        click.echo(f"no tenant files in {directory}")


SYNC_ATTEMPTS = 3


def _sync_committed(specs, problems):
    """Apply and commit the files. A sync run at the same moment (a deploy on two hosts) may
    create the same tenant or settings row first: the unique index refuses ours, and this run
    is repeated on what that one committed (an update then) rather than dying with a
    traceback; after :data:`SYNC_ATTEMPTS` refusals it stops with a clear message."""
    attempt = 1
    while True:
        try:
            with acting_as(cli_actor()):
                results = service.sync(specs, problems)
                db.session.commit()
            return results
        except IntegrityError as exc:
            db.session.rollback()
            if attempt == SYNC_ATTEMPTS:
                raise click.ClickException(
                    "another `tenants sync` kept writing the same tenants; nothing of this run "
                    f"was saved: run it again ({exc.orig.__class__.__name__})"
                ) from None
            attempt += 1


@tenants_cli.command("export")
@click.argument("slug")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write (default: ./<slug>-<UTC time>.dangjian.zip); must not exist.",
)
@with_appcontext
def export_command(slug: str, output: Path | None) -> None:
    """Write tenant SLUG's complete data to one file: every row of every tenant table (core's
    and every installed plugin's), the tenant row and its attachments, with a manifest of row
    counts and SHA-256 checksums.

    Personal fields (ID numbers, phones, addresses) stay encrypted as stored: the file never
    holds them in clear, and the deployment that imports it needs the same DATA_KEYS (or
    SECRET_KEY when they are derived from it) and BLIND_INDEX_KEY. Keep the file like a
    database dump: it also holds password hashes."""
    from datetime import UTC, datetime

    from core.tenancy.backup import BackupError, export_tenant

    if output is None:
        output = Path(f"{slug}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.dangjian.zip")
    try:
        result = export_tenant(slug, output, say=click.echo)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    size = result.path.stat().st_size
    click.echo(
        f"exported {slug!r}: {len(result.tables)} tables, {result.rows:,} rows, "
        f"{result.files} files, {size:,} bytes in {result.seconds:.1f} s -> {result.path}"
    )


@tenants_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", default=None, help="Restore under this slug (default: the backup's).")
@click.option(
    "--without-hosts",
    is_flag=True,
    help="Leave out the tenant's host names (e.g. a copy beside the original).",
)
@with_appcontext
def import_command(file: Path, slug: str | None, without_hosts: bool) -> None:
    """Restore a tenant from FILE (made by `tenants export`) as a new tenant, in one
    transaction: the file's checksums, schema revisions and keys are checked first, then
    every table is restored and its row count and checksum recomputed from the database;
    any difference rolls everything back. Other tenants may be present; a tenant with the
    same slug may not. Needs the source's DATA_KEYS and BLIND_INDEX_KEY (see export)."""
    from core.tenancy.backup import BackupError, import_tenant

    try:
        result = import_tenant(file, slug, without_hosts=without_hosts, say=click.echo)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{'table':<32} {'rows':>10} {'restored':>10}  {'sha256 backup':<16}  sha256 db")
    for check in result.checks:
        click.echo(
            f"{check.name:<32} {check.file_rows:>10,} {check.db_rows:>10,}  "
            f"{check.file_sha256[:16]}  {check.db_sha256[:16]}  {'ok' if check.ok else 'DIFFERS'}"
        )
    click.echo(
        f"imported {result.slug!r} (id {result.tenant_id}): {len(result.checks)} tables, "
        f"{result.rows:,} rows, {result.files} files in {result.seconds:.1f} s"
    )
