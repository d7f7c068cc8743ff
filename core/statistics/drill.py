"""The records behind one figure: the rows of the very condition the figure counted.

Members are listed by id and name only (no personal fields), as a roster is; events add
the day they happened. The subtree bounds every query, so a caller who may read the
root's figures sees nothing outside it.
"""

from __future__ import annotations

from sqlalchemy import and_, null

from core.api.errors import ApiError
from core.db import db
from core.orgs.models import Organization
from core.statistics import compute

FIELDS = ("id", "name", "org_id", "org_name", "occurred_on")


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, f"{field}: {message}", {field: [message]})


def records(
    root: Organization, year: int, period: str, table_key: str, row: str, column: str
) -> dict:
    """``{"count", "items"}`` behind cell (``table_key``, ``row``, ``column``); 422 naming
    the parameter when the table, row or column does not exist."""
    table = compute.table(table_key)
    if table is None:
        raise _invalid("table", "Unknown table.")
    spec = compute.spec(table, root, year, period)
    if row not in spec.rows:
        raise _invalid("row", f"Not a row of table {table_key}.")
    if column not in spec.columns:
        raise _invalid("column", f"Not a column of table {table_key}.")
    item = spec.item[column] if isinstance(spec.item, dict) else spec.item
    columns = [null() if c is None else c for c in item]
    query = spec.base.add_columns(*columns).where(and_(spec.rows[row], spec.columns[column]))
    items = [dict(zip(FIELDS, values, strict=True)) for values in db.session.execute(query)]
    items.sort(key=lambda i: (str(i["org_name"] or ""), str(i["name"]), str(i["id"])))
    return {"table": table_key, "row": row, "column": column, "count": len(items), "items": items}
