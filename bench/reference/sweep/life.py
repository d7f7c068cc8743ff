"""The rules of organisational life as plain SQL.

A meeting of a kind is overdue at an active organisation of the checked kinds when none was
held from ``cutoff`` = today − ``period_months`` months (day clamped to the month's end)
through today; an organisation founded after ``cutoff`` is not checked yet. The 支委会 rule
checks only organisations whose committee has at least ``committee_min_size`` distinct
people holding a post today. The figures: the last meeting of the kind up to today.

``life.no_activity``: a branch-level organisation with no meeting of any kind — its own or
its child organisations' (党小组) — from ``today − days`` through today.
``life.talk_missing``: an active member of an active organisation who joined on or before
``cutoff`` and was present at no 谈心谈话 from ``cutoff`` through today.
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL

BRANCH_LEVEL = "('general_branch', 'branch', 'joint_branch')"
# kind → organisation kinds checked
KINDS = {
    "general_meeting": BRANCH_LEVEL,
    "committee_meeting": BRANCH_LEVEL,
    "group_meeting": "('group')",
    "party_lecture": BRANCH_LEVEL,
    "theme_day": BRANCH_LEVEL,
    "life_meeting": BRANCH_LEVEL,
    "member_review": BRANCH_LEVEL,
}

_COMMITTEE = """
  AND o.id IN (SELECT p.org_id FROM org_posts p
               WHERE p.tenant_id = :tenant_id AND p.started_on <= :today
                 AND (p.ended_on IS NULL OR p.ended_on > :today)
               GROUP BY p.org_id
               HAVING count(DISTINCT p.member_id) + count(DISTINCT p.person_name)
                      >= :committee_min_size)"""


def _overdue(kind: str) -> str:
    committee = _COMMITTEE if kind == "committee_meeting" else ""
    return f"""
WITH bounds AS (
    SELECT (CAST(:today AS date) - make_interval(months => :period_months))::date AS cutoff
), last AS (
    SELECT mt.org_id, max(mt.held_on) AS held_on
    FROM meetings mt
    WHERE mt.tenant_id = :tenant_id AND mt.kind = '{kind}' AND mt.held_on <= :today
    GROUP BY mt.org_id
)
SELECT o.id AS org_id, NULL::uuid AS subject_id, last.held_on AS last_held_on,
       :today - last.held_on AS days
FROM bounds
JOIN organizations o ON o.tenant_id = :tenant_id AND o.status = 'active'
                    AND o.kind IN {KINDS[kind]}
                    AND (o.founded_on IS NULL OR o.founded_on <= bounds.cutoff)
LEFT JOIN last ON last.org_id = o.id
WHERE (last.held_on IS NULL OR last.held_on < bounds.cutoff){committee}
"""


NO_ACTIVITY = f"""
WITH last AS (
    SELECT mt.org_id, max(mt.held_on) AS held_on
    FROM meetings mt
    WHERE mt.tenant_id = :tenant_id AND mt.held_on <= :today
    GROUP BY mt.org_id
)
SELECT o.id AS org_id, NULL::uuid AS subject_id, max(last.held_on) AS last_held_on,
       :today - max(last.held_on) AS days
FROM organizations o
JOIN organizations holder ON holder.tenant_id = :tenant_id
                         AND (holder.id = o.id OR holder.parent_id = o.id)
LEFT JOIN last ON last.org_id = holder.id
WHERE o.tenant_id = :tenant_id AND o.status = 'active' AND o.kind IN {BRANCH_LEVEL}
  AND (o.founded_on IS NULL OR o.founded_on <= :today - CAST(:days AS integer))
GROUP BY o.id
HAVING max(last.held_on) IS NULL OR max(last.held_on) < :today - CAST(:days AS integer)
"""

TALK_MISSING = """
WITH bounds AS (
    SELECT (CAST(:today AS date) - make_interval(months => :months))::date AS cutoff
), talks AS (
    SELECT a.member_id, max(mt.held_on) AS last
    FROM meetings mt
    JOIN meeting_attendance a ON a.tenant_id = :tenant_id AND a.meeting_id = mt.id AND a.present
    WHERE mt.tenant_id = :tenant_id AND mt.kind = 'talk' AND mt.held_on <= :today
    GROUP BY a.member_id
)
SELECT m.org_id, m.id AS subject_id, m.name, t.last AS last_held_on, :today - t.last AS days
FROM bounds
JOIN members m ON m.tenant_id = :tenant_id
              AND m.status IN ('probationary', 'full', 'mobile', 'lost_contact')
              AND m.joined_on <= bounds.cutoff
JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = m.org_id AND o.status = 'active'
LEFT JOIN talks t ON t.member_id = m.id
WHERE t.last IS NULL OR t.last < bounds.cutoff
"""

RULES = [
    *(RuleSQL(f"life.{kind}_overdue", _overdue(kind)) for kind in KINDS),
    RuleSQL("life.no_activity", NO_ACTIVITY),
    RuleSQL("life.talk_missing", TALK_MISSING),
]
