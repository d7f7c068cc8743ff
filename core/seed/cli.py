"""``dangjian seed --tenant SLUG --profile small|city|large``: a synthetic city for benchmarks."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from core.api.errors import ApiError
from core.db import db
from core.plugins.manager import installed_plugins
from core.seed import service
from core.seed.profiles import PROFILES
from core.tenancy import files
from core.tenancy import service as tenants
from core.tenancy.context import tenant_context
from core.tenancy.resolve import tenant_by_slug


@click.command("seed")
@click.option("--tenant", "slug", required=True, help="The tenant to fill (created with every plugin if missing).")
@click.option("--profile", type=click.Choice(sorted(PROFILES)), default="small", show_default=True)
@click.option("--random-seed", type=int, default=20261122, show_default=True,
              help="The same seed gives the same city.")
@with_appcontext
def seed_command(slug: str, profile: str, random_seed: int) -> None:
    """Fill an empty tenant with a synthetic city: organisations of all five sectors and their
    党小组, members, committees and finance roles, a year of meetings and talks with attendance,
    dues, development paths, sector data and points — with a real year's few imperfections."""
    tenant = tenant_by_slug(slug)
    if tenant is None:
        spec = files.TenantSpec(slug=slug, name=f"合成市委组织部（{profile}）",
                                plugins=sorted(installed_plugins()))
        try:
            tenants.check(spec)
        except files.TenantFileError as exc:
            raise click.UsageError(str(exc)) from None
        tenant, _created = tenants.apply(spec, create_only=True)
        db.session.commit()
        click.echo(f"created tenant {slug!r} with plugins {', '.join(spec.plugins)}")
    started = time.perf_counter()
    with tenant_context(tenant.id):
        try:
            written = service.seed(profile, random_seed=random_seed, say=click.echo)
        except ApiError as exc:
            db.session.rollback()
            raise click.ClickException(f"{slug}: {exc.message}") from None
        db.session.commit()
    total = sum(written.values())
    click.echo(f"seeded {slug!r} with profile {profile}: {total:,} rows in {time.perf_counter() - started:.1f} s")
