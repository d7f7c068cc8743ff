"""``dangjian transfers sweep``: settle every tenant's due transfer letters (run it daily
from cron). What the ``transfers.sweep`` job does for one tenant, for all of them."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.auth.context import acting_as, cli_actor
from core.db import db
from core.tenancy import tenant_context
from core.tenancy.service import list_tenants
from core.transfers import exchange


@click.group("transfers")
def transfers_group() -> None:
    """Organisational relationship transfers (组织关系转接)."""


@transfers_group.command("sweep")
@click.option("--tenant", "slug", metavar="SLUG", help="Only this tenant (default: every active one).")
@with_appcontext
def sweep_command(slug: str | None) -> None:
    """Complete accepted transfers, follow refusals and expire overdue letters."""
    tenants = [(t.id, t.slug) for t in list_tenants() if t.is_active and slug in (None, t.slug)]
    db.session.rollback()  # each tenant's work runs in transactions of its own
    if slug is not None and not tenants:
        raise click.ClickException(f"no active tenant {slug!r}")
    failures = 0
    for tenant_id, tenant_slug in tenants:
        with tenant_context(tenant_id), acting_as(cli_actor()):
            result = exchange.sweep()
        settled = ", ".join(f"{n} {status}" for status, n in sorted(result["settled"].items()))
        click.echo(f"{tenant_slug}: {settled or 'nothing due'}")
        for code in result["failed"]:
            click.echo(f"{tenant_slug}: {code} could not be settled (see the log)", err=True)
        failures += len(result["failed"])
    if failures:
        raise click.exceptions.Exit(1)
