"""Core's Excel slice as a default plugin: the import/export API, the ``import`` and
``export`` commands, the job ``imports.members``, and the API's answer to an upload over
the size limit (:func:`core.files.register_upload_limit`)."""

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


@hookimpl
def dangjian_app_configured(app):
    from core.files import register_upload_limit

    register_upload_limit(app)
