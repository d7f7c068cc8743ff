"""The orgs slice's rules as plain SQL: structure (组织设置) and terms (换届).

Structure: a branch's figures count its whole subtree (its groups included), active members
only; a *full member* is status ``full``, or ``mobile``/``lost_contact`` with ``full_on`` on
or before today (正式党员 whatever their whereabouts). The subtree sums spread each
organisation's direct counts to its ancestors — a path's prefix of ``33·(d + 1) + 1``
characters is its ancestor at depth ``d`` — but only to the depths where the checked
organisations sit (one or two), grouped by prefix. Committee size: distinct people (a
register member or a named outsider) holding a post today; ``orgs.committee_size`` needs
nothing else (the engine computes the member figures for it too).

Terms: an active committee or branch-level organisation with a term start; its length is its
own ``term_years``, else its sector plugin's setting for its kind (the tenant's override on
``tenant_plugins.settings``, else the plugin's default: 5 years for a committee, 5 for a
village or community branch, 3 for any other branch). The end is the start plus those years
(29 February → 28 February, as PostgreSQL's interval arithmetic does).
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL

ACTIVE_MEMBER = "('probationary', 'full', 'mobile', 'lost_contact')"

_ROLLED = f"""
    SELECT m.org_id,
           count(*) AS members,
           count(*) FILTER (WHERE m.status = 'full'
                            OR (m.status IN ('mobile', 'lost_contact') AND m.full_on <= :today))
               AS full_members
    FROM members m
    WHERE m.tenant_id = :tenant_id AND m.status IN {ACTIVE_MEMBER}
    GROUP BY m.org_id
), levels AS (  -- the depths the checked organisations sit at
    SELECT DISTINCT depth FROM organizations
    WHERE tenant_id = :tenant_id AND status = 'active' AND kind IN KINDS
), rolled AS (  -- each organisation's figures added to its ancestors at those depths
    SELECT substr(o.path, 1, 33 * (l.depth + 1) + 1) AS path,
           sum(d.members) AS members, sum(d.full_members) AS full_members
    FROM direct d
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = d.org_id
    JOIN levels l ON l.depth <= o.depth
    GROUP BY 1
)"""

_COMMITTEE = """
    SELECT p.org_id, count(DISTINCT p.member_id) + count(DISTINCT p.person_name) AS size
    FROM org_posts p
    WHERE p.tenant_id = :tenant_id AND p.started_on <= :today
      AND (p.ended_on IS NULL OR p.ended_on > :today)
    GROUP BY p.org_id
)"""

_BRANCHES = "('branch', 'joint_branch')"


def _structure(kinds: str, condition: str, members: bool = True, committee: bool = False) -> str:
    """Active organisations of ``kinds`` whose subtree member figures and/or committee size
    meet ``condition`` (on ``members``, ``full_members``, ``committee_size``)."""
    ctes = ([f"direct AS ({_ROLLED.replace('KINDS', kinds)}"] if members else []) + (
        [f"committee AS ({_COMMITTEE}"] if committee else [])
    joins = ("\n    LEFT JOIN rolled r ON r.path = o.path" if members else "") + (
        "\n    LEFT JOIN committee c ON c.org_id = o.id" if committee else "")
    return f"""
WITH {", ".join(ctes)}
SELECT org_id, NULL::uuid AS subject_id, members, full_members, committee_size
FROM (
    SELECT o.id AS org_id,
           {"coalesce(r.members, 0)" if members else "NULL::numeric"} AS members,
           {"coalesce(r.full_members, 0)" if members else "NULL::numeric"} AS full_members,
           {"coalesce(c.size, 0)" if committee else "NULL::bigint"} AS committee_size
    FROM organizations o{joins}
    WHERE o.tenant_id = :tenant_id AND o.status = 'active' AND o.kind IN {kinds}
) figures
WHERE {condition}
"""


_TERMS = """
WITH terms AS (
    SELECT o.id AS org_id, o.term_started_on,
           coalesce(o.term_years,
                    (tp.settings ->> CASE WHEN o.kind = 'committee' THEN 'committee_term_years'
                                          ELSE 'branch_term_years' END)::int,
                    CASE WHEN o.kind = 'committee' THEN 5
                         WHEN o.sector IN ('rural', 'community') THEN 5
                         ELSE 3 END) AS term_years
    FROM organizations o
    LEFT JOIN tenant_plugins tp ON tp.tenant_id = :tenant_id AND tp.plugin = o.sector
    WHERE o.tenant_id = :tenant_id AND o.status = 'active' AND o.term_started_on IS NOT NULL
      AND o.kind IN ('committee', 'general_branch', 'branch', 'joint_branch')
), ends AS (
    SELECT org_id, term_started_on, term_years,
           (term_started_on + make_interval(years => term_years))::date AS ends_on
    FROM terms
)
SELECT org_id, NULL::uuid AS subject_id, term_started_on, term_years, ends_on, DAYS
FROM ends
WHERE CONDITION
"""

RULES = [
    RuleSQL("orgs.branch_too_small", _structure(_BRANCHES, "full_members < :min_full_members")),
    RuleSQL("orgs.committee_missing", _structure(
        _BRANCHES,
        "full_members >= :committee_from_full_members AND committee_size < :committee_min",
        committee=True)),
    RuleSQL("orgs.committee_size", _structure(
        _BRANCHES, "committee_size >= :committee_min AND committee_size > :committee_max",
        members=False, committee=True)),
    RuleSQL("orgs.suggest_general_branch", _structure(
        _BRANCHES, "members > :general_branch_over AND members <= :committee_over")),
    RuleSQL("orgs.suggest_committee", _structure(
        "('branch', 'joint_branch', 'general_branch')", "members > :committee_over")),
    RuleSQL("orgs.term_ending", _TERMS.replace("DAYS", "ends_on - :today AS days_left").replace(
        "CONDITION", "ends_on BETWEEN :today AND :today + CAST(:days_before AS integer)")),
    RuleSQL("orgs.term_overdue", _TERMS.replace("DAYS", ":today - ends_on AS days_overdue").replace(
        "CONDITION", ":today - ends_on > :grace_days")),
]
