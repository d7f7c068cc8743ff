"""The ``points.collect`` job and ``dangjian points collect``: run every collecting point
rule (attendance, dues on time, plugins' rules) for a period and add what is new to the
ledger (:func:`core.points.ledger.collect`). Running it twice adds nothing the second time,
so a daily cron run over the current year is safe::

    30 2 * * *  cd /srv/dangjian && .venv/bin/dangjian points collect --all >> log/points.log 2>&1
"""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from core.api.errors import ApiError


def period(year: int | None = None, start: str | date | None = None,
           end: str | date | None = None, today: date | None = None) -> tuple[date, date]:
    """The period to collect: ``start``–``end`` when given, else calendar ``year`` (the
    current one by default, up to today). 422 naming the argument when it is malformed."""
    today = today or date.today()

    def day(value, name):
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ApiError(422, f"{name}: not a date (YYYY-MM-DD).", {name: ["Not a date."]}) from None

    start, end = day(start, "start"), day(end, "end")
    if start is not None or end is not None:
        if start is None or end is None:
            missing = "start" if start is None else "end"
            raise ApiError(422, f"{missing}: give both start and end.", {missing: ["Missing."]})
    else:
        if year is None:
            year = today.year
        if not isinstance(year, int) or isinstance(year, bool) or not 1950 <= year <= 2200:
            raise ApiError(422, "year: must be a year between 1950 and 2200.", {"year": ["Invalid."]})
        start, end = date(year, 1, 1), date(year, 12, 31)
    if end < start:
        raise ApiError(422, "end: must not be before start.", {"end": ["Before start."]})
    return start, end


def collect_job(ctx, year: int | None = None, start: str | None = None, end: str | None = None,
                rules: list[str] | None = None) -> dict:
    """The ``points.collect`` job: collect the job's tenant for the period."""
    from core.points import ledger

    first, last = period(year, start, end)

    def progress(done: int, total: int, key: str) -> None:
        ctx.progress(100 * done / max(total, 1), f"{done}/{total} {key}")

    report = ledger.collect(first, last, rule_keys=rules, progress=progress)
    report.update(start=first.isoformat(), end=last.isoformat())
    return report


@click.group("points")
def points_group() -> None:
    """Member points (党员量化积分)."""


@points_group.command("collect")
@click.option("--tenant", "slug", metavar="SLUG", help="Only this tenant.")
@click.option("--all", "all_tenants", is_flag=True, help="Every active tenant.")
@click.option("--year", type=int, help="Calendar year to collect (default: this year).")
@click.option("--rule", "rules", multiple=True, metavar="KEY", help="Only this rule; repeatable.")
@with_appcontext
def collect_command(slug, all_tenants, year, rules) -> None:
    """Add attendance, dues and other collected deeds to the points ledger."""
    from core.auth.context import acting_as, cli_actor
    from core.db import db
    from core.points import ledger
    from core.tenancy import tenant_context
    from core.tenancy.service import list_tenants

    if bool(slug) == bool(all_tenants):
        raise click.UsageError("give either --tenant SLUG or --all")
    tenants = [(t.id, t.slug) for t in list_tenants()
               if t.is_active and (all_tenants or t.slug == slug)]
    db.session.rollback()
    if slug and not tenants:
        raise click.ClickException(f"no active tenant {slug!r}")
    try:
        first, last = period(year)
    except ApiError as exc:
        raise click.BadParameter(exc.message, param_hint="--year") from None
    failed = 0
    for tenant_id, tenant_slug in tenants:
        with tenant_context(tenant_id), acting_as(cli_actor()):
            try:
                report = ledger.collect(first, last, rule_keys=list(rules) or None)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - the next tenant still runs
                db.session.rollback()
                click.echo(f"{tenant_slug}: collect failed: {exc}", err=True)
                failed += 1
                continue
        per_rule = ", ".join(f"{key} +{r['added']}" for key, r in report["rules"].items())
        click.echo(f"{tenant_slug}: {first}–{last}: {report['added']} entries added ({per_rule})")
    if failed:
        raise click.exceptions.Exit(1)
