"""The organs sector's warning rules (``plugins/organs/warnings.py``) as plain SQL.

An *organ organisation* (``plugins.organs.scope``) is an organisation of the organs sector
that names its organ (``organ_name``), or a branch, general branch or joint branch of the
sector with no organ organisation above it. "No organ organisation above" comes down to:
no ancestor of the sector names an organ or is of one of those kinds (such an ancestor is
an organ organisation itself, or has one above it). The organ-level rules look at the
active ones.

Binds: ``:tenant_id``, ``:today`` and the rules' parameters. The parameters of
``organs.brand_milestone_overdue``, ``organs.party_staff_short`` and
``organs.business_goals_missing`` default to ``None``, meaning "the plugin setting": the
queries then read the tenant's stored override from ``tenant_plugins.settings``, else the
plugin's default (``brand_milestone_grace_days`` 0, ``party_staff_ratio_percent`` 1,
``party_staff_min_organ_size`` 50, ``business_goals_due_month`` 3) — settings are input.
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL

_SETTINGS = """
organs_settings AS MATERIALIZED (
    SELECT coalesce((SELECT tp.settings FROM tenant_plugins tp
                     WHERE tp.tenant_id = :tenant_id AND tp.plugin = 'organs'), '{}'::json) AS s
)"""

_ORGANS = """
sector_orgs AS MATERIALIZED (
    SELECT o.id, o.name, o.kind, o.status, o.path, a.organ_name, a.staff_total,
           a.party_office_full_time, a.party_office_part_time,
           coalesce(a.organ_name, '') <> '' AS names_organ
    FROM organizations o
    CROSS JOIN LATERAL json_to_record(o.attributes)
        AS a(organ_name text, staff_total numeric, party_office_full_time numeric,
             party_office_part_time numeric)
    WHERE o.tenant_id = :tenant_id AND o.sector = 'organs'
),
organ_like AS (
    SELECT id FROM sector_orgs
    WHERE names_organ OR kind IN ('general_branch', 'branch', 'joint_branch')
),
organs AS (
    SELECT so.id, coalesce(nullif(so.organ_name, ''), so.name) AS organ, so.staff_total,
           so.party_office_full_time, so.party_office_part_time
    FROM sector_orgs so
    WHERE so.status = 'active'
      AND (so.names_organ
           OR (so.kind IN ('general_branch', 'branch', 'joint_branch')
               AND NOT EXISTS (
                   SELECT 1
                   FROM unnest(string_to_array(trim(BOTH '/' FROM so.path), '/')) AS part
                   JOIN organ_like a ON a.id = part::uuid
                   WHERE a.id <> so.id)))
)"""

BRAND_MISSING = f"""
WITH {_ORGANS}
SELECT g.id AS org_id, NULL::uuid AS subject_id, g.organ
FROM organs g
WHERE NOT EXISTS (SELECT 1 FROM organs_brands b WHERE b.tenant_id = :tenant_id AND b.org_id = g.id)
"""

# Milestones not done, due before :today minus the grace days, of brands of active
# organisations of the sector; the most overdue one named.
BRAND_MILESTONE_OVERDUE = f"""
WITH {_SETTINGS},
cutoff AS (
    SELECT CAST(:today AS date) - coalesce(CAST(:grace_days AS integer),
                                           (s ->> 'brand_milestone_grace_days')::int, 0) AS day
    FROM organs_settings
),
overdue AS (
    SELECT b.org_id, b.name AS brand, m.title, m.due_on
    FROM organs_brand_milestones m
    JOIN organs_brands b ON b.tenant_id = :tenant_id AND b.id = m.brand_id
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = b.org_id
    CROSS JOIN cutoff
    WHERE m.tenant_id = :tenant_id AND o.status = 'active' AND o.sector = 'organs'
      AND m.done_on IS NULL AND m.due_on < cutoff.day
)
SELECT org_id, NULL::uuid AS subject_id, count(*) AS count,
       (array_agg(brand ORDER BY due_on, title))[1] AS brand,
       (array_agg(title ORDER BY due_on, title))[1] AS title,
       min(due_on) AS due_on, CAST(:today AS date) - min(due_on) AS days
FROM overdue
GROUP BY org_id
"""

# Staff: the organisation's ``staff_total``, else the sum of its organ units' integer
# ``staff_total``. Needed: 0 below the minimum organ size, else
# max(1, ceil(staff × ratio %)) (rounded to 6 places first, as the check does).
PARTY_STAFF_SHORT = f"""
WITH {_SETTINGS}, {_ORGANS},
rule AS (
    SELECT coalesce(CAST(:ratio_percent AS float8),
                    (s ->> 'party_staff_ratio_percent')::float8, 1.0) AS ratio,
           coalesce(CAST(:min_organ_size AS integer),
                    (s ->> 'party_staff_min_organ_size')::int, 50) AS size
    FROM organs_settings
),
unit_staff AS (
    SELECT u.org_id, sum((u.attributes ->> 'staff_total')::bigint) AS staff
    FROM org_units u
    WHERE u.tenant_id = :tenant_id AND u.unit_type IN ('government_organ', 'public_institution')
      AND json_typeof(u.attributes -> 'staff_total') = 'number'
      AND u.attributes ->> 'staff_total' ~ '^-?[0-9]+$'
    GROUP BY u.org_id
),
staffing AS (
    SELECT g.id, g.organ,
           coalesce(g.staff_total, us.staff) AS staff,
           coalesce(trunc(g.party_office_full_time), 0) AS full_time,
           coalesce(trunc(g.party_office_part_time), 0) AS part_time
    FROM organs g
    LEFT JOIN unit_staff us ON us.org_id = g.id
),
required AS (
    SELECT st.*, rule.ratio,
           CASE WHEN st.staff < rule.size THEN 0
                ELSE greatest(1, ceil(round((st.staff::float8 * rule.ratio / 100)::numeric, 6)))
           END AS required
    FROM staffing st
    CROSS JOIN rule
    WHERE st.staff IS NOT NULL
)
SELECT r.id AS org_id, NULL::uuid AS subject_id, r.organ, r.staff, r.full_time, r.part_time,
       r.required, r.ratio
FROM required r
WHERE r.full_time < r.required
"""

# After the last day of the due month, active organ organisations with no goal this year.
BUSINESS_GOALS_MISSING = f"""
WITH {_SETTINGS}, {_ORGANS},
due AS (
    SELECT (make_date(extract(year FROM CAST(:today AS date))::int,
                      coalesce(CAST(:due_month AS integer),
                               (s ->> 'business_goals_due_month')::int, 3), 1)
            + interval '1 month' - interval '1 day')::date AS day
    FROM organs_settings
)
SELECT g.id AS org_id, NULL::uuid AS subject_id, g.organ,
       extract(year FROM CAST(:today AS date))::int AS year, due.day AS due
FROM organs g
CROSS JOIN due
WHERE CAST(:today AS date) > due.day
  AND NOT EXISTS (SELECT 1 FROM organs_business_goals bg
                  WHERE bg.tenant_id = :tenant_id AND bg.org_id = g.id
                    AND bg.year = extract(year FROM CAST(:today AS date))::int)
"""

BUSINESS_GOALS_MISSED = """
SELECT bg.org_id, NULL::uuid AS subject_id, count(*) AS count,
       array_to_string((array_agg(bg.business_goal ORDER BY bg.reviewed_on, bg.business_goal))[1:3],
                       '、') AS goals
FROM organs_business_goals bg
JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = bg.org_id
WHERE bg.tenant_id = :tenant_id AND o.status = 'active' AND o.sector = 'organs'
  AND bg.year = extract(year FROM CAST(:today AS date))::int AND bg.status = 'missed'
GROUP BY bg.org_id
"""

RULES = [
    RuleSQL("organs.brand_missing", BRAND_MISSING),
    RuleSQL("organs.brand_milestone_overdue", BRAND_MILESTONE_OVERDUE),
    RuleSQL("organs.party_staff_short", PARTY_STAFF_SHORT),
    RuleSQL("organs.business_goals_missing", BUSINESS_GOALS_MISSING),
    RuleSQL("organs.business_goals_missed", BUSINESS_GOALS_MISSED),
]
