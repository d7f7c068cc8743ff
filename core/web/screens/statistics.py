"""党内统计 in the browser: the half-year or annual tables of a subtree, each figure a link
to the records behind it, and the same tables as the .xlsx the API sends.

The pages call :mod:`core.statistics.compute` and :mod:`core.statistics.drill` exactly as
``/api/v1/statistics`` does, and read under the same rule: any grant covering the root
organisation (the figures and the rosters behind them show no personal fields). The table
and column labels are the standard layout's Chinese wording, kept in
:mod:`core.statistics.tables`, not in the UI catalog.
"""

from __future__ import annotations

import io
from datetime import date

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _

from core.statistics import compute, drill, export
from core.statistics.schemas import XLSX
from core.statistics.tables import PERIODS
from core.web.blueprint import bp, page
from core.web.paging import PER_PAGE, Page
from core.web.scope import root_for_request

FIRST_YEAR = 1921
LAST_YEAR = 2100


def _year() -> int:
    """``?year=`` (this year when absent); a year outside the tables' range is a 400."""
    raw = request.args.get("year")
    if not raw:
        return date.today().year
    try:
        year = int(raw)
    except ValueError:
        abort(400, _("The year must be a number such as %(year)s.", year=date.today().year))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(400, _("The year must be between %(first)s and %(last)s.", first=FIRST_YEAR,
                     last=LAST_YEAR))
    return year


def _period() -> str:
    period = request.args.get("period") or "annual"
    if period not in PERIODS:
        abort(400, _("The period must be the whole year or the first half."))
    return period


def _root():
    root = root_for_request()
    if root is None:
        abort(404)
    return root


@bp.route("/statistics")
@page
def statistics():
    """Every table of the subtree for the chosen year and period."""
    root, year, period = _root(), _year(), _period()
    result = compute.figures(root, year, period)
    this_year = date.today().year
    return render_template("web/statistics/tables.html", root=root, result=result,
                           year=year, period=period, periods=PERIODS,
                           years=range(this_year, this_year - 6, -1))


@bp.route("/statistics/drill")
@page
def statistics_drill():
    """The records behind one figure, a page at a time (the count is the figure's)."""
    root, year, period = _root(), _year(), _period()
    table_key, row, column = (request.args.get(n, "") for n in ("table", "row", "column"))
    found = drill.records(root, year, period, table_key, row, column)  # 422 page when unknown
    labels = _cell_labels(root, year, period, table_key, row, column)
    number = _page_number(found["count"])
    start = (number - 1) * PER_PAGE
    listed = Page(found["items"][start:start + PER_PAGE], number, PER_PAGE, found["count"])
    return render_template("web/statistics/drill.html", root=root, year=year, period=period,
                           periods=PERIODS, found=found, labels=labels, listed=listed)


def _cell_labels(root, year: int, period: str, table_key: str, row: str, column: str) -> dict:
    """The table's title and the row's and column's labels, as the tables page shows them
    (the drill-down has already checked that the table, row and column exist)."""
    table = compute.figures_of(compute.table(table_key), root, year, period)
    rows = {r["key"]: r["label"] for r in table["rows"]}
    columns = {c["key"]: c["label"] for c in table["columns"]}
    return {"title": table["title"], "row": rows.get(row, row), "column": columns.get(column, column),
            "figure": table["cells"][row][column]}


def _page_number(total: int) -> int:
    try:
        number = int(request.args.get("page", 1))
    except ValueError:
        abort(400, _("The page must be a number."))
    return min(max(number, 1), max(1, -(-total // PER_PAGE)))


@bp.route("/statistics/export.xlsx")
@page
def statistics_export():
    """The tables as the .xlsx in the standard layout (one sheet per table)."""
    result = compute.figures(_root(), _year(), _period())
    out = io.BytesIO()
    export.write(out, result)
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=export.file_name(result))
