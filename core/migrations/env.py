"""Alembic environment (Flask-Migrate). Runs core's and every plugin's migration branches,
then makes sure every tenant table has its row-level security policy (PostgreSQL)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from core.models import load_all_models
from core.tenancy import rls

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
engine = migrate_ext.db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)
load_all_models()
target_metadata = migrate_ext.db.metadata


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _skip_empty_autogenerate(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_online():
    conf_args = dict(migrate_ext.configure_args)
    conf_args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "postgresql":
                covered = rls.ensure_policies(connection)
                logger.info("row-level security on %d tenant tables", len(covered))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
