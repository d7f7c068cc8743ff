"""Core's archives slice (党员档案) as a default plugin: members' and applicants' documents,
their API, settings, the completeness warning rules and demo archives."""

from __future__ import annotations

import core.archives.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.plugins.hookspecs import hookimpl


@hookimpl
def dangjian_register_api(api):
    from core.archives.api import bp

    api.register_blueprint(bp, url_prefix="/api/v1")


@hookimpl
def dangjian_settings_schema():
    from core.archives.settings import ArchivesSettingsSchema

    return ArchivesSettingsSchema


@hookimpl
def dangjian_warning_rules():
    from core.archives.warnings import RULES

    return list(RULES)


@hookimpl
def dangjian_demo_data(today):
    from core.archives.demo import ensure_demo_archives

    return ensure_demo_archives(today)
