"""``dangjian brands lapse``: withdraw the model-site titles whose yearly re-review (复核) is
past due and not done, for every tenant (run it daily from cron); ``--open YEAR`` first opens
that year's re-reviews. What ``POST /api/v1/brands/model-sites/reviews[/lapse]`` does for the
whole city, for all of them."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.auth.context import acting_as, cli_actor
from core.brands import service
from core.db import db
from core.tenancy import tenant_context
from core.tenancy.service import list_tenants


@click.group("brands")
def brands_group() -> None:
    """Party-building brands and model sites (党建品牌, 示范点)."""


@brands_group.command("lapse")
@click.option("--tenant", "slug", metavar="SLUG", help="Only this tenant (default: every active one).")
@click.option("--open", "open_year", type=click.IntRange(2000, 2100), metavar="YEAR",
              help="Open this year's re-reviews first.")
@with_appcontext
def lapse_command(slug: str | None, open_year: int | None) -> None:
    """Withdraw titles whose re-review lapsed (kept in the history)."""
    tenants = [(t.id, t.slug) for t in list_tenants() if t.is_active and slug in (None, t.slug)]
    db.session.rollback()
    if slug is not None and not tenants:
        raise click.ClickException(f"no active tenant {slug!r}")
    for tenant_id, tenant_slug in tenants:
        with tenant_context(tenant_id), acting_as(cli_actor()):
            opened = service.open_reviews(open_year) if open_year else 0
            lapsed = service.lapse_overdue()
            db.session.commit()
        click.echo(f"{tenant_slug}: {opened} re-reviews opened, {lapsed} lapsed")
