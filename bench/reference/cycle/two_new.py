"""The two_new sector's indicators (``plugins/two_new/indicators.py``) as plain SQL.

As of the period's end. A committee's figures roll up the registers of its subtree: units
and groups whose supervising organisation's path starts with the committee's — whose
materialised path (the ids from the root down) names it, uuid equalities one hash join
serves. A unit counts while registered (not closed by the end); its
coverage (``plugins.two_new.coverage``): ``own`` — an active covering organisation that is
not a joint one; ``joint`` — an active joint branch (or one recorded as 联合党支部);
``instructor`` — neither, but an instructor in post; else ``none``.

Skipped: ``two_new.role_played`` (manual: an assessor scores it, nothing is measured).

Settings are input: ``min_full_members`` and ``max_units`` default to ``None`` ("the
setting"); the queries then read the tenant's stored override from
``tenant_plugins.settings``, else the plugin's default (``branch_min_full_members`` 3,
``joint_branch_max_units`` 5). The operator's global layer (``PLUGIN_SETTINGS`` config) is
not in the database and is not seen. Rates: ``round(part * 100 / whole, 2)`` of doubles,
half to even, as the engine's Python ``round``.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL

NINE_HAVES = ("有党员活动室", "有图书阅览室", "有职工说事室", "有会议桌椅", "有电教设备", "有党旗",
              "有党建制度", "有党组织网络图", "有党员群像图")


def _pct(part: str, whole: str) -> str:
    """``round(part * 100 / whole, 2)`` as the engine computes it (in doubles, half to even)."""
    return f"(round(({part})::float8 * 100 / ({whole}) * 100::float8) / 100::float8)"


def _setting(param: str, name: str, default: int) -> str:
    """The parameter when set, else the tenant's setting, else the plugin default."""
    return f"""coalesce(CAST(:{param} AS integer),
             (SELECT (tp.settings ->> '{name}')::int FROM tenant_plugins tp
              WHERE tp.tenant_id = :tenant_id AND tp.plugin = 'two_new'), {default})"""


# Registered units under each assessed organisation (its own register and its subtree's)
# with their coverage label.
_UNITS_UNDER = """
units AS (
    SELECT r.org_id, coalesce(u.party_members, 0) AS party_members,
           coalesce(u.full_members, 0) AS full_members,
           CASE
               WHEN c.status = 'active' AND (c.kind = 'joint_branch' OR c.unit_relation = 'joint')
                   THEN 'joint'
               WHEN c.status = 'active' THEN 'own'
               WHEN i.started_on <= CAST(:end AS date)
                    AND (i.ended_on IS NULL OR i.ended_on > CAST(:end AS date)) THEN 'instructor'
               ELSE 'none'
           END AS coverage
    FROM two_new_units u
    JOIN organizations s ON s.tenant_id = :tenant_id AND s.id = u.org_id
    CROSS JOIN LATERAL unnest(string_to_array(trim(BOTH '/' FROM s.path), '/')) AS a(part)
    JOIN ref_orgs r ON r.org_id = a.part::uuid
    LEFT JOIN organizations c ON c.tenant_id = :tenant_id AND c.id = u.covered_by_org_id
    LEFT JOIN two_new_instructors i ON i.tenant_id = :tenant_id AND i.id = u.instructor_id
    WHERE u.tenant_id = :tenant_id AND (u.closed_on IS NULL OR u.closed_on > CAST(:end AS date))
)"""

# The 九有 items listed in the organisation's nine_haves attribute; never recorded: no row.
# Attributes parsed once (jsonb); the nine items are columns, not rows to aggregate.
_HAVE = {item: f"(met @> '\"{item}\"'::jsonb)" for item in NINE_HAVES}
NINE_HAVES_SQL = f"""
WITH recorded AS (
    SELECT org_id,
           CASE WHEN jsonb_typeof(a -> 'nine_haves') = 'array' THEN a -> 'nine_haves' ELSE '[]'::jsonb END AS met
    FROM (SELECT o.id AS org_id, o.attributes::jsonb AS a
          FROM organizations o JOIN ref_orgs r ON r.org_id = o.id
          WHERE o.tenant_id = :tenant_id OFFSET 0) o
    WHERE a ->> 'nine_haves' IS NOT NULL
)
SELECT org_id, {" + ".join(f"h{i}::int" for i in range(len(NINE_HAVES)))} AS value,
       json_build_object({", ".join(f"'{item}', h{i}" for i, item in enumerate(NINE_HAVES))}) AS items
FROM (SELECT org_id, {", ".join(f"{have} AS h{i}" for i, have in enumerate(_HAVE.values()))}
      FROM recorded OFFSET 0) checked
"""

# Of the registered units with Party members: covered by an own organisation, or a joint
# one while the unit has fewer full members than min_full_members.
ORG_COVERAGE = f"""
WITH {_UNITS_UNDER},
rule AS (SELECT {_setting("min_full_members", "branch_min_full_members", 3)} AS min_full)
SELECT u.org_id,
       {_pct('''count(*) FILTER (WHERE u.coverage = 'own'
                                  OR (u.coverage = 'joint' AND u.full_members < rule.min_full))''',
             "count(*)")} AS value
FROM units u CROSS JOIN rule
WHERE u.party_members > 0
GROUP BY u.org_id
"""

# Of all registered units: covered by an organisation or an instructor in post.
WORK_COVERAGE = f"""
WITH {_UNITS_UNDER}
SELECT org_id, {_pct("count(*) FILTER (WHERE coverage <> 'none')", "count(*)")} AS value
FROM units
GROUP BY org_id
"""

# The new-employment groups registered at or below the organisation: covered by an active
# comprehensive committee of the sector that lists the group's kind (or lists none).
GROUP_COVERAGE = f"""
SELECT r.org_id,
       {_pct('''count(*) FILTER (
                   WHERE c.status = 'active' AND c.sector = 'two_new' AND c.kind = 'committee'
                     AND c.attributes ->> 'comprehensive' = 'true'
                     AND (CASE WHEN json_typeof(c.attributes -> 'covers_groups') = 'array'
                               THEN json_array_length(c.attributes -> 'covers_groups') = 0
                                    OR (c.attributes -> 'covers_groups')::jsonb @> to_jsonb(g.kind)
                               ELSE true END))''',
             "count(*)")} AS value
FROM two_new_groups g
JOIN organizations s ON s.tenant_id = :tenant_id AND s.id = g.org_id
CROSS JOIN LATERAL unnest(string_to_array(trim(BOTH '/' FROM s.path), '/')) AS a(part)
JOIN ref_orgs r ON r.org_id = a.part::uuid
LEFT JOIN organizations c ON c.tenant_id = :tenant_id AND c.id = g.covering_org_id
WHERE g.tenant_id = :tenant_id
GROUP BY r.org_id
"""

# Instructors in post at the period's end sent to the registered units the organisation
# covers; covering no registered unit: no row.
INSTRUCTOR = """
SELECT u.covered_by_org_id AS org_id,
       count(DISTINCT i.id) FILTER (WHERE i.started_on <= CAST(:end AS date)
                                    AND (i.ended_on IS NULL OR i.ended_on > CAST(:end AS date))) AS value
FROM two_new_units u
JOIN ref_orgs r ON r.org_id = u.covered_by_org_id
LEFT JOIN two_new_instructors i ON i.tenant_id = :tenant_id AND i.id = u.instructor_id
WHERE u.tenant_id = :tenant_id AND (u.closed_on IS NULL OR u.closed_on > CAST(:end AS date))
GROUP BY u.covered_by_org_id
"""

# Whitespace as Python's str.strip() sees it.
_WS = "E' \\t\\n\\r\\f\\u000b\\u00a0\\u3000'"

# The distinct units an organisation covers — registered units naming it and core units it
# serves — keyed by credit code, or by name when a unit has none (a unit with a code in one
# table and none in the other is matched by name), counted by name; the excess over
# max_units. A code's name is the register's (then the first by name).
JOINT_BRANCH_SIZE = f"""
WITH entries AS (
    SELECT u.covered_by_org_id AS org_id, u.name, nullif(u.credit_code, '') AS code, 1 AS src
    FROM two_new_units u JOIN ref_orgs r ON r.org_id = u.covered_by_org_id
    WHERE u.tenant_id = :tenant_id AND (u.closed_on IS NULL OR u.closed_on > CAST(:end AS date))
    UNION ALL
    SELECT ou.org_id, ou.name, nullif(ou.credit_code, ''), 2
    FROM org_units ou JOIN ref_orgs r ON r.org_id = ou.org_id
    WHERE ou.tenant_id = :tenant_id
),
by_code AS (
    SELECT org_id, (array_agg(name ORDER BY src, name))[1] AS name
    FROM entries WHERE code IS NOT NULL
    GROUP BY org_id, code
),
by_name AS (
    SELECT org_id, btrim(name, {_WS}) AS stripped, (array_agg(name ORDER BY src, name))[1] AS name
    FROM entries WHERE code IS NULL
    GROUP BY org_id, btrim(name, {_WS})
),
named AS (
    SELECT org_id, name FROM by_code
    UNION
    SELECT n.org_id, n.name FROM by_name n
    WHERE NOT EXISTS (SELECT 1 FROM by_code c
                      WHERE c.org_id = n.org_id AND btrim(c.name, {_WS}) = n.stripped)
),
rule AS (SELECT {_setting("max_units", "joint_branch_max_units", 5)} AS most)
SELECT org_id, greatest(0, count(*) - min(rule.most)) AS value
FROM named CROSS JOIN rule
GROUP BY org_id
"""

INDICATORS = [
    IndicatorSQL("two_new.nine_haves", NINE_HAVES_SQL, checklist=True),
    IndicatorSQL("two_new.org_coverage", ORG_COVERAGE),
    IndicatorSQL("two_new.work_coverage", WORK_COVERAGE),
    IndicatorSQL("two_new.group_coverage", GROUP_COVERAGE),
    IndicatorSQL("two_new.instructor", INSTRUCTOR),
    IndicatorSQL("two_new.joint_branch_size", JOINT_BRANCH_SIZE),
]
