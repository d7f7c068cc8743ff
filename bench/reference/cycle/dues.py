"""``dues.paid_rate`` (党费按月足额交纳) as plain SQL.

For every active member of the organisation and its 党小组, each month of the period from
the month they owe dues — joining, or the tenant's ``arrears_from`` when later — up to the
last due month is due; the month still running when the query runs is not due yet (the
last due month is the period's last month, or the month before the current one if the
period has not ended). A member's paid months are their payment rows for months of the
period, wherever recorded, at most their months due. Value: paid ÷ due in % to one decimal
(halves up); an organisation with no month due has no value.

Besides the contract's binds: ``:today`` (the day the cycle runs) and ``:arrears_from``
(the tenant's dues setting, a month or NULL), from
:func:`bench.reference.cycle.assemble.context_binds`.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL
from bench.reference.cycle.orgs import ACTIVE, HOLDERS

PAID_RATE = f"""
WITH {HOLDERS.strip()},
    bounds AS (
        SELECT date_trunc('month', CAST(:start AS date))::date AS first,
               CASE WHEN date_trunc('month', CAST(:end AS date))
                         >= date_trunc('month', CAST(:today AS date))
                    THEN (date_trunc('month', CAST(:today AS date)) - interval '1 month')::date
                    ELSE date_trunc('month', CAST(:end AS date))::date END AS last
    ),
    owing AS (
        SELECT h.org_id, m.id AS member_id,
               greatest(b.first, date_trunc('month', m.joined_on)::date,
                        coalesce(CAST(:arrears_from AS date), b.first)) AS since,
               b.last
        FROM holders h
        JOIN members m ON m.tenant_id = :tenant_id AND m.org_id = h.holder_id
        CROSS JOIN bounds b
        WHERE m.status IN {ACTIVE}
    ),
    paid AS (
        SELECT p.member_id, count(*) AS n
        FROM dues_payments p CROSS JOIN bounds b
        WHERE p.tenant_id = :tenant_id AND p.month >= b.first AND p.month <= b.last
        GROUP BY p.member_id
    ),
    owed AS (
        SELECT o.org_id, o.member_id, paid.n,
               CASE WHEN o.since <= o.last
                    THEN (extract(year FROM o.last) - extract(year FROM o.since)) * 12
                         + extract(month FROM o.last) - extract(month FROM o.since) + 1
                    ELSE 0 END AS due
        FROM owing o LEFT JOIN paid ON paid.member_id = o.member_id
    ),
    totals AS (
        SELECT org_id, sum(due) AS due, sum(least(coalesce(n, 0), due)) AS paid
        FROM owed GROUP BY org_id
    )
SELECT r.org_id,
       CASE WHEN totals.due > 0 THEN round(totals.paid * 100.0 / totals.due, 1) END AS value
FROM ref_orgs r LEFT JOIN totals ON totals.org_id = r.org_id
"""

INDICATORS = [IndicatorSQL("dues.paid_rate", PAID_RATE)]
