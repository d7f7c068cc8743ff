"""``dangjian import`` and ``dangjian export``: the Excel exchange from the command line.

* ``dangjian import template FILE [--tenant SLUG]`` writes the template (with the tenant's
  organisations when a tenant is named).
* ``dangjian import members FILE --tenant SLUG [--valid-rows-only]`` stores the file and starts
  the import job, like the API. Without Redis the job runs here and its result is printed
  (exit code 1 when nothing was imported); with Redis it is queued for ``dangjian worker``.
* ``dangjian export members|orgs FILE --tenant SLUG [--subtree CODE]``.

The command line acts as the operator (``cli:<login>``): the whole tenant is in scope and
exports show personal data in full, unless ``--masked``.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from core.api.errors import ApiError
from core.auth.context import acting_as, cli_actor
from core.excel import exporter, template, uploads
from core.excel.importer import ALL_OR_NOTHING, JOB_NAME, VALID_ROWS_ONLY, Scope
from core.jobs import service as jobs
from core.jobs.models import FAILED, FINISHED
from core.orgs import service as orgs
from core.tenancy import tenant_context
from core.tenancy.models import Tenant
from core.tenancy.resolve import tenant_by_slug

SHOWN_ERRORS = 50

tenant_option = click.option("--tenant", "slug", required=True, metavar="SLUG", help="The tenant's slug.")


def _tenant(slug: str) -> Tenant:
    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise click.BadParameter(f"no tenant with slug {slug!r}", param_hint="'--tenant'")
    return tenant


@click.group("import")
def import_group() -> None:
    """Import the member register from Excel (.xlsx)."""


@import_group.command("template")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--tenant", "slug", metavar="SLUG",
              help="Add a sheet listing this tenant's organisations (codes and names).")
@with_appcontext
def template_command(file: Path, slug: str | None) -> None:
    """Write the member import template to FILE."""
    rows = []
    if slug is not None:
        tenant = _tenant(slug)
        with acting_as(cli_actor()), tenant_context(tenant.id):
            rows = [(o.code, o.name, exporter.KIND_LABELS.get(o.kind, o.kind))
                    for o in Scope(None).writable_orgs()]
    file.write_bytes(template.build_template(rows))
    click.echo(f"Template written to {file}")


def _print_result(result: dict) -> None:
    click.echo(result.get("message", ""))
    for error in result.get("errors", [])[:SHOWN_ERRORS]:
        row = f"row {error['row']}" if error.get("row") else "file"
        column = f" [{error['column']}]" if error.get("column") else ""
        value = f" (cell: {error['value']!r})" if error.get("value") is not None else ""
        click.echo(f"  {row}{column}: {error['reason']}{value}")
    hidden = result.get("error_count", 0) - min(SHOWN_ERRORS, len(result.get("errors", [])))
    if hidden > 0:
        click.echo(f"  … and {hidden} more errors")
        by_column = result.get("errors_by_column") or {}
        if by_column:
            click.echo("  errors by column: " + ", ".join(f"{c} {n}" for c, n in by_column.items()))


@import_group.command("members")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@tenant_option
@click.option("--valid-rows-only", is_flag=True,
              help="Import the valid rows even if others are bad (default: all or nothing).")
@with_appcontext
def import_members_command(file: Path, slug: str, valid_rows_only: bool) -> None:
    """Import members from the .xlsx FILE into a tenant (as a job)."""
    tenant = _tenant(slug)
    mode = VALID_ROWS_ONLY if valid_rows_only else ALL_OR_NOTHING
    with acting_as(cli_actor()), tenant_context(tenant.id):
        try:
            name = uploads.store_file(tenant.id, file)
        except uploads.UploadError as exc:
            raise click.BadParameter(exc.reason, param_hint="'FILE'") from None
        try:
            job = jobs.enqueue(JOB_NAME, upload=name, mode=mode, filename=uploads.display_name(file.name))
        except ApiError as exc:
            uploads.discard(tenant.id, name)
            raise click.ClickException(exc.message) from None
        click.echo(f"job {job.id}")
        if job.state == FAILED:
            raise click.ClickException(f"the import failed: {job.error}")
        if job.state != FINISHED:
            click.echo("Queued: `dangjian worker` runs it; GET /api/v1/jobs/<id> shows its result.")
            return
        _print_result(job.result or {})
        if (job.result or {}).get("status") != "imported":
            raise click.exceptions.Exit(1)


@click.group("export")
def export_group() -> None:
    """Export members or organisations to Excel (.xlsx)."""


def _export_root(code: str | None):
    if code is None:
        return None
    root = orgs.by_code(code)
    if root is None:
        raise click.BadParameter(f"no organisation with code {code!r}", param_hint="'--subtree'")
    return root


subtree_option = click.option("--subtree", "code", metavar="CODE",
                              help="Export this organisation's subtree (default: the whole tenant).")
file_argument = click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))


@export_group.command("members")
@file_argument
@tenant_option
@subtree_option
@click.option("--include-former", is_flag=True, help="Also members transferred out, deceased or gone.")
@click.option("--masked", is_flag=True, help="Mask ID numbers, phones and addresses.")
@with_appcontext
def export_members_command(file: Path, slug: str, code: str | None, include_former: bool,
                           masked: bool) -> None:
    """Write the members of a tenant (or of a subtree) to FILE, with the template's headers."""
    tenant = _tenant(slug)
    with acting_as(cli_actor()), tenant_context(tenant.id):
        root = _export_root(code)
        with open(file, "wb") as out:
            count = exporter.write_members(
                out, root, visible=None, full_view=lambda path: not masked,
                include_former=include_former,
            )
    click.echo(f"{count} members written to {file}")


@export_group.command("orgs")
@file_argument
@tenant_option
@subtree_option
@with_appcontext
def export_orgs_command(file: Path, slug: str, code: str | None) -> None:
    """Write the organisations of a tenant (or of a subtree) to FILE."""
    tenant = _tenant(slug)
    with acting_as(cli_actor()), tenant_context(tenant.id):
        root = _export_root(code)
        with open(file, "wb") as out:
            count = exporter.write_orgs(out, root, visible=None)
    click.echo(f"{count} organisations written to {file}")

