"""``dangjian demo``: migrate, load the demo tenant, create its users, serve on 127.0.0.1:5000."""

from __future__ import annotations

from datetime import date

import click
import flask_migrate
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from core.app import ready_to_serve
from core.auth.context import acting_as, cli_actor
from core.db import db
from core.demo import assessment, data
from core.tenancy import files, service
from core.tenancy.cli import tenants_dir
from core.tenancy.context import tenant_context

DEMO_SLUG = "demo"


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up the demo and exit without serving.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Set up the demo city (database, tenant, users) and serve it."""
    app = current_app._get_current_object()
    flask_migrate.upgrade(revision="heads")
    spec_path = tenants_dir() / f"{DEMO_SLUG}.toml"
    try:
        spec = files.load_file(spec_path)
    except (files.TenantFileError, FileNotFoundError) as exc:
        raise click.ClickException(f"cannot load the demo tenant from {spec_path}: {exc}") from None
    with acting_as(cli_actor()):
        tenant, _ = service.apply(spec)
        db.session.commit()
        tenant_id = tenant.id
        with tenant_context(tenant_id):
            created = data.ensure_tree()
            members = data.ensure_members()
            data.ensure_mobile_members()
            passwords = data.ensure_users()
            db.session.commit()
            # the committees and the year's 三会一课 before the plugins' data, which may build
            # on them (a pairing's joint 主题党日 is one of them)
            meetings = assessment.ensure_year_of_work(date.today())
            db.session.commit()
            sectors = data.ensure_sector_data()
            db.session.commit()
            work = assessment.ensure_assessment()
            db.session.commit()
    base = f"http://{host}:{port}"
    click.echo(
        f"demo tenant '{DEMO_SLUG}' ready ({created} organisations, {members} members, "
        f"{meetings + work['meetings']} meetings, {work['points']} point entries, "
        f"{work['warnings']} warnings added; "
        "a published star-rating cycle and a problem to rectify)"
    )
    for plugin, added in sectors:
        click.echo(f"  {plugin}: {added}")
    click.echo(f"database: {app.config['SQLALCHEMY_DATABASE_URI']}")
    for username, password in passwords.items():
        click.echo(f"  user {username:<10} password {password}")
    click.echo(f"web app: {base}/  (admin: the whole city; dangyuan: a member — open 我的党员码 on a phone)")
    click.echo(f"API docs: {base}/api/v1/docs/")
    click.echo(
        f"try: curl -s -X POST {base}/api/v1/auth/token -H 'X-Tenant: {DEMO_SLUG}' "
        f"-H 'Content-Type: application/json' "
        f"-d '{{\"username\": \"admin\", \"password\": \"{passwords['admin']}\"}}'"
    )
    if no_serve:
        return
    # Flask refuses app.run() inside its own CLI; serve with Werkzeug directly.
    run_simple(host, port, ready_to_serve(app), threaded=True, use_reloader=False)
