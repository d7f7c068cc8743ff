"""The two_new sector's warning rules (``plugins/two_new/warnings.py``) as plain SQL.

The register (``two_new_units``, ``two_new_groups``, ``two_new_instructors``) hangs under
supervising organisations; only those that are active organisations of the sector are
checked, and a unit counts while it is not closed. A unit's coverage
(``plugins.two_new.coverage``): ``own`` — an active covering organisation that is not a
joint one; ``joint`` — an active joint branch (or one recorded as 联合党支部); ``instructor``
— none of those, but an instructor in post; else ``none``.

Binds: ``:tenant_id``, ``:today`` and the rules' parameters. ``min_full_members``,
``max_units`` and ``months`` default to ``None``, meaning "the plugin setting": the queries
then read the tenant's stored override from ``tenant_plugins.settings``, else the plugin's
default (``branch_min_full_members`` 3, ``joint_branch_max_units`` 5,
``survey_interval_months`` 12) — settings are input.
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL


def _setting(param: str, name: str, default: int) -> str:
    """The parameter when set, else the tenant's setting, else the plugin default."""
    return f"""coalesce(CAST(:{param} AS integer),
             (SELECT (tp.settings ->> '{name}')::int FROM tenant_plugins tp
              WHERE tp.tenant_id = :tenant_id AND tp.plugin = 'two_new'), {default})"""


_UNITS = """
checked AS (
    SELECT o.id FROM organizations o
    WHERE o.tenant_id = :tenant_id AND o.status = 'active' AND o.sector = 'two_new'
),
units AS (
    SELECT u.id, u.org_id, u.name, coalesce(u.full_members, 0) AS full_members,
           u.instructor_id, i.person_name AS instructor_name, i.ended_on AS instructor_ended_on,
           CASE
               WHEN c.status = 'active' AND (c.kind = 'joint_branch' OR c.unit_relation = 'joint')
                   THEN 'joint'
               WHEN c.status = 'active' THEN 'own'
               WHEN i.started_on <= :today AND (i.ended_on IS NULL OR i.ended_on > :today)
                   THEN 'instructor'
               ELSE 'none'
           END AS coverage
    FROM two_new_units u
    JOIN checked ON checked.id = u.org_id
    LEFT JOIN organizations c ON c.tenant_id = :tenant_id AND c.id = u.covered_by_org_id
    LEFT JOIN two_new_instructors i ON i.tenant_id = :tenant_id AND i.id = u.instructor_id
    WHERE u.tenant_id = :tenant_id AND (u.closed_on IS NULL OR u.closed_on > :today)
)"""

# The first five names (by name, then id), with “等 N 个” when there are more.
_NAMES = """array_to_string((array_agg({item} ORDER BY name, id))[1:5], '、')
       || CASE WHEN count(*) > 5 THEN '等 ' || count(*) || ' 个' ELSE '' END"""

SHOULD_FORM_BRANCH = f"""
WITH {_UNITS},
rule AS (SELECT {_setting("min_full_members", "branch_min_full_members", 3)} AS min_full)
SELECT u.org_id, NULL::uuid AS subject_id, count(*) AS count, min(rule.min_full) AS min_full_members,
       {_NAMES.format(item="name || '（正式党员 ' || full_members || ' 人）'")} AS units
FROM units u
CROSS JOIN rule
WHERE u.full_members >= rule.min_full AND u.coverage <> 'own'
GROUP BY u.org_id
"""

UNCOVERED = f"""
WITH {_UNITS}
SELECT org_id, NULL::uuid AS subject_id, count(*) AS count, {_NAMES.format(item="name")} AS units
FROM units
WHERE coverage = 'none'
GROUP BY org_id
"""

# The distinct units a branch-level organisation covers: register units naming it and its
# own core units, one unit once (same credit code; without a code, the same trimmed name,
# and a name-only one whose name a coded one bears is that one).
JOINT_BRANCH_OVERSIZE = f"""
WITH covering AS (
    SELECT o.id FROM organizations o
    WHERE o.tenant_id = :tenant_id AND o.status = 'active' AND o.sector = 'two_new'
      AND o.kind IN ('general_branch', 'branch', 'joint_branch')
),
held AS (
    SELECT u.covered_by_org_id AS org_id, u.name, nullif(u.credit_code, '') AS code, 0 AS source
    FROM two_new_units u
    JOIN covering ON covering.id = u.covered_by_org_id
    WHERE u.tenant_id = :tenant_id AND (u.closed_on IS NULL OR u.closed_on > :today)
    UNION ALL
    SELECT ou.org_id, ou.name, nullif(ou.credit_code, ''), 1
    FROM org_units ou
    JOIN covering ON covering.id = ou.org_id
    WHERE ou.tenant_id = :tenant_id
),
keyed AS (
    SELECT DISTINCT ON (org_id, code, CASE WHEN code IS NULL THEN trim(name) END)
           org_id, code, name
    FROM held
    ORDER BY org_id, code, CASE WHEN code IS NULL THEN trim(name) END, source, name
),
distinct_units AS (
    SELECT DISTINCT k.org_id, k.name
    FROM keyed k
    WHERE k.code IS NOT NULL
       OR NOT EXISTS (SELECT 1 FROM keyed c
                      WHERE c.org_id = k.org_id AND c.code IS NOT NULL
                        AND trim(c.name) = trim(k.name))
),
rule AS (SELECT {_setting("max_units", "joint_branch_max_units", 5)} AS most)
SELECT d.org_id, NULL::uuid AS subject_id, count(*) AS units, min(rule.most) AS max_units,
       array_to_string((array_agg(d.name ORDER BY d.name))[1:5], '、') AS names
FROM distinct_units d
CROSS JOIN rule
GROUP BY d.org_id
HAVING count(*) > min(rule.most)
"""

# A group is covered by an active comprehensive committee (综合党委) of the sector that
# lists no kinds, or lists the group's.
GROUP_UNCOVERED = """
WITH checked AS (
    SELECT o.id FROM organizations o
    WHERE o.tenant_id = :tenant_id AND o.status = 'active' AND o.sector = 'two_new'
),
bare AS (
    SELECT g.org_id, g.id, g.name, g.workers
    FROM two_new_groups g
    JOIN checked ON checked.id = g.org_id
    LEFT JOIN (organizations c
               CROSS JOIN LATERAL json_to_record(c.attributes)
                   AS a(comprehensive boolean, covers_groups json))
           ON c.tenant_id = :tenant_id AND c.id = g.covering_org_id
    WHERE g.tenant_id = :tenant_id
      AND NOT coalesce(
          c.status = 'active' AND c.sector = 'two_new' AND c.kind = 'committee'
          AND a.comprehensive
          AND CASE WHEN json_typeof(a.covers_groups) = 'array' AND json_array_length(a.covers_groups) > 0
                   THEN EXISTS (SELECT 1 FROM json_array_elements_text(a.covers_groups) AS k(kind)
                                WHERE k.kind = g.kind)
                   ELSE true END,
          false)
)
SELECT org_id, NULL::uuid AS subject_id, count(*) AS count, sum(workers) AS workers,
       array_to_string((array_agg(name || '（' || workers || ' 人）' ORDER BY name, id))[1:5], '、')
           AS groups
FROM bare
GROUP BY org_id
"""

INSTRUCTOR_NO_SUCCESSOR = f"""
WITH {_UNITS}
SELECT org_id, NULL::uuid AS subject_id, count(*) AS count,
       {_NAMES.format(item="name || '（' || instructor_name || ' ' || instructor_ended_on || ' 离任）'")}
           AS units
FROM units
WHERE instructor_id IS NOT NULL
  AND instructor_ended_on <= CAST(:today AS date) - CAST(:grace_days AS integer)
GROUP BY org_id
"""

# Units (still registered) and groups surveyed before :today minus the interval.
REGISTER_STALE = f"""
WITH checked AS (
    SELECT o.id FROM organizations o
    WHERE o.tenant_id = :tenant_id AND o.status = 'active' AND o.sector = 'two_new'
),
cutoff AS (
    SELECT {_setting("months", "survey_interval_months", 12)} AS months
),
stale AS (
    SELECT u.org_id, 1 AS unit, 0 AS grp, u.surveyed_on
    FROM two_new_units u
    JOIN checked ON checked.id = u.org_id
    CROSS JOIN cutoff
    WHERE u.tenant_id = :tenant_id
      AND u.surveyed_on < (CAST(:today AS date) - make_interval(months => cutoff.months))::date
      AND (u.closed_on IS NULL OR u.closed_on > :today)
    UNION ALL
    SELECT g.org_id, 0, 1, g.surveyed_on
    FROM two_new_groups g
    JOIN checked ON checked.id = g.org_id
    CROSS JOIN cutoff
    WHERE g.tenant_id = :tenant_id
      AND g.surveyed_on < (CAST(:today AS date) - make_interval(months => cutoff.months))::date
)
SELECT org_id, NULL::uuid AS subject_id, sum(unit) AS units, sum(grp) AS groups,
       min(surveyed_on) AS oldest
FROM stale
GROUP BY org_id
"""

RULES = [
    RuleSQL("two_new.should_form_branch", SHOULD_FORM_BRANCH),
    RuleSQL("two_new.uncovered", UNCOVERED),
    RuleSQL("two_new.joint_branch_oversize", JOINT_BRANCH_OVERSIZE),
    RuleSQL("two_new.group_uncovered", GROUP_UNCOVERED),
    RuleSQL("two_new.instructor_no_successor", INSTRUCTOR_NO_SUCCESSOR),
    RuleSQL("two_new.register_stale", REGISTER_STALE),
]
