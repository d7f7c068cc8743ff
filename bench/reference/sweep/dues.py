"""The dues slice's rules as plain SQL.

Arrears (``dues.unpaid_3_months`` / ``dues.unpaid_6_months``, the same query with each rule's
``months``): an active member of an active organisation owes dues from their *dues start*
— the month they joined, or the tenant's ``arrears_from`` (``dues_settings.overrides``) when
later — and the current month is never overdue while it lasts. The run of unpaid months
before the current one is at least N exactly when the dues start is at or before
``cutoff`` = current month − N and no month from ``cutoff`` up to the current one is paid.
Such a member has not paid the previous month, so the query first keeps the members without
that month's payment (one anti-join on one month of payments, ~5 % of the members left),
then probes the N months of those few by the (member, month) index — rather than hashing N
months of payments. For the members found, the figures: the last month paid (since the dues
start's floor) and the length of the run.

Finance roles: a role is held today when ``since ≤ today`` and ``until`` is empty or later;
two holders are the same person when they share a member id or (outsiders) a trimmed name.
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL

UNPAID = """
WITH bounds AS (
    SELECT date_trunc('month', CAST(:today AS date))::date AS current,
           (date_trunc('month', CAST(:today AS date)) - interval '1 month')::date AS previous,
           (date_trunc('month', CAST(:today AS date)) - make_interval(months => :months))::date
               AS cutoff,
           (SELECT date_trunc('month', (s.overrides ->> 'arrears_from')::date)::date
            FROM dues_settings s WHERE s.tenant_id = :tenant_id) AS floor
), behind AS (
    SELECT m.id, m.org_id, m.name, m.joined_on, b.current, b.floor
    FROM bounds b
    JOIN members m ON m.tenant_id = :tenant_id
                  AND m.status IN ('probationary', 'full', 'mobile', 'lost_contact')
                  AND m.joined_on < b.cutoff + interval '1 month'
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = m.org_id AND o.status = 'active'
    WHERE (b.floor IS NULL OR b.floor <= b.cutoff)
      AND NOT EXISTS (SELECT 1 FROM dues_payments p  -- the last month first: few are left
                      WHERE p.tenant_id = :tenant_id AND p.member_id = m.id
                        AND p.month = b.previous)
      AND NOT EXISTS (SELECT 1 FROM dues_payments p
                      WHERE p.tenant_id = :tenant_id AND p.member_id = m.id
                        AND p.month >= b.cutoff AND p.month < b.current)
)
SELECT behind.org_id, behind.id AS subject_id, behind.name, last.month AS last_paid,
       (extract(year FROM behind.current) - extract(year FROM run.start)) * 12
       + extract(month FROM behind.current) - extract(month FROM run.start) AS months
FROM behind
CROSS JOIN LATERAL (
    SELECT max(p.month) AS month FROM dues_payments p
    WHERE p.tenant_id = :tenant_id AND p.member_id = behind.id AND p.month < behind.current
      AND (behind.floor IS NULL OR p.month >= behind.floor)
) last
CROSS JOIN LATERAL (
    SELECT greatest((last.month + interval '1 month')::date,
                    date_trunc('month', behind.joined_on)::date, behind.floor) AS start
) run
"""

_HOLDERS = """
WITH holders AS (
    SELECT r.org_id, r.role, r.qualified,
           CASE WHEN r.member_id IS NOT NULL THEN 'm' || r.member_id::text
                ELSE 'n' || btrim(coalesce(r.person_name, '')) END AS who,
           coalesce(m.name, r.person_name, '') AS name
    FROM dues_finance_roles r
    LEFT JOIN members m ON m.tenant_id = :tenant_id AND m.id = r.member_id
    WHERE r.tenant_id = :tenant_id AND r.since <= :today
      AND (r.until IS NULL OR r.until > :today)
)"""

# 会计出纳不合规: a cashier who is also an accountant, or a holder without the qualification.
CONFLICT = _HOLDERS + """, problems AS (
    SELECT c.org_id, 0 AS ord, '会计与出纳由同一人（' || c.name || '）兼任' AS problem
    FROM holders c
    WHERE c.role = 'cashier'
      AND EXISTS (SELECT 1 FROM holders a
                  WHERE a.org_id = c.org_id AND a.role = 'accountant' AND a.who = c.who)
    UNION ALL
    SELECT h.org_id, CASE h.role WHEN 'accountant' THEN 1 ELSE 2 END,
           CASE h.role WHEN 'accountant' THEN '会计' ELSE '出纳' END || h.name || '不具备财务从业资格'
    FROM holders h
    WHERE NOT h.qualified
)
SELECT p.org_id, NULL::uuid AS subject_id, string_agg(p.problem, '；' ORDER BY p.ord) AS problems
FROM problems p
JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = p.org_id AND o.status = 'active'
GROUP BY p.org_id
"""

# 未配备会计或出纳: active organisations of the checked kinds without a current holder of
# either role.
MISSING = _HOLDERS + """, held AS (
    SELECT org_id, bool_or(role = 'accountant') AS accountant, bool_or(role = 'cashier') AS cashier
    FROM holders GROUP BY org_id
)
SELECT o.id AS org_id, NULL::uuid AS subject_id,
       concat_ws('、', CASE WHEN h.accountant IS NOT TRUE THEN '会计' END,
                      CASE WHEN h.cashier IS NOT TRUE THEN '出纳' END) AS missing
FROM organizations o
LEFT JOIN held h ON h.org_id = o.id
WHERE o.tenant_id = :tenant_id AND o.status = 'active' AND o.kind = ANY(:kinds)
  AND (h.accountant IS NOT TRUE OR h.cashier IS NOT TRUE)
"""

RULES = [
    RuleSQL("dues.unpaid_3_months", UNPAID),
    RuleSQL("dues.unpaid_6_months", UNPAID),
    RuleSQL("dues.finance_roles_conflict", CONFLICT),
    RuleSQL("dues.finance_roles_missing", MISSING),
]
