"""发展党员 (``development.*``) as plain SQL.

* ``development.recruited`` — people of the organisation admitted as probationary members
  (step 17, 上级党委审批) in the ``years`` years up to the end of the period (from the day
  after the same day ``years`` years earlier), each person once; zeros included.
* ``development.breaches`` — development steps of the organisation's people recorded in the
  period despite a rule (``override``); zeros included.

People count where their record is kept (``development_people.org_id``).
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL

APPROVAL = 17  # 上级党委审批: admitted as a probationary member

RECRUITED = f"""
WITH admitted AS (
    SELECT p.org_id, count(DISTINCT s.person_id) AS n
    FROM development_people p
    JOIN ref_orgs r ON r.org_id = p.org_id
    JOIN development_steps s ON s.tenant_id = :tenant_id AND s.person_id = p.id
    WHERE p.tenant_id = :tenant_id AND s.code = {APPROVAL}
      AND s.done_on <= :end
      AND s.done_on >= (CAST(:end AS date) - make_interval(years => :years))::date + 1
    GROUP BY p.org_id
)
SELECT r.org_id, coalesce(admitted.n, 0) AS value
FROM ref_orgs r LEFT JOIN admitted ON admitted.org_id = r.org_id
"""

BREACHES = """
WITH breached AS (
    SELECT p.org_id, count(*) AS n
    FROM development_people p
    JOIN ref_orgs r ON r.org_id = p.org_id
    JOIN development_steps s ON s.tenant_id = :tenant_id AND s.person_id = p.id
    WHERE p.tenant_id = :tenant_id AND s.override AND s.done_on BETWEEN :start AND :end
    GROUP BY p.org_id
)
SELECT r.org_id, coalesce(breached.n, 0) AS value
FROM ref_orgs r LEFT JOIN breached ON breached.org_id = r.org_id
"""

INDICATORS = [
    IndicatorSQL("development.recruited", RECRUITED),
    IndicatorSQL("development.breaches", BREACHES),
]
