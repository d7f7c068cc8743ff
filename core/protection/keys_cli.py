"""``dangjian keys``: make keys, check which key encrypts what, rotate (see
:mod:`core.protection.keys` for the procedure)."""

from __future__ import annotations

import secrets

import click
from cryptography.fernet import Fernet
from flask.cli import with_appcontext

from core.auth.context import acting_as, cli_actor
from core.protection import keys as service


@click.group("keys")
def keys_cli() -> None:
    """Keys of the personal fields encrypted at rest (DATA_KEYS, BLIND_INDEX_KEY)."""


@keys_cli.command("generate")
@click.option(
    "--blind-index",
    is_flag=True,
    help="A key for BLIND_INDEX_KEY instead of a Fernet key for DATA_KEYS.",
)
def generate_command(blind_index: bool) -> None:
    """Print a new key: put it first in DATA_KEYS (or give it to `keys rotate --blind-index`)."""
    click.echo(secrets.token_urlsafe(32) if blind_index else Fernet.generate_key().decode())


def _print(report: service.Report, outcomes: tuple[str, ...]) -> None:
    for name in sorted(report.counts):
        counts = report.counts[name]
        click.echo(f"{name}: " + ", ".join(f"{counts[o]} {o}" for o in outcomes if counts[o]))


@keys_cli.command("check")
@click.option("--batch-size", default=service.DEFAULT_BATCH, show_default=True, type=int)
@with_appcontext
def check_command(batch_size: int) -> None:
    """Count the encrypted values under the newest key, under older keys and under none.

    Exits 1 while any value is not under the newest key (an older key cannot be dropped yet).
    """
    report = service.scan(rotate=False, batch_size=batch_size)
    _print(report, (service.CURRENT, service.OLD, service.UNREADABLE))
    old, unreadable = report.total(service.OLD), report.total(service.UNREADABLE)
    click.echo(
        f"total: {report.total(service.CURRENT)} under the newest key, {old} under "
        f"older keys, {unreadable} under no configured key"
    )
    if old or unreadable:
        raise SystemExit(1)


@keys_cli.command("rotate")
@click.option(
    "--batch-size",
    default=service.DEFAULT_BATCH,
    show_default=True,
    type=int,
    help="Rows read and committed at a time.",
)
@click.option(
    "--blind-index",
    "new_index_key",
    metavar="NEW_KEY",
    help="Also recompute the blind indexes under this new BLIND_INDEX_KEY; then "
    "restart with BLIND_INDEX_KEY=NEW_KEY (web and workers stopped meanwhile).",
)
@click.option("--verbose", is_flag=True, help="Report each table of each tenant.")
@with_appcontext
def rotate_command(batch_size: int, new_index_key: str | None, verbose: bool) -> None:
    """Re-encrypt every value under an older DATA_KEYS key with the newest one, in every table
    of every tenant. Resumable and idempotent: run it again after an interruption.

    Exits 1 if a value is under no configured key (it is left as it is)."""
    if batch_size < 1:
        raise click.BadParameter("must be at least 1", param_hint="--batch-size")
    keys = service.current_keys(new_index_key)
    with acting_as(cli_actor()):
        report = service.scan(
            rotate=True, keys=keys, batch_size=batch_size, progress=click.echo if verbose else None
        )
    _print(report, ("rotated", service.CURRENT, "changed", service.UNREADABLE, "mismatch"))
    click.echo(
        f"total: {report.total('rotated')} rewritten, {report.total(service.CURRENT)} "
        f"already current, {report.total('changed')} changed meanwhile (already new), "
        f"{report.total(service.UNREADABLE)} under no configured key, "
        f"{report.total('mismatch')} blind indexes not matching the current key"
    )
    if report.total(service.UNREADABLE):
        raise SystemExit(1)
