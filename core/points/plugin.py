"""Core's member points slice (党员量化积分) as a default plugin: the ledger, point rules,
QR cards, redemption (积分金银卡), the ``points.collect`` job and command, the
``points.branch_average`` indicator, the tenant's points settings, and the start-up check
that point rule keys are unique."""

from __future__ import annotations

import core.points.models  # noqa: F401  (the tables exist wherever the plugin is loaded)
from core.plugins.hookspecs import hookimpl

COLLECT_JOB = "points.collect"


@hookimpl
def dangjian_app_configured(app):
    from core.points import registry

    registry.check()  # two plugins declaring one point rule key: refuse to start, naming both


@hookimpl
def dangjian_register_api(api):
    from core.points.api import bp, cards_bp

    api.register_blueprint(bp, url_prefix="/api/v1/points")
    api.register_blueprint(cards_bp, url_prefix="/api/v1/cards")


@hookimpl
def dangjian_register_cli(cli):
    from core.points.collect import points_group

    cli.add_command(points_group)


@hookimpl
def dangjian_settings_schema():
    from core.points.settings import PointsSettingsSchema

    return PointsSettingsSchema


@hookimpl
def dangjian_point_rules():
    from core.points.builtin_rules import point_rules

    return point_rules()


@hookimpl
def dangjian_indicators():
    from core.points.indicators import indicators

    return indicators()


@hookimpl
def dangjian_jobs():
    from core.points.collect import collect_job

    return {COLLECT_JOB: collect_job}
