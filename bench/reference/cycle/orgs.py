"""``orgs.setup`` (组织设置规范) as plain SQL, and the fragments the other core slices share.

A checklist measured at the end of the period: a secretary in post; a committee of at least
``committee_min`` people where there are ``committee_from_full_members`` full members; the
current term (its start plus the organisation's term length, or its sector's) not over;
no more members than a branch / general branch may have. Members count the organisation
and its 党小组, active ones only; full members are ``full``, or mobile / lost-contact
members whose ``full_on`` is on or before the end of the period.

Besides the contract's binds this query reads ``:term_years`` — the sector plugins' term
lengths, a JSON object ``{"committee": {sector: years, "": national}, "branch": {…}}``
resolved from the tenant's settings by :func:`bench.reference.cycle.assemble.context_binds`.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL

ACTIVE = "('probationary', 'full', 'mobile', 'lost_contact')"

# Each measured organisation as the holder of its own records, and each of its 党小组 as a
# holder of records that count for it: join records on holder_id, group by org_id.
HOLDERS = """
    holders AS (
        SELECT r.org_id AS holder_id, r.org_id FROM ref_orgs r
        UNION ALL
        SELECT g.id, g.parent_id
        FROM organizations g JOIN ref_orgs r ON r.org_id = g.parent_id
        WHERE g.tenant_id = :tenant_id AND g.kind = 'group'
    )"""

# Distinct people holding a committee post at the end of the period (register members and
# people outside the register, by name), and whether one of them is the secretary.
POSTS = """
    posts AS (
        SELECT p.org_id,
               count(DISTINCT p.member_id) + count(DISTINCT p.person_name) AS size,
               bool_or(p.post = 'secretary') AS secretary
        FROM org_posts p JOIN ref_orgs r ON r.org_id = p.org_id
        WHERE p.tenant_id = :tenant_id AND p.started_on <= :end
          AND (p.ended_on IS NULL OR p.ended_on > :end)
        GROUP BY p.org_id
    )"""

def half_even(expr: str, places: int) -> str:
    """``expr`` (numeric) rounded to ``places`` decimals, an exact tie to the even digit
    (Python's ``round`` and ``Decimal.quantize``; PostgreSQL's ``round`` goes away from 0)."""
    scale = 10 ** places
    return (f"(CASE WHEN abs(({expr}) * {scale} - trunc(({expr}) * {scale})) = 0.5 "
            f"AND mod(trunc(({expr}) * {scale}), 2) = 0 "
            f"THEN trunc(({expr}) * {scale}) / {scale} ELSE round(({expr}), {places}) END)")


SETUP = f"""
WITH {HOLDERS},
    people AS (
        SELECT h.org_id, count(*) AS members,
               count(*) FILTER (WHERE m.status = 'full'
                                   OR (m.status IN ('mobile', 'lost_contact')
                                       AND m.full_on <= :end)) AS full_members
        FROM holders h
        JOIN members m ON m.tenant_id = :tenant_id AND m.org_id = h.holder_id
        WHERE m.status IN {ACTIVE}
        GROUP BY h.org_id
    ),
    {POSTS.strip()},
    checked AS (
        SELECT o.id AS org_id,
               coalesce(posts.secretary, false) AS secretary,
               coalesce(people.full_members, 0) < :committee_from_full_members
                   OR coalesce(posts.size, 0) >= :committee_min AS committee,
               coalesce((o.term_started_on + make_interval(years => coalesce(
                   o.term_years,
                   (CAST(:term_years AS jsonb) -> CASE WHEN o.kind = 'committee' THEN 'committee'
                                                        WHEN o.kind IN ('general_branch', 'branch', 'joint_branch')
                                                        THEN 'branch' END
                       ->> coalesce(o.sector, ''))::int,
                   (CAST(:term_years AS jsonb) -> CASE WHEN o.kind = 'committee' THEN 'committee'
                                                        WHEN o.kind IN ('general_branch', 'branch', 'joint_branch')
                                                        THEN 'branch' END
                       ->> '')::int)))::date >= :end, false) AS term,
               CASE WHEN o.kind IN ('branch', 'joint_branch')
                    THEN coalesce(people.members, 0) <= :branch_max_members
                    WHEN o.kind = 'general_branch'
                    THEN coalesce(people.members, 0) <= :general_branch_max_members
                    ELSE true END AS size
        FROM ref_orgs r
        JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = r.org_id
        LEFT JOIN people ON people.org_id = r.org_id
        LEFT JOIN posts ON posts.org_id = r.org_id
    )
SELECT org_id,
       secretary::int + committee::int + term::int + size::int AS value,
       jsonb_build_object('书记在任', secretary, '按规定设立支委会', committee,
                          '按期换届', term, '党员规模适当', size) AS items
FROM checked
"""

INDICATORS = [IndicatorSQL("orgs.setup", SETUP, checklist=True)]
