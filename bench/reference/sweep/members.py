"""The members slice's rules as plain SQL, one finding per member (attached to the member's
organisation, whatever its status).

"N months ago" is ``today − N months`` with the day clamped to the month's end — PostgreSQL's
``date − interval`` does exactly that.
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL

# 预备期满未转正: probationers not admitted through the development pipeline (that slice's
# rule follows those, with their extension), whose year is over.
PROBATION = """
SELECT m.org_id, m.id AS subject_id, m.name, m.joined_on, due.on AS due_on,
       :today - due.on AS days_overdue
FROM members m
CROSS JOIN LATERAL (
    SELECT (m.joined_on + make_interval(months => :probation_months))::date AS on
) due
WHERE m.tenant_id = :tenant_id AND m.status = 'probationary'
  AND m.joined_on < (:today - make_interval(months => :probation_months))::date
  AND NOT EXISTS (SELECT 1 FROM development_people p
                  WHERE p.tenant_id = :tenant_id AND p.member_id = m.id)
"""


def _since(status: str, column: str) -> str:
    return f"""
SELECT m.org_id, m.id AS subject_id, m.name, m.{column} AS since, :today - m.{column} AS days
FROM members m
WHERE m.tenant_id = :tenant_id AND m.status = '{status}'
  AND m.{column} < (:today - make_interval(months => :months))::date
"""


RULES = [
    RuleSQL("members.probation_overdue", PROBATION),
    RuleSQL("members.mobile_unresolved", _since("mobile", "mobile_since")),
    RuleSQL("members.lost_contact_unresolved", _since("lost_contact", "lost_contact_since")),
]
