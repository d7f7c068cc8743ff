"""The community sector's indicators (``plugins/community/indicators.py``) as plain SQL.

An organisation is measured over its subtree (``plugins.community.figures``): records held by
itself or any *active* organisation below it (``held``: the materialised path, a prefix
range the path index serves). The community figures (population, workers, venue…) are
sector attributes: an organisation's own when it carries any, else those of the topmost
organisations below it that carry them (a street's communities), never a community twice.

Rates are rounded as the engine rounds them — Python's ``round`` of a double, half to even —
which PostgreSQL's ``round(double precision)`` does too.

Binds: ``:tenant_id``, ``:start``, ``:end`` and each indicator's parameters. The parameters
that default to plugin settings (staffing, pay, venue standard, services a year) are
resolved when a standard is made and frozen in its version: no setting is read here.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL


def _round(expr: str, places: int) -> str:
    """Python's ``round(x, places)`` of a double: PostgreSQL rounds a double half to even."""
    scale = f"{10 ** places}::float8"
    return f"(round(({expr}) * {scale}) / {scale})"


def _pct(part: str, whole: str, places: int = 1) -> str:
    """``round(part * 100 / whole, places)`` as the engine computes it (in doubles)."""
    return _round(f"({part})::float8 * 100 / ({whole})", places)


# Each assessed organisation with itself and its active descendants (any sector) as
# holders: the organisations whose materialised path (the '/'-separated ids from the root
# down to themselves) names it — the engine's "path starts with its path", as uuid
# equalities one hash join serves (a prefix range on the path index costs a collation-aware
# string comparison per row and, parameterised per organisation, is not chosen).
_HELD = """
held AS (
    SELECT r.org_id, h.id AS holder_id, h.path, h.sector, h.attributes
    FROM organizations h
    CROSS JOIN LATERAL unnest(string_to_array(trim(BOTH '/' FROM h.path), '/')) AS a(part)
    JOIN ref_orgs r ON r.org_id = a.part::uuid
    WHERE h.tenant_id = :tenant_id AND (h.id = r.org_id OR h.status = 'active')
)"""

_FIGURES = ("population", "households", "residential_compounds", "owners_committees",
            "community_workers", "worker_avg_monthly_pay", "venue_area_m2")

# The communities counted for each organisation: holders of the sector carrying any figure,
# without a carrying holder above them (within the organisation's subtree). Each
# organisation's attributes are parsed once (as jsonb: ->> on json re-parses the text).
_COMMUNITIES = f"""
figures AS (
    SELECT o.id, o.path, o.status, {", ".join(f"(o.a ->> '{k}')::float8 AS {k}" for k in _FIGURES)}
    FROM (SELECT id, path, status, attributes::jsonb AS a FROM organizations
          WHERE tenant_id = :tenant_id AND sector = 'community' OFFSET 0) o
),
carriers AS (
    SELECT r.org_id, f.id AS holder_id, f.path, {", ".join(f"f.{k}" for k in _FIGURES)}
    FROM figures f
    CROSS JOIN LATERAL unnest(string_to_array(trim(BOTH '/' FROM f.path), '/')) AS a(part)
    JOIN ref_orgs r ON r.org_id = a.part::uuid
    WHERE (f.id = r.org_id OR f.status = 'active')
      AND ({" OR ".join(f"f.{k} IS NOT NULL" for k in _FIGURES)})
),
communities AS (
    SELECT c.* FROM carriers c
    WHERE NOT EXISTS (SELECT 1 FROM carriers a
                      WHERE a.org_id = c.org_id AND a.holder_id <> c.holder_id
                        AND starts_with(c.path, a.path))
)"""

# Grids not ended by the period's end; covered when their branch exists and is active (or
# dissolved only after the end). Organisations without grids: no row.
GRID_BRANCHES = f"""
WITH {_HELD}
SELECT h.org_id,
       {_pct("count(*) FILTER (WHERE b.id IS NOT NULL AND (b.status = 'active' OR b.dissolved_on > CAST(:end AS date)))",
             "count(*)")} AS value
FROM held h
JOIN community_grids g ON g.tenant_id = :tenant_id AND g.org_id = h.holder_id
LEFT JOIN organizations b ON b.tenant_id = :tenant_id AND b.id = g.branch_org_id
WHERE g.ended_on IS NULL OR g.ended_on > CAST(:end AS date)
GROUP BY h.org_id
"""

# Property companies serving at the period's end; red when they have their own Party
# organisation or an agreement in force that day. Organisations without companies: no row.
RED_PROPERTY = f"""
WITH {_HELD}
SELECT h.org_id,
       {_pct('''count(*) FILTER (WHERE c.has_party_org
                                  OR (c.agreement_signed_on <= CAST(:end AS date)
                                      AND (c.agreement_ends_on IS NULL
                                           OR c.agreement_ends_on >= CAST(:end AS date))))''',
             "count(*)")} AS value
FROM held h
JOIN community_property_companies c ON c.tenant_id = :tenant_id AND c.org_id = h.holder_id
WHERE (c.started_on IS NULL OR c.started_on <= CAST(:end AS date))
  AND (c.left_on IS NULL OR c.left_on > CAST(:end AS date))
GROUP BY h.org_id
"""

# Owners' committees over residential compounds, of the communities that entered both
# (with compounds).
OWNERS_COMMITTEES = f"""
WITH {_COMMUNITIES}
SELECT org_id, {_pct("sum(owners_committees)", "sum(residential_compounds)")} AS value
FROM communities
WHERE residential_compounds > 0 AND owners_committees IS NOT NULL
GROUP BY org_id
"""

# Community workers per 10,000 residents, rounded to 0.1.
WORKER_STAFFING = f"""
WITH {_COMMUNITIES}
SELECT org_id, {_round("sum(community_workers) * 10000 / sum(population)", 1)} AS value
FROM communities
WHERE population > 0 AND community_workers IS NOT NULL
GROUP BY org_id
"""

# The average monthly pay, weighted by each community's workers (at least 1), rounded to
# the yuan (half to even).
WORKER_PAY = f"""
WITH {_COMMUNITIES}
SELECT org_id,
       round(sum(worker_avg_monthly_pay * greatest(coalesce(community_workers, 0), 1))
             / sum(greatest(coalesce(community_workers, 0), 1))) AS value
FROM communities
WHERE worker_avg_monthly_pay IS NOT NULL
GROUP BY org_id
"""

# The venue area as a share of the standard (per_100_households_m2 per 100 households, at
# least min_area_m2, per community), 100 when the standard is nothing. Summed in doubles in
# the engine's order (the communities by depth; within a depth the engine takes its query's
# row order, which nothing fixes): a sum of doubles depends on its order in the last bit,
# which decides the rounding only when the share is a tie to 0.1 % (206.35).
VENUE_AREA = f"""
WITH {_COMMUNITIES},
summed AS (
    SELECT org_id, sum(venue_area_m2 ORDER BY length(path)) AS area,
           sum(greatest(CAST(:min_area_m2 AS float8),
                        households * CAST(:per_100_households_m2 AS float8) / 100)
               ORDER BY length(path)) AS standard
    FROM communities
    WHERE venue_area_m2 IS NOT NULL AND households IS NOT NULL
    GROUP BY org_id
)
SELECT org_id, CASE WHEN standard > 0 THEN {_pct("area", "standard")} ELSE 100 END AS value
FROM summed
"""

# Registrations running in the period, less those registered in its last
# new_registration_days days; the share served at least min_services times in the period.
REGISTERED_SERVICE = f"""
WITH {_HELD},
counted AS (
    SELECT h.org_id,
           (SELECT count(*) FROM community_services s
            WHERE s.tenant_id = :tenant_id AND s.registration_id = g.id
              AND s.served_on BETWEEN CAST(:start AS date) AND CAST(:end AS date))
           >= CAST(:min_services AS int) AS active
    FROM held h
    JOIN community_registrations g ON g.tenant_id = :tenant_id AND g.org_id = h.holder_id
    WHERE g.registered_on <= CAST(:end AS date) - CAST(:new_registration_days AS int)
      AND (g.ended_on IS NULL OR g.ended_on >= CAST(:start AS date))
)
SELECT org_id, {_pct("count(*) FILTER (WHERE active)", "count(*)")} AS value
FROM counted
GROUP BY org_id
"""

INDICATORS = [
    IndicatorSQL("community.grid_branches", GRID_BRANCHES),
    IndicatorSQL("community.red_property", RED_PROPERTY),
    IndicatorSQL("community.owners_committees", OWNERS_COMMITTEES),
    IndicatorSQL("community.worker_staffing", WORKER_STAFFING),
    IndicatorSQL("community.worker_pay", WORKER_PAY),
    IndicatorSQL("community.venue_area", VENUE_AREA),
    IndicatorSQL("community.registered_service", REGISTERED_SERVICE),
]
