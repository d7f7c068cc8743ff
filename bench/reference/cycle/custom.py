"""A tenant's custom threshold indicators (``custom.<slug>``, :mod:`core.assessment.custom`)
as plain SQL: the number an organisation keeps in its sector attributes under the
indicator's attribute — a JSON number, or text that reads as a finite decimal number once
blanks are trimmed — else no value. Manual custom indicators measure nothing.

The attribute is the indicator's own, not a parameter: it binds as ``:attribute`` (the
runner, :mod:`bench.reference.cycle.assemble`, reads it from the tenant's definition).
Not in :data:`bench.reference.cycle.SLICES`: the keys are the tenant's, so there is no fixed
list; :func:`query` gives the query for a key.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL

NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"

ATTRIBUTE = rf"""
WITH raw AS (
    SELECT r.org_id, o.attributes -> CAST(:attribute AS text) AS raw
    FROM ref_orgs r JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = r.org_id
)
SELECT org_id,
       CASE WHEN json_typeof(raw) = 'number' THEN (raw #>> '{{}}')::numeric
            WHEN json_typeof(raw) = 'string'
                 AND regexp_replace(raw #>> '{{}}', '^\s+|\s+$', '', 'g') ~ '{NUMBER}'
            THEN regexp_replace(raw #>> '{{}}', '^\s+|\s+$', '', 'g')::numeric END AS value
FROM raw
"""


def query(key: str) -> IndicatorSQL:
    """The query of custom threshold indicator ``key``."""
    return IndicatorSQL(key, ATTRIBUTE)
