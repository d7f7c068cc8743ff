"""``warnings.open_serious`` (严重预警未解除) as plain SQL.

Warnings of ``severity`` raised at the organisation that were open at the end of the
period — opened before the next day began (UTC) and not resolved by then — each counted;
zeros included. Warnings of rules whose plugin the tenant has disabled are hidden and not
counted: ``:hidden_rules`` (text array, from
:func:`bench.reference.cycle.assemble.context_binds`).
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL

OPEN_AT_END = """
WITH bound AS (SELECT (CAST(:end AS date) + 1)::timestamp AT TIME ZONE 'UTC' AS at),
    open AS (
        SELECT w.org_id, count(*) AS n
        FROM warnings w JOIN ref_orgs r ON r.org_id = w.org_id CROSS JOIN bound
        WHERE w.tenant_id = :tenant_id AND w.severity = :severity
          AND w.rule_key <> ALL(CAST(:hidden_rules AS text[]))
          AND w.opened_at < bound.at AND (w.resolved_at IS NULL OR w.resolved_at >= bound.at)
        GROUP BY w.org_id
    )
SELECT r.org_id, coalesce(open.n, 0) AS value
FROM ref_orgs r LEFT JOIN open ON open.org_id = r.org_id
"""

INDICATORS = [IndicatorSQL("warnings.open_serious", OPEN_AT_END)]
