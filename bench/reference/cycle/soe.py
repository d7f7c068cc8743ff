"""The soe sector's indicators (``plugins/soe/indicators.py``) as plain SQL.

An organisation is an enterprise's own Party organisation when its ``enterprise_level``
attribute is set (non-empty). Rates: ``round(part * 100 / whole, 2)`` of doubles, half to
even, as the engine's Python ``round`` (PostgreSQL's ``round(double precision)`` does too).

Binds: ``:tenant_id``, ``:start``, ``:end`` and each indicator's parameters. The parameters
that default to plugin settings (``min_days``, ``secretary_chairman``,
``full_time_deputy_from_employees``, ``min_cross_members``, the link's ``target``) are
resolved when a standard is made and frozen in its version: no setting is read here.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL


def _pct(part: str, whole: str) -> str:
    """``round(part * 100 / whole, 2)`` as the engine computes it (in doubles, half to even)."""
    return f"(round(({part})::float8 * 100 / ({whole}) * 100::float8) / 100::float8)"


def _is_true(attribute: str) -> str:
    """The attribute is JSON ``true`` (the engine's ``is True``)."""
    return f"coalesce(a -> '{attribute}' = 'true'::jsonb, false)"


# Enterprises only (others: no row): written into the charter, the prior-review clause,
# an amendment date recorded (an ISO date) on or before the period's end. The assessed
# organisations' attributes are parsed once (jsonb), after the join: a filter on the json
# would parse every organisation's.
CHARTER = f"""
WITH enterprises AS (
    SELECT org_id, a FROM (
        SELECT o.id AS org_id, o.attributes::jsonb AS a
        FROM organizations o JOIN ref_orgs r ON r.org_id = o.id
        WHERE o.tenant_id = :tenant_id OFFSET 0) o
    WHERE coalesce(a ->> 'enterprise_level', '') <> ''
),
checked AS (
    SELECT org_id,
           {_is_true("charter_includes_party_building")} AS written,
           {_is_true("charter_prior_review_clause")} AS clause,
           coalesce(CASE WHEN a ->> 'charter_amended_on' ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$'
                         THEN (a ->> 'charter_amended_on')::date <= CAST(:end AS date)
                    END, false) AS dated
    FROM enterprises
)
SELECT org_id, written::int + clause::int + dated::int AS value,
       json_build_object('党建工作要求写入公司章程', written, '章程明确党委前置研究讨论程序', clause,
                         '章程修订日期已登记', dated) AS items
FROM checked
"""

# Matters decided in the period: the share the Party committee studied min_days or more
# days before; none decided: no row.
PRIOR_REVIEW = f"""
SELECT d.org_id,
       {_pct('''count(*) FILTER (WHERE d.party_reviewed_on <= d.decided_on - CAST(:min_days AS int))''',
             "count(*)")} AS value
FROM soe_decisions d
JOIN ref_orgs r ON r.org_id = d.org_id
WHERE d.tenant_id = :tenant_id AND d.decided_on BETWEEN CAST(:start AS date) AND CAST(:end AS date)
GROUP BY d.org_id
"""

# Posts held at the period's end, per person (the member, else the name): 书记、董事长一肩挑
# (only with a board and when secretary_chairman), other committee members on the board or
# in management ≥ min_cross_members, a full-time deputy secretary (only from
# full_time_deputy_from_employees employees). Items that do not apply are left out. Neither
# an enterprise nor any post: no row.
CROSS_APPOINTMENT = """
WITH people AS (
    SELECT a.org_id,
           array_agg(a.party_post) FILTER (WHERE a.party_post IS NOT NULL) AS party,
           array_agg(a.business_post) FILTER (WHERE a.business_post IS NOT NULL) AS business
    FROM soe_cross_appointments a
    JOIN ref_orgs r ON r.org_id = a.org_id
    WHERE a.tenant_id = :tenant_id AND a.started_on <= CAST(:end AS date)
      AND (a.ended_on IS NULL OR a.ended_on > CAST(:end AS date))
    GROUP BY a.org_id, coalesce(a.member_id::text, 'name:' || a.person_name)
),
tally AS (
    SELECT org_id,
           bool_or('secretary' = ANY(party) AND 'chairman' = ANY(business)) AS secretary_chairman,
           count(*) FILTER (WHERE party IS NOT NULL AND NOT 'secretary' = ANY(party)
                            AND business && ARRAY['chairman', 'vice_chairman', 'director', 'general_manager',
                                                  'deputy_general_manager', 'chief_accountant']::varchar[]) AS cross_members,
           bool_or('full_time_deputy_secretary' = ANY(party)) AS full_time_deputy
    FROM people
    GROUP BY org_id
),
checked AS (
    SELECT o.id AS org_id,
           CASE WHEN CAST(:secretary_chairman AS boolean)
                     AND coalesce((o.attributes ->> 'has_board')::boolean, false)
                THEN coalesce(t.secretary_chairman, false) END AS secretary_chairman,
           coalesce(t.cross_members, 0) >= CAST(:min_cross_members AS int) AS two_way,
           CASE WHEN (o.attributes ->> 'employees')::numeric >= CAST(:full_time_deputy_from_employees AS int)
                THEN coalesce(t.full_time_deputy, false) END AS full_time_deputy
    FROM organizations o
    JOIN ref_orgs r ON r.org_id = o.id
    LEFT JOIN tally t ON t.org_id = o.id
    WHERE o.tenant_id = :tenant_id
      AND (coalesce(o.attributes ->> 'enterprise_level', '') <> '' OR t.org_id IS NOT NULL)
)
SELECT org_id,
       coalesce(secretary_chairman::int, 0) + two_way::int + coalesce(full_time_deputy::int, 0) AS value,
       json_strip_nulls(json_build_object('党委书记、董事长一肩挑', secretary_chairman,
                                          '党委委员进入董事会、经理层', two_way,
                                          '按规定配备专职副书记', full_time_deputy)) AS items
FROM checked
"""

# The link weight recorded for the year of the period's end; none: no row.
PERFORMANCE_LINK = """
SELECT l.org_id, l.link_weight_pct AS value
FROM soe_performance_links l
JOIN ref_orgs r ON r.org_id = l.org_id
WHERE l.tenant_id = :tenant_id AND l.year = extract(year FROM CAST(:end AS date))::int
"""

# Working members (full, probationary) of the branch and its 党小组 holding a 先锋岗,
# 责任区 or 示范岗 of the branch at the period's end; no working member: no row.
VANGUARD_COVERAGE = f"""
WITH holders AS (
    SELECT r.org_id, r.org_id AS holder_id FROM ref_orgs r
    UNION ALL
    SELECT g.parent_id, g.id
    FROM organizations g JOIN ref_orgs r ON r.org_id = g.parent_id
    WHERE g.tenant_id = :tenant_id AND g.kind = 'group'
),
working AS (
    SELECT h.org_id, m.id AS member_id
    FROM holders h
    JOIN members m ON m.tenant_id = :tenant_id AND m.org_id = h.holder_id
    WHERE m.status IN ('full', 'probationary')
)
SELECT w.org_id,
       {_pct('''count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM soe_vanguard_posts v
                   WHERE v.tenant_id = :tenant_id AND v.member_id = w.member_id AND v.org_id = w.org_id
                     AND v.started_on <= CAST(:end AS date)
                     AND (v.ended_on IS NULL OR v.ended_on > CAST(:end AS date))))''',
             "count(*)")} AS value
FROM working w
GROUP BY w.org_id
"""

# Innovations achieved in the period; every assessed organisation has a row.
INNOVATION_PROJECTS = """
SELECT r.org_id, count(i.id) AS value
FROM ref_orgs r
LEFT JOIN soe_innovations i ON i.tenant_id = :tenant_id AND i.org_id = r.org_id
     AND i.achieved_on BETWEEN CAST(:start AS date) AND CAST(:end AS date)
GROUP BY r.org_id
"""

INDICATORS = [
    IndicatorSQL("soe.charter", CHARTER, checklist=True),
    IndicatorSQL("soe.prior_review", PRIOR_REVIEW),
    IndicatorSQL("soe.cross_appointment", CROSS_APPOINTMENT, checklist=True),
    IndicatorSQL("soe.performance_link", PERFORMANCE_LINK),
    IndicatorSQL("soe.vanguard_coverage", VANGUARD_COVERAGE),
    IndicatorSQL("soe.innovation_projects", INNOVATION_PROJECTS),
]
