"""Problems and 软弱涣散 designations (``problems.*``) as plain SQL; every measured
organisation gets a value.

* ``problems.overdue`` — problems found by the end of the period, due before its last day
  and not closed on or before it (a problem closed and reopened has no close-out day).
* ``problems.rectification_rate`` — of the problems due in the period, the share closed on
  or before their deadline, in % to two decimals; none due: 100. (The engine rounds a
  float, so an exact tie on the third decimal goes to the even cent here too.)
* ``problems.weak_designation`` — designations made by the end of the period and not
  de-listed before it started.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL
from bench.reference.cycle.orgs import half_even

OVERDUE = """
WITH overdue AS (
    SELECT p.org_id, count(*) AS n
    FROM problems p JOIN ref_orgs r ON r.org_id = p.org_id
    WHERE p.tenant_id = :tenant_id AND p.found_on <= :end AND p.deadline < :end
      AND (p.closed_on IS NULL OR p.closed_on > :end)
    GROUP BY p.org_id
)
SELECT r.org_id, coalesce(overdue.n, 0) AS value
FROM ref_orgs r LEFT JOIN overdue ON overdue.org_id = r.org_id
"""

RATE = f"""
WITH due AS (
    SELECT p.org_id, count(*) AS n,
           count(*) FILTER (WHERE p.closed_on <= p.deadline) AS on_time
    FROM problems p JOIN ref_orgs r ON r.org_id = p.org_id
    WHERE p.tenant_id = :tenant_id AND p.deadline BETWEEN :start AND :end
    GROUP BY p.org_id
)
SELECT r.org_id,
       CASE WHEN due.n > 0 THEN {half_even("due.on_time * 100.0 / due.n", 2)}
            ELSE 100 END AS value
FROM ref_orgs r LEFT JOIN due ON due.org_id = r.org_id
"""

WEAK = """
WITH listed AS (
    SELECT w.org_id, count(*) AS n
    FROM weak_designations w JOIN ref_orgs r ON r.org_id = w.org_id
    WHERE w.tenant_id = :tenant_id AND w.designated_on <= :end
      AND (w.delisted_on IS NULL OR w.delisted_on >= :start)
    GROUP BY w.org_id
)
SELECT r.org_id, coalesce(listed.n, 0) AS value
FROM ref_orgs r LEFT JOIN listed ON listed.org_id = r.org_id
"""

INDICATORS = [
    IndicatorSQL("problems.overdue", OVERDUE),
    IndicatorSQL("problems.rectification_rate", RATE),
    IndicatorSQL("problems.weak_designation", WEAK),
]
