"""``dangjian users``: create accounts, grant roles, unlock, reset passwords — per tenant.

The first administrator of a new tenant is made here, so these commands need no login: they
act as the operator at the shell (``cli:<login>`` in the audit log). Bad input is a usage
error naming the option (exit code 2) and writes nothing: each command is one transaction.

Prefer ``--generate`` (or the prompt) to ``--password``: a password on the command line ends
up in the shell history and the process list.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.api.errors import ApiError
from core.auth import passwords, service
from core.auth.context import acting_as, cli_actor
from core.auth.models import ROLES, TENANT_WIDE_ROLES, User
from core.db import db
from core.db.mixins import utcnow
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.tenancy import tenant_context
from core.tenancy.models import Tenant
from core.tenancy.resolve import tenant_by_slug

tenant_option = click.option(
    "--tenant", "tenant_slug", required=True, metavar="SLUG", help="The tenant (city) slug."
)
org_option = click.option(
    "--org", "org_code", metavar="CODE", help="Organisation code: the grant covers its subtree."
)
# Which command-line parameter names each field a service may complain about.
HINTS = {
    "username": "'USERNAME'",
    "password": "'--password'",
    "role": "'ROLE'",
    "org_id": "'--org'",
    "display_name": "'--display-name'",
}


@click.group("users")
def users() -> None:
    """User accounts and their roles, per tenant."""


def _tenant(slug: str) -> Tenant:
    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise click.BadParameter(f"no tenant with slug {slug!r}", param_hint="'--tenant'")
    return tenant


@contextmanager
def _operating_on(tenant: Tenant) -> Iterator[None]:
    """Run as the shell operator inside ``tenant``; a failure rolls back what was flushed
    (``tenant_context`` may have joined the transaction that looked the tenant up, and a
    joined transaction is left open when the block ends)."""
    with tenant_context(tenant.id), acting_as(cli_actor()):
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise


def _org(code: str | None) -> Organization | None:
    if code is None:
        return None
    org = orgs.by_code(code)
    if org is None:
        raise click.BadParameter(f"no organisation with code {code!r}", param_hint="'--org'")
    return org


def _user(username: str) -> User:
    user = service.find_user(username)
    if user is None:
        raise click.BadParameter(f"no user {username!r} in this tenant", param_hint="'USERNAME'")
    return user


def _check_scope(role: str | None, org_code: str | None) -> None:
    if org_code is not None and role is None:
        raise click.UsageError("--org needs --role")
    if role in TENANT_WIDE_ROLES and org_code is not None:
        raise click.BadParameter(
            f"{role} is granted for the whole tenant; leave out --org", param_hint="'--org'"
        )


def _usage_error(exc: ApiError) -> click.ClickException:
    """The service's complaint as a usage error on the parameter it concerns."""
    for field, problems in (exc.errors or {}).items():
        if field in HINTS:
            return click.BadParameter(" ".join(problems), param_hint=HINTS[field])
    return click.UsageError(exc.message)


def _choose_password(password: str | None, generate: bool) -> str:
    if password is not None and generate:
        raise click.UsageError("give either --password or --generate, not both")
    if generate:
        return passwords.generate_password()
    if password is None:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users.command("create")
@tenant_option
@click.argument("username")
@click.option("--password", help="The password (prefer --generate or the prompt).")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@click.option("--role", type=click.Choice(ROLES), help="Grant this role at once.")
@org_option
@click.option("--display-name", help="Name shown in the UI (default: the username).")
@with_appcontext
def create(tenant_slug, username, password, generate, role, org_code, display_name) -> None:
    """Create USERNAME in the tenant, optionally granting a role."""
    _check_scope(role, org_code)
    tenant = _tenant(tenant_slug)
    with _operating_on(tenant):
        org = _org(org_code)
        if password is not None and (problems := passwords.password_problems(password)):
            raise click.BadParameter(" ".join(problems), param_hint="'--password'")
        password = _choose_password(password, generate)
        try:
            user = service.create_user(username, password, display_name)
            if role is not None:
                service.grant(user, role, org)
        except ApiError as exc:
            raise _usage_error(exc) from None
        name = user.username
        db.session.commit()
    scope = f" as {role}" + (f" on {org_code}" if org_code else "") if role else ""
    click.echo(f"Created user {name} in tenant {tenant_slug}{scope}.")
    if generate:
        click.echo(f"Password (shown only now): {password}")


@users.command("list")
@tenant_option
@with_appcontext
def list_users(tenant_slug) -> None:
    """List the tenant's users with their status and roles."""
    tenant = _tenant(tenant_slug)
    with _operating_on(tenant):
        rows = db.session.scalars(select(User).order_by(User.username)).all()
        grants = service.grants_of_users([u.id for u in rows])
        now = utcnow()
        for user in rows:
            locked = service.as_utc(user.locked_until)
            if not user.is_active:
                status = "disabled"
            elif locked is not None and locked > now:
                status = f"locked until {service.iso(locked)}"
            else:
                status = "active"
            roles = ", ".join(
                grant.role + (f"@{org.code}" if org is not None else "")
                for grant, org in grants.get(user.id, [])
            ) or "-"
            click.echo(f"{user.username}\t{user.display_name}\t{status}\t{roles}")


@users.command("grant")
@tenant_option
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@org_option
@with_appcontext
def grant(tenant_slug, username, role, org_code) -> None:
    """Grant ROLE to USERNAME, tenant-wide or on --org's subtree."""
    _check_scope(role, org_code)
    tenant = _tenant(tenant_slug)
    with _operating_on(tenant):
        user = _user(username)
        org = _org(org_code)
        try:
            service.grant(user, role, org)
        except ApiError as exc:
            raise _usage_error(exc) from None
        name = user.username
        db.session.commit()
    click.echo(f"Granted {role}{f' on {org_code}' if org_code else ''} to {name}.")


@users.command("unlock")
@tenant_option
@click.argument("username")
@with_appcontext
def unlock(tenant_slug, username) -> None:
    """Lift USERNAME's lockout after failed logins."""
    tenant = _tenant(tenant_slug)
    with _operating_on(tenant):
        user = _user(username)
        service.unlock(user)
        name = user.username
        db.session.commit()
    click.echo(f"Unlocked {name}.")


@users.command("set-password")
@tenant_option
@click.argument("username")
@click.option("--password", help="The new password (prefer --generate or the prompt).")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@with_appcontext
def set_password(tenant_slug, username, password, generate) -> None:
    """Replace USERNAME's password, lift any lockout and revoke the user's tokens."""
    tenant = _tenant(tenant_slug)
    with _operating_on(tenant):
        user = _user(username)
        password = _choose_password(password, generate)
        try:
            service.set_password(user, password)
        except ApiError as exc:
            raise _usage_error(exc) from None
        service.unlock(user)
        revoked = service.revoke_all_tokens(user)
        name = user.username
        db.session.commit()
    click.echo(f"Password of {name} replaced; {revoked} active token(s) revoked.")
    if generate:
        click.echo(f"Password (shown only now): {password}")
