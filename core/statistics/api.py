"""The statistics API (``/api/v1/statistics``): the tables, a figure's records, the .xlsx.

Reading follows ``GET /api/v1/orgs/<id>/stats``: any grant covering ``org_id`` (a ``member``
grant included, as the figures and drill-downs show no personal fields); an organisation
outside the caller's scope is a 404, like an unknown or another tenant's id.
"""

from __future__ import annotations

import io

from flask import send_file

from core.api import Blueprint, abort
from core.auth.permissions import has_role, login_required
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.statistics import compute, drill, export
from core.statistics.schemas import (
    XLSX,
    StatisticsDrillQuerySchema,
    StatisticsDrillSchema,
    StatisticsQuerySchema,
    StatisticsSchema,
)

bp = Blueprint("statistics", __name__, description="党内统计: half-year and annual tables.")


def _root(org_id) -> Organization:
    org = orgs.get(org_id)
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")  # unknown and out of scope alike
    return org


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(StatisticsQuerySchema, location="query")
@bp.response(200, StatisticsSchema)
def statistics(args):
    """Every table of ``org_id``'s subtree for the year's half (to 06-30) or whole year."""
    return compute.figures(_root(args["org_id"]), args["year"], args["period"])


@bp.route("/drill", methods=["GET"])
@login_required
@bp.arguments(StatisticsDrillQuerySchema, location="query")
@bp.response(200, StatisticsDrillSchema)
def statistics_drill(args):
    """The records behind one figure (table, row, column): as many as the figure says."""
    root = _root(args["org_id"])
    return drill.records(
        root, args["year"], args["period"], args["table"], args["row"], args["column"]
    )


@bp.route("/export.xlsx", methods=["GET"])
@login_required
@bp.arguments(StatisticsQuerySchema, location="query")
@bp.response(200, content_type=XLSX, description="The tables (.xlsx), one sheet each")
def statistics_export(args):
    """The tables as an .xlsx workbook in the standard layout."""
    result = compute.figures(_root(args["org_id"]), args["year"], args["period"])
    out = io.BytesIO()
    export.write(out, result)
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=export.file_name(result))
