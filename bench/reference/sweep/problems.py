"""The problems slice's rules as plain SQL, one finding per active organisation."""

from __future__ import annotations

from bench.reference.sweep import RuleSQL

# 问题整改逾期: problems not closed whose deadline (plus the grace days) has passed; the
# count and the most overdue one (earliest deadline, then title).
OVERDUE = """
SELECT p.org_id, NULL::uuid AS subject_id, count(*) AS count,
       (array_agg(p.title ORDER BY p.deadline, p.title))[1] AS title,
       min(p.deadline) AS deadline, :today - min(p.deadline) AS days
FROM problems p
JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = p.org_id AND o.status = 'active'
WHERE p.tenant_id = :tenant_id AND p.status <> 'closed'
  AND p.deadline < :today - CAST(:grace_days AS integer)
GROUP BY p.org_id
"""

# 软弱涣散整顿超期: a designation not delisted, made more than N months ago; the whole months
# since (one less when today's day of the month is before the designation's).
STALLED = """
SELECT w.org_id, NULL::uuid AS subject_id, w.year, w.designated_on, w.reason_category,
       (extract(year FROM :today) - extract(year FROM w.designated_on)) * 12
       + extract(month FROM :today) - extract(month FROM w.designated_on)
       - CASE WHEN extract(day FROM :today) < extract(day FROM w.designated_on)
              THEN 1 ELSE 0 END AS months
FROM weak_designations w
JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = w.org_id AND o.status = 'active'
WHERE w.tenant_id = :tenant_id AND w.status <> 'delisted'
  AND w.designated_on < (:today - make_interval(months => :months))::date
"""

RULES = [
    RuleSQL("problems.overdue", OVERDUE),
    RuleSQL("problems.weak_org_stalled", STALLED),
]
