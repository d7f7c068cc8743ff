"""The rural sector's indicators (``plugins/rural/indicators.py``) as plain SQL.

A village's members are those registered in it, in its 党小组 and in the branches below it
(and their groups): the organisation, its children and its grandchildren (``holders``).
Rates are rounded as the engine rounds them — Python's ``round`` of a double, half to even
(6.25 → 6.2) — which PostgreSQL's ``round(double precision)`` does too (see :func:`_round`).

Binds: ``:tenant_id``, ``:start``, ``:end`` and each indicator's parameters. Those that
default to a plugin setting (``collective_income_target_wan``, ``no_recruit_years_warning``)
are resolved when a standard is made and frozen in its version, so they arrive as
parameters; no setting is read here.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL


def _round(expr: str, places: int) -> str:
    """Python's ``round(x, places)`` of a double: PostgreSQL rounds a double half to even."""
    scale = f"{10 ** places}::float8"
    return f"(round(({expr}) * {scale}) / {scale})"


def _pct(part: str, whole: str, places: int) -> str:
    """``round(part * 100 / whole, places)`` as the engine computes it (in doubles)."""
    return _round(f"({part})::float8 * 100 / ({whole})", places)


# Each assessed organisation (org_id) with itself, its children and its grandchildren as
# holders of members that count for it (plugins.rural.villages.holders).
_HOLDERS = """
holders AS (
    SELECT r.org_id, r.org_id AS holder_id FROM ref_orgs r
    UNION ALL
    SELECT c.parent_id, c.id
    FROM organizations c JOIN ref_orgs r ON r.org_id = c.parent_id
    WHERE c.tenant_id = :tenant_id
    UNION ALL
    SELECT p.parent_id, g.id
    FROM organizations p
    JOIN ref_orgs r ON r.org_id = p.parent_id
    JOIN organizations g ON g.tenant_id = :tenant_id AND g.parent_id = p.id
    WHERE p.tenant_id = :tenant_id
)"""

# The operating income of the year of the period's end; no record: no row (no data).
COLLECTIVE_INCOME = """
SELECT i.org_id, i.operating_income_wan AS value
FROM rural_collective_incomes i
JOIN ref_orgs r ON r.org_id = i.org_id
WHERE i.tenant_id = :tenant_id AND i.year = extract(year FROM CAST(:end AS date))::int
"""

# Organisations that recorded the centre's area or functions: the area item and one item
# per required function (“<function>功能”); the value counts the items met. Each
# organisation's attributes are parsed once (as jsonb: ->> on json re-parses the text), and
# its items are aggregated on their own (LATERAL), not in one large hash aggregate.
SERVICE_CENTRE = """
WITH centres AS (
    SELECT org_id, (a ->> 'service_centre_area_m2')::float8 AS area,
           CASE WHEN jsonb_typeof(a -> 'service_centre_functions') = 'array'
                THEN a -> 'service_centre_functions' ELSE '[]'::jsonb END AS offered
    FROM (SELECT o.id AS org_id, o.attributes::jsonb AS a
          FROM organizations o JOIN ref_orgs r ON r.org_id = o.id
          WHERE o.tenant_id = :tenant_id OFFSET 0) o
    WHERE a ->> 'service_centre_area_m2' IS NOT NULL OR a ->> 'service_centre_functions' IS NOT NULL
),
functions AS MATERIALIZED (
    SELECT DISTINCT unnest(CAST(:required_functions AS text[])) AS name
)
SELECT c.org_id, i.value, i.items
FROM centres c
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE met) AS value, json_object_agg(item, met) AS items
    FROM (SELECT '场所面积达标' AS item, coalesce(c.area >= CAST(:min_area_m2 AS float8), false) AS met
          UNION ALL
          SELECT f.name || '功能', c.offered @> to_jsonb(f.name) FROM functions f) x
) i
"""

# Key villages: days of the period covered by first secretaries (the union of their
# stationings) as a share of the period, rounded to 0.1 %, against min_coverage; team
# members stationed at the period's end against min_team_members. Other villages meet
# both items. Every assessed organisation has a row.
FIRST_SECRETARY = f"""
WITH secretaries AS (
    SELECT s.org_id,
           range_agg(daterange(greatest(s.started_on, CAST(:start AS date)),
                               least(coalesce(s.ended_on, CAST(:end AS date)), CAST(:end AS date)),
                               '[]')) AS stationed
    FROM rural_stationings s
    JOIN ref_orgs r ON r.org_id = s.org_id
    WHERE s.tenant_id = :tenant_id AND s.role = 'first_secretary'
      AND s.started_on <= CAST(:end AS date) AND (s.ended_on IS NULL OR s.ended_on >= CAST(:start AS date))
      AND s.started_on <= coalesce(s.ended_on, s.started_on)  -- a row ending before it starts covers nothing
    GROUP BY s.org_id
),
covered AS (
    SELECT org_id, (SELECT sum(upper(d) - lower(d)) FROM unnest(stationed) d) AS days
    FROM secretaries
),
team AS (
    SELECT s.org_id, count(*) AS members
    FROM rural_stationings s
    JOIN ref_orgs r ON r.org_id = s.org_id
    WHERE s.tenant_id = :tenant_id AND s.role = 'team_member'
      AND s.started_on <= CAST(:end AS date) AND (s.ended_on IS NULL OR s.ended_on >= CAST(:end AS date))
    GROUP BY s.org_id
),
checked AS (
    SELECT r.org_id,
           coalesce((o.attributes ->> 'key_village')::boolean, false) AS key_village,
           {_pct("coalesce(c.days, 0)", "CAST(:end AS date) - CAST(:start AS date) + 1", 1)}
               >= CAST(:min_coverage AS float8) AS stationed,
           coalesce(t.members, 0) >= CAST(:min_team_members AS int) AS team
    FROM ref_orgs r
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = r.org_id
    LEFT JOIN covered c ON c.org_id = r.org_id
    LEFT JOIN team t ON t.org_id = r.org_id
)
SELECT org_id,
       CASE WHEN key_village THEN stationed::int + team::int ELSE 2 END AS value,
       json_build_object('第一书记在岗', NOT key_village OR stationed,
                         '驻村工作队配备', NOT key_village OR team) AS items
FROM checked
"""

# In the `years` years up to the period's end: people admitted by the village's holders
# (development step 17, 上级党委审批) and members of its register who joined the Party
# then (any status); the larger count. Every assessed organisation has a row.
RECRUITMENT = f"""
WITH {_HOLDERS},
window_ AS (
    SELECT (CAST(:end AS date) - make_interval(years => CAST(:years AS int)))::date + 1 AS since,
           CAST(:end AS date) AS until
),
admitted AS (
    SELECT h.org_id, count(DISTINCT s.person_id) AS n
    FROM holders h
    JOIN development_people p ON p.tenant_id = :tenant_id AND p.org_id = h.holder_id
    JOIN development_steps s ON s.tenant_id = :tenant_id AND s.person_id = p.id AND s.code = 17
    CROSS JOIN window_ w
    WHERE s.done_on BETWEEN w.since AND w.until
    GROUP BY h.org_id
),
joined AS (
    SELECT h.org_id, count(*) AS n
    FROM holders h
    JOIN members m ON m.tenant_id = :tenant_id AND m.org_id = h.holder_id
    CROSS JOIN window_ w
    WHERE m.joined_on BETWEEN w.since AND w.until
    GROUP BY h.org_id
)
SELECT r.org_id, greatest(coalesce(a.n, 0), coalesce(j.n, 0)) AS value
FROM ref_orgs r
LEFT JOIN admitted a ON a.org_id = r.org_id
LEFT JOIN joined j ON j.org_id = r.org_id
"""

# Full and probationary members (joined by the period's end) holding no post on its last
# day (无职党员), and of them those with a duty post then (设岗定责): the share, in %, 100
# when every member holds a post. Villages without such members: no row.
DUTY_SHARE = f"""
WITH {_HOLDERS},
posted AS (
    SELECT DISTINCT member_id FROM org_posts
    WHERE tenant_id = :tenant_id AND member_id IS NOT NULL
      AND started_on <= CAST(:end AS date) AND (ended_on IS NULL OR ended_on > CAST(:end AS date))
),
dutied AS (
    SELECT DISTINCT member_id FROM rural_member_duties
    WHERE tenant_id = :tenant_id
      AND started_on <= CAST(:end AS date) AND (ended_on IS NULL OR ended_on >= CAST(:end AS date))
),
counted AS (
    SELECT h.org_id,
           count(*) FILTER (WHERE p.member_id IS NULL) AS without_post,
           count(*) FILTER (WHERE p.member_id IS NULL AND d.member_id IS NOT NULL) AS with_duty
    FROM holders h
    JOIN members m ON m.tenant_id = :tenant_id AND m.org_id = h.holder_id
    LEFT JOIN posted p ON p.member_id = m.id
    LEFT JOIN dutied d ON d.member_id = m.id
    WHERE m.status IN ('full', 'probationary') AND m.joined_on <= CAST(:end AS date)
    GROUP BY h.org_id
)
SELECT org_id,
       CASE WHEN without_post > 0 THEN {_pct("with_duty", "without_post", 2)} ELSE 100 END AS value
FROM counted
"""

# Mobile members (away by the period's end): contacted in the period at least
# per_year × (months away in the period) / 12 times, rounded up, at least once; the share
# in %, 100 without mobile members. Every assessed organisation has a row.
MOBILE_CONTACT = f"""
WITH {_HOLDERS},
mobile AS (
    SELECT h.org_id, m.id AS member_id,
           greatest(CAST(:start AS date), coalesce(m.mobile_since, CAST(:start AS date))) AS away_from
    FROM holders h
    JOIN members m ON m.tenant_id = :tenant_id AND m.org_id = h.holder_id
    WHERE m.status = 'mobile' AND (m.mobile_since IS NULL OR m.mobile_since <= CAST(:end AS date))
),
judged AS (
    SELECT mo.org_id,
           (SELECT count(*) FROM rural_mobile_contacts c
            WHERE c.tenant_id = :tenant_id AND c.member_id = mo.member_id
              AND c.contacted_on BETWEEN CAST(:start AS date) AND CAST(:end AS date))
           >= greatest(1, (CAST(:per_year AS int)
                           * ((extract(year FROM CAST(:end AS date)) - extract(year FROM mo.away_from)) * 12
                              + extract(month FROM CAST(:end AS date)) - extract(month FROM mo.away_from) + 1)::int
                           + 11) / 12) AS contacted
    FROM mobile mo
),
tally AS (
    SELECT org_id, count(*) AS mobile, count(*) FILTER (WHERE contacted) AS done
    FROM judged GROUP BY org_id
)
SELECT r.org_id,
       CASE WHEN t.mobile > 0 THEN {_pct("t.done", "t.mobile", 2)} ELSE 100 END AS value
FROM ref_orgs r
LEFT JOIN tally t ON t.org_id = r.org_id
"""

INDICATORS = [
    IndicatorSQL("rural.collective_income", COLLECTIVE_INCOME),
    IndicatorSQL("rural.service_centre", SERVICE_CENTRE, checklist=True),
    IndicatorSQL("rural.first_secretary", FIRST_SECRETARY, checklist=True),
    IndicatorSQL("rural.recruitment", RECRUITMENT),
    IndicatorSQL("rural.duty_share", DUTY_SHARE),
    IndicatorSQL("rural.mobile_contact", MOBILE_CONTACT),
]
