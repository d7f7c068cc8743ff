"""Core's assessment slice (评星定级) as a default plugin: indicators and standards, cycles and
their results, the ``assessment.run_cycle`` job, the tenant's assessment settings, and the
start-up check that indicator and standard keys are unique."""

from __future__ import annotations

import core.assessment.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.plugins.hookspecs import hookimpl

RUN_JOB = "assessment.run_cycle"


@hookimpl
def dangjian_app_configured(app):
    from core.assessment import registry

    registry.check()  # two plugins declaring one indicator key: refuse to start, naming both


@hookimpl
def dangjian_register_api(api):
    from core.assessment.api.cycles import bp as cycles
    from core.assessment.api.indicators import bp as indicators
    from core.assessment.api.standards import bp as standards

    api.register_blueprint(indicators, url_prefix="/api/v1/indicators")
    api.register_blueprint(standards, url_prefix="/api/v1/standards")
    api.register_blueprint(cycles, url_prefix="/api/v1/cycles")


@hookimpl
def dangjian_settings_schema():
    from core.assessment.settings import AssessmentSettingsSchema

    return AssessmentSettingsSchema


@hookimpl
def dangjian_jobs():
    from core.assessment.run import run_cycle_job

    return {RUN_JOB: run_cycle_job}


@hookimpl
def dangjian_standards():
    from core.assessment.templates import templates

    return templates()
