"""Core's members slice as a default plugin: the member register's API."""

from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.members.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1/members")


@hookimpl
def dangjian_warning_rules():
    from core.members.warnings import RULES

    return RULES
