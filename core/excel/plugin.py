"""Core's Excel slice as a default plugin: the import/export API, the ``import`` and
``export`` commands, and the job ``imports.members``."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.excel.api import exports_bp, imports_bp

    api.register_blueprint(imports_bp, url_prefix="/api/v1/imports")
    api.register_blueprint(exports_bp, url_prefix="/api/v1/exports")


@hookimpl
def dangjian_register_cli(cli):
    from core.excel.cli import export_group, import_group

    cli.add_command(import_group)
    cli.add_command(export_group)


@hookimpl
def dangjian_jobs():
    from core.excel.importer import JOB_NAME, import_members_job

    return {JOB_NAME: import_members_job}
