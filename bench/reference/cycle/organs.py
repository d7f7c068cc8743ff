"""The organs sector's indicators (``plugins/organs/indicators.py``) as plain SQL.

An organisation is measured on its own records or, without them, on those of its *organ
organisation* (``plugins.organs.scope``): itself when it is one, else the nearest one above
it. An organ organisation is an organisation of the sector that names its organ
(``organ_name``), or a branch, general branch or joint branch of the sector with none of
those above it. Of an organisation's ancestors, the organ organisations are therefore the
topmost "organ-like" one (naming an organ or of those kinds) and every one naming an organ;
the nearest of them is its organ. ``sources``: (org, source, 1) for itself and (org, organ,
2) for its organ; each indicator reads the first source that has its records.

Settings are input: ``organs.model_organ`` scores the tenant's ``model_organ_criteria``, and
``grace_days``, ``ratio_percent`` and ``min_organ_size`` default to ``None`` ("the setting").
The queries read the tenant's stored override from ``tenant_plugins.settings``, else the
plugin's default (the eight criteria of ``DEFAULT_MODEL_CRITERIA``, 0 days, 1 %, 50 staff).
The operator's global layer (the ``PLUGIN_SETTINGS`` config) is not in the database and is
not seen. ``organs.brand`` counts milestones due by today (``current_date``), as the engine
does.

Rates are rounded as the engine rounds them (Python's ``round`` of a double, half to even,
as PostgreSQL's ``round(double precision)``).
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL

DEFAULT_MODEL_CRITERIA = ("政治建设作表率", "理论武装作表率", "贯彻落实作表率", "组织建设",
                          "作风建设", "纪律建设", "制度建设", "党建业务融合")
_DEFAULT_CRITERIA = "[" + ", ".join(f'"{c}"' for c in DEFAULT_MODEL_CRITERIA) + "]"


def _pct(part: str, whole: str) -> str:
    """``round(part * 100 / whole, 2)`` as the engine computes it (in doubles, half to even)."""
    return f"(round(({part})::float8 * 100 / ({whole}) * 100::float8) / 100::float8)"


_SETTINGS = """
organs_settings AS (
    SELECT coalesce((SELECT tp.settings FROM tenant_plugins tp
                     WHERE tp.tenant_id = :tenant_id AND tp.plugin = 'organs'), '{}'::json) AS s
)"""

_SOURCES = """
organ_like AS (
    SELECT o.id, coalesce(o.attributes ->> 'organ_name', '') <> '' AS names_organ
    FROM organizations o
    WHERE o.tenant_id = :tenant_id AND o.sector = 'organs'
      AND (coalesce(o.attributes ->> 'organ_name', '') <> ''
           OR o.kind IN ('general_branch', 'branch', 'joint_branch'))
),
ancestors AS (
    SELECT r.org_id, a.pos, ol.id AS organ_id, ol.names_organ,
           min(a.pos) OVER (PARTITION BY r.org_id) AS top_pos
    FROM ref_orgs r
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = r.org_id
    CROSS JOIN LATERAL unnest(string_to_array(trim(BOTH '/' FROM o.path), '/')) WITH ORDINALITY AS a(part, pos)
    JOIN organ_like ol ON ol.id = a.part::uuid
    WHERE a.part::uuid <> r.org_id
),
organ_above AS (
    SELECT DISTINCT ON (org_id) org_id, organ_id
    FROM ancestors
    WHERE names_organ OR pos = top_pos
    ORDER BY org_id, pos DESC
),
sources AS (
    SELECT r.org_id, r.org_id AS source_id, 1 AS rank FROM ref_orgs r
    UNION ALL
    SELECT r.org_id, a.organ_id, 2
    FROM ref_orgs r
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = r.org_id
    JOIN organ_above a ON a.org_id = r.org_id
    -- with an organ-like organisation above it, only naming its own organ makes it one
    WHERE NOT (o.sector = 'organs' AND coalesce(o.attributes ->> 'organ_name', '') <> '')
)"""

# The figures of the first source that has any staffing attribute or organ units with a
# whole staff_total; staff unknown: no row. Items: full-time cadres ≥ the required number
# (none under min_organ_size staff, else ceil(staff × ratio %) and at least one), someone
# does Party work, a head of the Party office is named.
PARTY_OFFICE_STAFFING = f"""
WITH {_SETTINGS}, {_SOURCES},
rules AS (
    SELECT coalesce(CAST(:ratio_percent AS float8), (s ->> 'party_staff_ratio_percent')::float8, 1.0) AS ratio,
           coalesce(CAST(:min_organ_size AS int), (s ->> 'party_staff_min_organ_size')::int, 50) AS size
    FROM organs_settings
),
unit_staff AS (
    SELECT u.org_id, sum((u.attributes ->> 'staff_total')::bigint) AS staff
    FROM org_units u
    WHERE u.tenant_id = :tenant_id AND u.org_id IN (SELECT source_id FROM sources)
      AND u.unit_type IN ('government_organ', 'public_institution')
      AND json_typeof(u.attributes -> 'staff_total') = 'number'
      AND u.attributes ->> 'staff_total' ~ '^-?[0-9]+$'
    GROUP BY u.org_id
),
picked AS (
    SELECT DISTINCT ON (s.org_id) s.org_id, o.attributes, us.staff AS unit_staff
    FROM sources s
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = s.source_id
    LEFT JOIN unit_staff us ON us.org_id = s.source_id
    WHERE o.attributes ->> 'staff_total' IS NOT NULL
       OR o.attributes ->> 'party_office_full_time' IS NOT NULL
       OR o.attributes ->> 'party_office_part_time' IS NOT NULL
       OR o.attributes ->> 'party_office_head' IS NOT NULL
       OR us.staff IS NOT NULL
    ORDER BY s.org_id, s.rank
),
figures AS (
    SELECT p.org_id,
           coalesce((p.attributes ->> 'staff_total')::bigint, p.unit_staff) AS staff,
           coalesce((p.attributes ->> 'party_office_full_time')::int, 0) AS full_time,
           coalesce((p.attributes ->> 'party_office_part_time')::int, 0) AS part_time,
           coalesce(p.attributes ->> 'party_office_head', '') <> '' AS head
    FROM picked p
),
checked AS (
    SELECT f.org_id,
           f.full_time >= CASE WHEN f.staff < rules.size THEN 0
                               ELSE greatest(1, ceil(round(f.staff * CAST(rules.ratio AS numeric) / 100, 6)))
                          END AS ratio_met,
           f.full_time + f.part_time >= 1 AS someone,
           f.head
    FROM figures f CROSS JOIN rules
    WHERE f.staff IS NOT NULL
)
SELECT org_id, ratio_met::int + someone::int + head::int AS value,
       json_build_object('专职党务干部达到配备比例', ratio_met, '配备党务干部', someone,
                         '明确党建办负责人', head) AS items
FROM checked
"""

# The cycle's year's self-assessment of the first source that made one, over the tenant's
# criteria (a criterion met when ticked with a truthy value). Without an assessment: every
# criterion unmet and no value.
MODEL_ORGAN = f"""
WITH {_SETTINGS}, {_SOURCES},
criteria AS MATERIALIZED (
    SELECT c.name, c.pos
    FROM organs_settings,
         LATERAL (SELECT * FROM json_array_elements_text(
                      CASE WHEN json_typeof(s -> 'model_organ_criteria') = 'array'
                           THEN s -> 'model_organ_criteria'
                           ELSE '{_DEFAULT_CRITERIA}'::json END) WITH ORDINALITY AS e(name, pos)) c
),
picked AS (
    SELECT DISTINCT ON (s.org_id) s.org_id, a.criteria
    FROM sources s
    JOIN organs_model_assessments a ON a.tenant_id = :tenant_id AND a.org_id = s.source_id
    WHERE a.year = extract(year FROM CAST(:end AS date))::int
    ORDER BY s.org_id, s.rank
),
ticked AS (
    SELECT r.org_id, p.org_id IS NOT NULL AS assessed, p.criteria::jsonb AS criteria
    FROM ref_orgs r
    LEFT JOIN picked p ON p.org_id = r.org_id
)
SELECT t.org_id, CASE WHEN t.assessed THEN i.met END AS value, i.items
FROM ticked t
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE met) AS met, json_object_agg(name, met) AS items
    FROM (SELECT c.name,
                 CASE jsonb_typeof(t.criteria -> c.name)
                     WHEN 'boolean' THEN t.criteria ->> c.name = 'true'
                     WHEN 'number' THEN (t.criteria ->> c.name)::numeric <> 0
                     WHEN 'string' THEN t.criteria ->> c.name <> ''
                     WHEN 'array' THEN jsonb_array_length(t.criteria -> c.name) > 0
                     WHEN 'object' THEN t.criteria -> c.name <> '{{}}'::jsonb
                     ELSE false
                 END AS met
          FROM criteria c) x
) i
"""

# The brand of the first source that has one: of its milestones due in the period (and by
# today), the share done by the due day plus the grace days, in %; 100 with none due, 0
# without a brand. Every assessed organisation has a row.
BRAND = f"""
WITH {_SETTINGS}, {_SOURCES},
rules AS (
    SELECT coalesce(CAST(:grace_days AS int), (s ->> 'brand_milestone_grace_days')::int, 0) AS grace,
           least(CAST(:end AS date), current_date) AS until
    FROM organs_settings
),
picked AS (
    SELECT DISTINCT ON (s.org_id) s.org_id, b.id AS brand_id
    FROM sources s
    JOIN organs_brands b ON b.tenant_id = :tenant_id AND b.org_id = s.source_id
    ORDER BY s.org_id, s.rank
),
due AS (
    SELECT p.org_id, count(*) AS due,
           count(*) FILTER (WHERE m.done_on <= m.due_on + rules.grace) AS on_time
    FROM picked p
    JOIN organs_brand_milestones m ON m.tenant_id = :tenant_id AND m.brand_id = p.brand_id
    CROSS JOIN rules
    WHERE m.due_on BETWEEN CAST(:start AS date) AND rules.until
    GROUP BY p.org_id
)
SELECT r.org_id,
       CASE WHEN p.org_id IS NULL THEN 0
            WHEN coalesce(d.due, 0) = 0 THEN 100
            ELSE {_pct("d.on_time", "d.due")} END AS value
FROM ref_orgs r
LEFT JOIN picked p ON p.org_id = r.org_id
LEFT JOIN due d ON d.org_id = r.org_id
"""

# The goals of the cycle's year of the first source that set any: the share with a Party
# measure that are on track or done, of at least min_goals; 0 without goals. Every
# assessed organisation has a row.
BUSINESS_INTEGRATION = f"""
WITH {_SOURCES},
goals AS (
    SELECT g.org_id, count(*) AS total,
           count(*) FILTER (WHERE g.status IN ('on_track', 'done')
                            AND length(trim(coalesce(g.party_measure, ''))) > 0) AS met
    FROM organs_business_goals g
    WHERE g.tenant_id = :tenant_id AND g.year = extract(year FROM CAST(:end AS date))::int
      AND g.org_id IN (SELECT source_id FROM sources)
    GROUP BY g.org_id
),
picked AS (
    SELECT DISTINCT ON (s.org_id) s.org_id, g.total, g.met
    FROM sources s JOIN goals g ON g.org_id = s.source_id
    ORDER BY s.org_id, s.rank
)
SELECT r.org_id,
       CASE WHEN p.total > 0 THEN {_pct("p.met", "greatest(p.total, CAST(:min_goals AS int))")}
            ELSE 0 END AS value
FROM ref_orgs r
LEFT JOIN picked p ON p.org_id = r.org_id
"""

# Whitespace as Python's str.strip() sees it, for the names compared.
_WS = "E' \\t\\n\\r\\f\\u000b\\u00a0\\u3000'"

# The finance roles held at the period's end (the latest taken per role) of the first
# source that has any: an accountant, a cashier, two different people, every holder
# qualified, none of them the head of the source's Party office (by name). Every assessed
# organisation has a row.
DUES_FINANCE = f"""
WITH {_SOURCES},
held AS (
    SELECT DISTINCT ON (f.org_id, f.role) f.org_id, f.role, f.qualified,
           CASE WHEN f.member_id IS NOT NULL THEN 'member:' || f.member_id::text
                ELSE 'name:' || btrim(coalesce(f.person_name, ''), {_WS}) END AS who,
           btrim(coalesce(nullif(m.name, ''), nullif(f.person_name, ''), ''), {_WS}) AS name
    FROM dues_finance_roles f
    LEFT JOIN members m ON m.tenant_id = :tenant_id AND m.id = f.member_id
    WHERE f.tenant_id = :tenant_id AND f.org_id IN (SELECT source_id FROM sources)
      AND f.since <= CAST(:end AS date) AND (f.until IS NULL OR f.until > CAST(:end AS date))
    ORDER BY f.org_id, f.role, f.since DESC
),
picked AS (
    SELECT DISTINCT ON (s.org_id) s.org_id, s.source_id
    FROM sources s
    WHERE EXISTS (SELECT 1 FROM held h WHERE h.org_id = s.source_id)
    ORDER BY s.org_id, s.rank
),
roles AS (
    SELECT r.org_id,
           btrim(coalesce(o.attributes ->> 'party_office_head', ''), {_WS}) AS head,
           a.who AS a_who, a.name AS a_name, a.qualified AS a_ok,
           c.who AS c_who, c.name AS c_name, c.qualified AS c_ok
    FROM ref_orgs r
    LEFT JOIN picked p ON p.org_id = r.org_id
    LEFT JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = p.source_id
    LEFT JOIN held a ON a.org_id = p.source_id AND a.role = 'accountant'
    LEFT JOIN held c ON c.org_id = p.source_id AND c.role = 'cashier'
),
checked AS (
    SELECT org_id,
           a_who IS NOT NULL AS accountant,
           c_who IS NOT NULL AS cashier,
           coalesce(a_who <> c_who, false) AS separate,
           (a_who IS NOT NULL OR c_who IS NOT NULL)
               AND coalesce(a_ok, true) AND coalesce(c_ok, true) AS qualified,
           (a_who IS NOT NULL OR c_who IS NOT NULL)
               AND NOT (coalesce(head, '') <> ''
                        AND (coalesce(a_name = head, false) OR coalesce(c_name = head, false))) AS not_office
    FROM roles
)
SELECT org_id,
       accountant::int + cashier::int + separate::int + qualified::int + not_office::int AS value,
       json_build_object('会计在岗', accountant, '出纳在岗', cashier, '会计出纳分设', separate,
                         '具备财务资格', qualified, '非党建办负责人兼任', not_office) AS items
FROM checked
"""

INDICATORS = [
    IndicatorSQL("organs.party_office_staffing", PARTY_OFFICE_STAFFING, checklist=True),
    IndicatorSQL("organs.model_organ", MODEL_ORGAN, checklist=True),
    IndicatorSQL("organs.brand", BRAND),
    IndicatorSQL("organs.business_integration", BUSINESS_INTEGRATION),
    IndicatorSQL("organs.dues_finance", DUES_FINANCE, checklist=True),
]
