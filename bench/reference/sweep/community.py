"""The community sector's warning rules (``plugins/community/warnings.py``) as plain SQL.

The figures of a community (population, workers, pay, venue, households) are sector
attributes of its organisation — an active organisation of the community sector that may
lead one (committee, general branch, branch, joint branch); a figure not entered raises
nothing. Grids, property companies, registrations (双报到) and services are the plugin's
tables, counted for active organisations of the sector.

Binds: ``:tenant_id``, ``:today`` and the rules' parameters, whose defaults already carry
the plugin settings they follow (staffing ratio, minimum pay, venue standard) — nothing
more is needed.
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL

# The first five names, with “等 N 个” when there are more (empty names left out).
_NAMES = """array_to_string((array_agg({name} ORDER BY {order}) FILTER (WHERE {name} <> ''))[1:5], '、')
       || CASE WHEN count(nullif({name}, '')) > 5 THEN '等 ' || count(nullif({name}, '')) || ' 个'
               ELSE '' END"""

# The figures, parsed once a row (each ``->>`` on a ``json`` column parses the document).
_COMMUNITIES = """
communities AS (
    SELECT o.id, a.*
    FROM organizations o
    CROSS JOIN LATERAL json_to_record(o.attributes)
        AS a(population float8, community_workers float8, worker_avg_monthly_pay float8,
             venue_area_m2 float8, households float8)
    WHERE o.tenant_id = :tenant_id AND o.sector = 'community' AND o.status = 'active'
      AND o.kind IN ('committee', 'general_branch', 'branch', 'joint_branch')
)"""

# Workers needed: ceil(ratio × population / 10,000), with the check's tolerance of 1e-9.
WORKER_STAFFING = f"""
WITH {_COMMUNITIES},
needs AS (
    SELECT c.id, c.population, c.community_workers AS workers,
           ceil(CAST(:per_10k_population AS float8) * c.population / 10000 - 1e-9) AS needed
    FROM communities c
    WHERE c.population <> 0 AND c.community_workers IS NOT NULL
)
SELECT n.id AS org_id, NULL::uuid AS subject_id, n.population, n.workers, n.needed,
       n.needed - n.workers AS short, round((n.workers * 10000 / n.population)::numeric, 1) AS per_10k
FROM needs n
WHERE n.workers < n.needed
"""

WORKER_PAY = f"""
WITH {_COMMUNITIES}
SELECT c.id AS org_id, NULL::uuid AS subject_id, c.worker_avg_monthly_pay AS pay,
       CAST(:min_monthly_pay AS float8) - c.worker_avg_monthly_pay AS short
FROM communities c
WHERE c.worker_avg_monthly_pay < CAST(:min_monthly_pay AS float8)
"""

# The standard: the larger of the minimum and the area per 100 households.
VENUE_AREA = f"""
WITH {_COMMUNITIES},
standards AS (
    SELECT c.id, c.venue_area_m2 AS area, c.households,
           greatest(CAST(:min_area_m2 AS float8),
                    c.households * CAST(:per_100_households_m2 AS float8) / 100) AS standard
    FROM communities c
    WHERE c.venue_area_m2 IS NOT NULL AND c.households IS NOT NULL
)
SELECT s.id AS org_id, NULL::uuid AS subject_id, s.households, round(s.area::numeric, 1) AS area,
       round(s.standard::numeric, 1) AS standard, round((s.standard - s.area)::numeric, 1) AS short
FROM standards s
WHERE s.area < s.standard
"""

# Current grids of active community organisations (any kind) without an active branch.
GRID_UNCOVERED = f"""
WITH bare AS (
    SELECT g.org_id, g.name
    FROM community_grids g
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = g.org_id
    LEFT JOIN organizations b ON b.tenant_id = :tenant_id AND b.id = g.branch_org_id
                             AND b.status = 'active'
    WHERE g.tenant_id = :tenant_id AND o.sector = 'community' AND o.status = 'active'
      AND (g.ended_on IS NULL OR g.ended_on > :today)
      AND b.id IS NULL
)
SELECT org_id, NULL::uuid AS subject_id, count(*) AS count,
       {_NAMES.format(name="name", order="name")} AS grids
FROM bare
GROUP BY org_id
"""

# Serving companies without their own Party organisation whose agreement has ended or
# ends within :days.
PROPERTY_AGREEMENT = f"""
WITH due AS (
    SELECT c.org_id, c.name, c.agreement_ends_on
    FROM community_property_companies c
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = c.org_id
    WHERE c.tenant_id = :tenant_id AND o.sector = 'community' AND o.status = 'active'
      AND (c.started_on IS NULL OR c.started_on <= :today)
      AND (c.left_on IS NULL OR c.left_on > :today)
      AND c.has_party_org IS FALSE
      AND c.agreement_ends_on <= CAST(:today AS date) + CAST(:days AS integer)
)
SELECT org_id, NULL::uuid AS subject_id,
       count(*) FILTER (WHERE agreement_ends_on < :today) AS expired,
       count(*) FILTER (WHERE agreement_ends_on >= :today) AS expiring,
       min(agreement_ends_on) AS first_end,
       {_NAMES.format(name="name", order="agreement_ends_on, name")} AS companies
FROM due
GROUP BY org_id
"""

# Open registrations older than the grace days with no service in the last :months.
_IDLE = """
idle AS (
    SELECT r.org_id, r.member_id, r.person_name, r.registered_on, ls.last_served_on
    FROM community_registrations r
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = r.org_id
    LEFT JOIN LATERAL (
        SELECT max(s.served_on) AS last_served_on
        FROM community_services s
        WHERE s.tenant_id = :tenant_id AND s.registration_id = r.id AND s.served_on <= :today
    ) ls ON true
    WHERE r.tenant_id = :tenant_id AND o.sector = 'community' AND o.status = 'active'
      AND (r.ended_on IS NULL OR r.ended_on > :today)
      AND r.registered_on <= CAST(:today AS date) - CAST(:grace_days AS integer)
      AND (ls.last_served_on IS NULL
           OR ls.last_served_on < (CAST(:today AS date)
                                   - make_interval(months => CAST(:months AS integer)))::date)
)"""

REGISTERED_IDLE = f"""
WITH {_IDLE}
SELECT i.org_id, i.member_id AS subject_id, m.name, i.registered_on, i.last_served_on
FROM idle i
JOIN members m ON m.tenant_id = :tenant_id AND m.id = i.member_id
WHERE m.status IN ('probationary', 'full', 'mobile', 'lost_contact')
"""

REGISTERED_IDLE_OTHERS = f"""
WITH {_IDLE}
SELECT org_id, NULL::uuid AS subject_id, count(*) AS count,
       {_NAMES.format(name="person_name", order="registered_on")} AS names
FROM idle
WHERE member_id IS NULL
GROUP BY org_id
"""

RULES = [
    RuleSQL("community.worker_staffing", WORKER_STAFFING),
    RuleSQL("community.worker_pay", WORKER_PAY),
    RuleSQL("community.venue_area", VENUE_AREA),
    RuleSQL("community.grid_uncovered", GRID_UNCOVERED),
    RuleSQL("community.property_agreement", PROPERTY_AGREEMENT),
    RuleSQL("community.registered_idle", REGISTERED_IDLE),
    RuleSQL("community.registered_idle_others", REGISTERED_IDLE_OTHERS),
]
