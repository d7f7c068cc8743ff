"""The ``dangjian`` command: Flask's CLI with the app factory, plus every plugin's commands.

Core's own groups (tenants, plugins, users, worker, demo) arrive through the
``dangjian_register_cli`` hook of the default plugins, exactly as a sector plugin's would
(``create_app`` adds them to ``app.cli``).
``db`` is Flask-Migrate's group, except that ``upgrade`` goes to *all* heads: core and every
plugin's migration branch.
"""

from __future__ import annotations

import click
import flask_migrate
from flask import g
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import cli as flask_migrate_cli

from core.app import create_app


def _make_db_group() -> click.Group:
    source = flask_migrate_cli.db
    group = click.Group(
        "db",
        help="Database migrations (Alembic through Flask-Migrate).",
        callback=source.callback,  # keeps -d/--directory and -x/--x-arg
        params=list(source.params),
        commands={
            name: command
            for name, command in flask_migrate_cli.db.commands.items()
            if name != "upgrade"
        },
    )

    @group.command("upgrade")
    @click.argument("revision", default="heads")
    @click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
    @with_appcontext
    def upgrade(revision: str, sql: bool) -> None:
        """Upgrade to REVISION (default: every head, core and plugins)."""
        flask_migrate.upgrade(
            directory=g.directory, revision=revision, sql=sql, x_arg=g.x_arg
        )

    @group.command("citus-sql")
    @with_appcontext
    def citus_sql() -> None:
        """Print the SQL that distributes the schema over Citus by tenant (run once, after
        `dangjian db upgrade`, as the cluster's administrator)."""
        from core.db import db, distribution
        from core.models import load_all_models

        load_all_models()
        for statement in distribution.citus_statements(db.metadata):
            click.echo(statement)

    return group


class DangjianGroup(FlaskGroup):
    def _load_plugin_commands(self) -> None:
        if self._loaded_plugin_commands:
            return
        super()._load_plugin_commands()
        self.add_command(_make_db_group())  # ours replaces Flask-Migrate's entry-point "db"


def build_cli() -> DangjianGroup:
    # Core's and the plugins' commands are added to app.cli by create_app
    # (hook dangjian_register_cli); FlaskGroup lists the app's commands beside its own.
    return DangjianGroup(
        create_app=lambda: create_app(),
        help="dangjian: multi-tenant Party-building platform (基层党建).",
        load_dotenv=False,
    )


def main() -> None:
    build_cli().main(prog_name="dangjian")
