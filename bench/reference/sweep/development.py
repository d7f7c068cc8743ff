"""The development slice's rules as plain SQL, one finding per person in the pipeline
(attached to the person's organisation).

Step codes (发展党员二十五步): 1 application, 2 talk, 3 activist, 6 activist review,
13 pre-review, 15 branch meeting (admission), 17 approval, 22 conversion application,
23 conversion meeting, 24 conversion approval. "N months after" is calendar months with the
day clamped to the month's end (PostgreSQL's ``date + interval``).
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL


def _pending(done: int, missing: int) -> str:
    """Active people whose first step ``done`` is more than ``months`` months old and who
    have no step ``missing``."""
    return f"""
WITH first AS (
    SELECT s.person_id, min(s.done_on) AS since
    FROM development_steps s
    WHERE s.tenant_id = :tenant_id AND s.code = {done}
    GROUP BY s.person_id
)
SELECT p.org_id, p.id AS subject_id, p.name, f.since, due.on AS due_on,
       :today - due.on AS days_overdue
FROM development_people p
JOIN first f ON f.person_id = p.id
CROSS JOIN LATERAL (SELECT (f.since + make_interval(months => :months))::date AS on) due
WHERE p.tenant_id = :tenant_id AND p.status = 'active'
  AND f.since < (:today - make_interval(months => :months))::date
  AND NOT EXISTS (SELECT 1 FROM development_steps x
                  WHERE x.tenant_id = :tenant_id AND x.person_id = p.id AND x.code = {missing})
"""


# An activist's last designation (3) or review (6) more than ``months`` months ago.
ACTIVIST_REVIEW = """
SELECT p.org_id, p.id AS subject_id, p.name, max(s.done_on) AS last,
       :today - max(s.done_on) AS days
FROM development_people p
JOIN development_steps s ON s.tenant_id = :tenant_id AND s.person_id = p.id AND s.code IN (3, 6)
WHERE p.tenant_id = :tenant_id AND p.status = 'active' AND p.stage = 'activist'
GROUP BY p.org_id, p.id, p.name
HAVING max(s.done_on) < (:today - make_interval(months => :months))::date
"""

# A probationer admitted (step 15) whose probation plus any recorded extension is over,
# without a conversion approval (24).
PROBATION = """
SELECT DISTINCT ON (p.id) p.org_id, p.id AS subject_id, p.name, s.done_on AS joined_on,
       due.on AS due_on, :today - due.on AS days_overdue,
       coalesce(p.extension_months, 0) AS extension_months
FROM development_people p
JOIN development_steps s ON s.tenant_id = :tenant_id AND s.person_id = p.id AND s.code = 15
CROSS JOIN LATERAL (
    SELECT (s.done_on + make_interval(months => :probation_months
                                               + coalesce(p.extension_months, 0)))::date AS on
) due
WHERE p.tenant_id = :tenant_id AND p.status = 'active' AND p.stage = 'probationary'
  AND due.on < :today
  AND NOT EXISTS (SELECT 1 FROM development_steps x
                  WHERE x.tenant_id = :tenant_id AND x.person_id = p.id AND x.code = 24)
ORDER BY p.id, s.done_on
"""

# Steps flagged for review (out of order or overridden) and not reviewed yet.
FLAGGED = """
SELECT p.org_id, p.id AS subject_id, p.name, count(*) AS count, min(s.code) AS first_code
FROM development_people p
JOIN development_steps s ON s.tenant_id = :tenant_id AND s.person_id = p.id
                        AND s.flagged_for_review
WHERE p.tenant_id = :tenant_id
GROUP BY p.org_id, p.id, p.name
"""

RULES = [
    RuleSQL("development.talk_overdue", _pending(1, 2)),
    RuleSQL("development.activist_review_overdue", ACTIVIST_REVIEW),
    RuleSQL("development.branch_meeting_overdue", _pending(13, 15)),
    RuleSQL("development.approval_overdue", _pending(15, 17)),
    RuleSQL("development.probation_overdue", PROBATION),
    RuleSQL("development.conversion_vote_overdue", _pending(22, 23)),
    RuleSQL("development.conversion_approval_overdue", _pending(23, 24)),
    RuleSQL("development.flagged_steps", FLAGGED),
]
