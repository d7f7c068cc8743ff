"""The rural sector's warning rules (``plugins/rural/warnings.py``) as plain SQL.

A *village* is an active organisation of the rural sector, not a 党小组, whose ``village``
attribute is true — or, when the attribute is absent, a branch, general branch or joint
branch (``plugins.rural.attributes.is_village``). Its members are those registered in it,
its children and its grandchildren (``plugins.rural.villages.holders``).

Binds beyond ``:tenant_id`` and ``:today``: the rules' parameters. ``target`` and ``years``
already carry the plugin settings they default to (``collective_income_target_wan``,
``no_recruit_years_warning``). ``rural.village_committee_term`` reads the setting
``village_committee_term_years`` outside its parameters: the query reads the tenant's
stored override from ``tenant_plugins.settings`` (the default, 5, without one) — a
settings row is input, not work.
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL

# Active village organisations (is_village: the attribute decides, else the kind), with the
# attributes the rules read: the JSON is parsed once a row (each ``->>`` on a ``json``
# column parses the whole document again).
_VILLAGES = """
villages AS (
    SELECT o.id, o.founded_on, a.key_village IS TRUE AS key_village,
           nullif(a.village_committee_term_started_on, '')::date AS term_started_on
    FROM organizations o
    CROSS JOIN LATERAL json_to_record(o.attributes)
        AS a(village boolean, key_village boolean, village_committee_term_started_on text)
    WHERE o.tenant_id = :tenant_id AND o.sector = 'rural' AND o.status = 'active'
      AND o.kind <> 'group'
      AND coalesce(a.village, o.kind IN ('general_branch', 'branch', 'joint_branch'))
)"""

# Each village's first secretaries as of :today: one in post, the latest (by start) who
# left, the first (by start) still to come.
_FIRST_SECRETARIES = """
first_secretaries AS (
    SELECT s.org_id,
           bool_or(s.started_on <= :today AND (s.ended_on IS NULL OR s.ended_on >= :today))
               AS in_post,
           (array_agg(s.person_name ORDER BY s.started_on DESC)
               FILTER (WHERE s.started_on <= :today AND s.ended_on < :today))[1] AS left_name,
           (array_agg(s.ended_on ORDER BY s.started_on DESC)
               FILTER (WHERE s.started_on <= :today AND s.ended_on < :today))[1] AS left_on,
           (array_agg(s.person_name ORDER BY s.started_on)
               FILTER (WHERE s.started_on > :today))[1] AS next_name,
           min(s.started_on) FILTER (WHERE s.started_on > :today) AS next_on
    FROM rural_stationings s
    WHERE s.tenant_id = :tenant_id AND s.role = 'first_secretary'
    GROUP BY s.org_id
)"""

COLLECTIVE_INCOME_LOW = f"""
WITH {_VILLAGES}
SELECT v.id AS org_id, NULL::uuid AS subject_id,
       extract(year FROM CAST(:today AS date))::int - 1 AS year,
       CAST(:target AS float8) AS target,
       i.operating_income_wan AS income
FROM villages v
LEFT JOIN rural_collective_incomes i
       ON i.tenant_id = :tenant_id AND i.org_id = v.id
      AND i.year = extract(year FROM CAST(:today AS date))::int - 1
WHERE i.operating_income_wan < CAST(:target AS float8)
   OR (i.operating_income_wan IS NULL
       AND CAST(:today AS date) > make_date(extract(year FROM CAST(:today AS date))::int - 1, 12, 31)
                                  + CAST(:grace_days AS integer))
"""

# The last recruitment: the later of the last admission (development step 17, 上级党委审批)
# of someone of the village's organisations and the latest 入党日期 in its register.
NO_RECRUITMENT = f"""
WITH {_VILLAGES},
cutoff AS (
    SELECT (CAST(:today AS date) - make_interval(years => CAST(:years AS integer)))::date AS day
),
holders AS (
    SELECT v.id AS org_id, v.id AS holder_id FROM villages v
    UNION ALL
    SELECT v.id, c.id FROM villages v
    JOIN organizations c ON c.tenant_id = :tenant_id AND c.parent_id = v.id
    UNION ALL
    SELECT v.id, g.id FROM villages v
    JOIN organizations c ON c.tenant_id = :tenant_id AND c.parent_id = v.id
    JOIN organizations g ON g.tenant_id = :tenant_id AND g.parent_id = c.id
),
admitted AS (
    SELECT p.org_id, max(s.done_on) AS last
    FROM development_people p
    JOIN development_steps s ON s.tenant_id = :tenant_id AND s.person_id = p.id
    WHERE p.tenant_id = :tenant_id AND s.code = 17 AND s.done_on <= :today
    GROUP BY p.org_id
),
joined AS (
    SELECT m.org_id, max(m.joined_on) AS last
    FROM members m
    WHERE m.tenant_id = :tenant_id AND m.joined_on <= :today
    GROUP BY m.org_id
),
last_recruitment AS (
    SELECT h.org_id, greatest(max(a.last), max(j.last)) AS last
    FROM holders h
    LEFT JOIN admitted a ON a.org_id = h.holder_id
    LEFT JOIN joined j ON j.org_id = h.holder_id
    GROUP BY h.org_id
)
SELECT v.id AS org_id, NULL::uuid AS subject_id, CAST(:years AS integer) AS years, r.last
FROM villages v
CROSS JOIN cutoff
LEFT JOIN last_recruitment r ON r.org_id = v.id
WHERE (v.founded_on IS NULL OR v.founded_on <= cutoff.day)
  AND (r.last IS NULL OR r.last <= cutoff.day)
"""

# The term's length is a plugin setting, not a parameter: the tenant's override, else 5.
VILLAGE_COMMITTEE_TERM = f"""
WITH {_VILLAGES},
term AS MATERIALIZED (
    SELECT coalesce((SELECT (tp.settings ->> 'village_committee_term_years')::int
                     FROM tenant_plugins tp
                     WHERE tp.tenant_id = :tenant_id AND tp.plugin = 'rural'), 5) AS years
),
terms AS (
    SELECT v.id, v.term_started_on AS started_on,
           (v.term_started_on + make_interval(years => term.years))::date AS ends_on, term.years
    FROM villages v
    CROSS JOIN term
    WHERE v.term_started_on IS NOT NULL
)
SELECT t.id AS org_id, NULL::uuid AS subject_id, t.started_on, t.ends_on, t.years,
       t.ends_on - CAST(:today AS date) AS days_left
FROM terms t
WHERE t.ends_on - CAST(:today AS date) <= CAST(:days_before AS integer)
"""

FIRST_SECRETARY_MISSING = f"""
WITH {_VILLAGES}, {_FIRST_SECRETARIES}
SELECT v.id AS org_id, NULL::uuid AS subject_id, f.left_name, f.left_on, f.next_name, f.next_on
FROM villages v
LEFT JOIN first_secretaries f ON f.org_id = v.id
WHERE v.key_village AND f.in_post IS NOT TRUE
"""

FIRST_SECRETARY_LEFT = f"""
WITH {_VILLAGES}, {_FIRST_SECRETARIES}
SELECT v.id AS org_id, NULL::uuid AS subject_id, f.left_name, f.left_on,
       CAST(:today AS date) - f.left_on AS days
FROM villages v
JOIN first_secretaries f ON f.org_id = v.id
WHERE NOT v.key_village
  AND NOT f.in_post
  AND f.next_on IS NULL
  AND f.left_on >= CAST(:today AS date) - CAST(:within_days AS integer)
"""

# A mobile member counts for the nearest village among their organisation, its parent and
# its grandparent; the gap runs from the last contact (or from leaving, without one).
MOBILE_NOT_CONTACTED = f"""
WITH {_VILLAGES},
mobile AS (
    SELECT m.id, m.name, m.mobile_since, m.mobile_destination,
           coalesce(v0.id, v1.id, v2.id) AS village_id
    FROM members m
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = m.org_id
    LEFT JOIN organizations p ON p.tenant_id = :tenant_id AND p.id = o.parent_id
    LEFT JOIN villages v0 ON v0.id = m.org_id
    LEFT JOIN villages v1 ON v1.id = o.parent_id
    LEFT JOIN villages v2 ON v2.id = p.parent_id
    WHERE m.tenant_id = :tenant_id AND m.status = 'mobile'
),
last_contact AS (
    SELECT c.member_id, max(c.contacted_on) AS last
    FROM rural_mobile_contacts c
    WHERE c.tenant_id = :tenant_id AND c.contacted_on <= :today
    GROUP BY c.member_id
)
SELECT mb.village_id AS org_id, mb.id AS subject_id, mb.name,
       coalesce(nullif(mb.mobile_destination, ''), '未登记') AS destination, lc.last,
       CAST(:today AS date) - coalesce(lc.last, mb.mobile_since) AS days
FROM mobile mb
LEFT JOIN last_contact lc ON lc.member_id = mb.id
WHERE mb.village_id IS NOT NULL
  AND (coalesce(lc.last, mb.mobile_since) IS NULL
       OR CAST(:today AS date) - coalesce(lc.last, mb.mobile_since) > CAST(:days AS integer))
"""

RULES = [
    RuleSQL("rural.collective_income_low", COLLECTIVE_INCOME_LOW),
    RuleSQL("rural.no_recruitment", NO_RECRUITMENT),
    RuleSQL("rural.village_committee_term", VILLAGE_COMMITTEE_TERM),
    RuleSQL("rural.first_secretary_missing", FIRST_SECRETARY_MISSING),
    RuleSQL("rural.first_secretary_left", FIRST_SECRETARY_LEFT),
    RuleSQL("rural.mobile_not_contacted", MOBILE_NOT_CONTACTED),
]
