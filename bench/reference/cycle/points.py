"""``points.branch_average`` (党员平均积分) as plain SQL.

The approved points occurring in the period of every active member who is not exempt from
ranking (the tenant's points settings, ages as of the end of the period or today, whichever
is earlier), summed over the organisation's whole subtree and divided by those members (two
decimals, an exact tie to the even cent). No such member: no value.

Besides the contract's binds: ``:today``, ``:exempt_categories`` (text array) and
``:elderly_age``, from :func:`bench.reference.cycle.assemble.context_binds`.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL
from bench.reference.cycle.orgs import ACTIVE, half_even

SEGMENT = 33  # an organisation's path is its ancestors' and its own "/" + 32 hex digits


def exempt(member: str, as_of: str) -> str:
    """SQL condition: ``member`` (an alias of ``members``) is exempt from ranking under the
    tenant's ``:exempt_categories``, ages counted on ``as_of`` (an SQL date expression)."""
    return f"""(({member}.is_retired AND 'retired' = ANY(:exempt_categories))
        OR {member}.status = ANY(:exempt_categories)
        OR ('elderly' = ANY(:exempt_categories)
            AND {member}.birth_date <= ({as_of} - make_interval(years => :elderly_age))::date))"""


# Each member's approved points occurring in the period (members with any entry).
TOTALS = """
    totals AS (
        SELECT e.member_id, sum(e.points) AS total
        FROM point_entries e
        WHERE e.tenant_id = :tenant_id AND e.status = 'approved'
          AND e.occurred_on BETWEEN :start AND :end
        GROUP BY e.member_id
    )"""

AS_OF = "least(CAST(:end AS date), CAST(:today AS date))"

BRANCH_AVERAGE = f"""
WITH {TOTALS.strip()},
    direct AS (
        SELECT m.org_id, count(*) AS members, coalesce(sum(t.total), 0) AS points
        FROM members m LEFT JOIN totals t ON t.member_id = m.id
        WHERE m.tenant_id = :tenant_id AND m.status IN {ACTIVE}
          AND NOT {exempt("m", AS_OF)}
        GROUP BY m.org_id
    ),
    measured AS (
        SELECT r.org_id, a.path FROM ref_orgs r
        JOIN organizations a ON a.tenant_id = :tenant_id AND a.id = r.org_id
    ),
    spread AS (  -- each organisation's figures counted for itself and every ancestor
        SELECT substr(o.path, 1, {SEGMENT} * k + 1) AS path, d.members, d.points
        FROM direct d
        JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = d.org_id
        CROSS JOIN LATERAL generate_series(1, o.depth + 1) AS k
    ),
    rolled AS (
        SELECT ms.org_id, sum(s.members) AS members, sum(s.points) AS points
        FROM spread s JOIN measured ms ON ms.path = s.path
        GROUP BY ms.org_id
    )
SELECT org_id, {half_even("points / members", 2)} AS value
FROM rolled WHERE members > 0
"""

INDICATORS = [IndicatorSQL("points.branch_average", BRANCH_AVERAGE)]
