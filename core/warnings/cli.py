"""``dangjian warnings sweep [--tenant SLUG | --all] [--today YYYY-MM-DD]``.

The daily sweep is this command run from cron (no rq scheduler is needed), e.g.::

    15 2 * * *  cd /srv/dangjian && .venv/bin/dangjian warnings sweep --all >> log/warnings.log 2>&1

Each tenant is swept and committed in its own transaction, so one tenant's failure leaves the
others' results in place; the exit status is 1 when any rule of any tenant failed or is
misconfigured (cron mails it), 0 otherwise.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.auth.context import acting_as, cli_actor
from core.db import db
from core.tenancy import tenant_context
from core.tenancy.service import list_tenants


@click.group("warnings")
def warnings_group() -> None:
    """Warnings (预警)."""


@warnings_group.command("sweep")
@click.option("--tenant", "slug", metavar="SLUG", help="Only this tenant.")
@click.option("--all", "all_tenants", is_flag=True, help="Every active tenant.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Check as of this day.")
@click.option("--rule", "rules", multiple=True, metavar="KEY", help="Only this rule; repeatable.")
@with_appcontext
def sweep_command(slug, all_tenants, today, rules) -> None:
    """Run the warning rules and open, keep or resolve warnings."""
    from core.warnings import engine

    if bool(slug) == bool(all_tenants):
        raise click.UsageError("give either --tenant SLUG or --all")
    tenants = [(t.id, t.slug) for t in list_tenants() if t.is_active and (all_tenants or t.slug == slug)]
    db.session.rollback()
    if slug and not tenants:
        raise click.ClickException(f"no active tenant {slug!r}")
    problems = 0
    for tenant_id, tenant_slug in tenants:
        with tenant_context(tenant_id), acting_as(cli_actor()):
            try:
                report = engine.sweep(today=today.date() if today else None, rule_keys=rules or None)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - the next tenant still runs
                db.session.rollback()
                click.echo(f"{tenant_slug}: sweep failed: {exc}", err=True)
                problems += 1
                continue
        totals = report.totals()
        click.echo(
            f"{tenant_slug}: {len(report.rules)} rules, {totals['opened']} opened, "
            f"{totals['kept']} kept, {totals['resolved']} resolved"
        )
        for r in report.failed:
            click.echo(f"{tenant_slug}: rule {r.key} {r.status}: {r.error}", err=True)
            problems += 1
    if problems:
        raise click.exceptions.Exit(1)
