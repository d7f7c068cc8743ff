"""The soe sector's warning rules (``plugins/soe/warnings.py``) as plain SQL.

*Enterprises* are the active organisations of the sector (not 党小组) whose attributes give
an ``enterprise_level``; the records (``soe_decisions``, ``soe_cross_appointments``,
``soe_performance_links``) count for active organisations of the sector.

Binds: ``:tenant_id``, ``:today`` and ``lookback_days`` (``soe.decision_without_review``).
Three rules read plugin settings, not parameters (``prior_review_min_days``; the
cross-appointment expectations ``secretary_chairman_same_person``,
``full_time_deputy_secretary_min_employees``, ``cross_appointment_min_members``; the
performance link's ``performance_link_min_weight_pct`` and
``performance_link_salary_required``): the queries read the tenant's stored override from
``tenant_plugins.settings``, else the plugin's default — settings are input.
"""

from __future__ import annotations

from bench.reference.sweep import RuleSQL

_SETTINGS = """
soe_settings AS (
    SELECT coalesce((SELECT tp.settings FROM tenant_plugins tp
                     WHERE tp.tenant_id = :tenant_id AND tp.plugin = 'soe'), '{}'::json) AS s
)"""

# The attributes the rules read, parsed once a row (each ``->>`` on a ``json`` column parses
# the whole document again).
_ENTERPRISES = """
enterprises AS (
    SELECT o.id, coalesce(nullif(a.enterprise_name, ''), o.name) AS enterprise,
           a.charter_includes_party_building AS charter, a.has_board IS TRUE AS has_board,
           a.employees
    FROM organizations o
    CROSS JOIN LATERAL json_to_record(o.attributes)
        AS a(enterprise_name text, enterprise_level text, charter_includes_party_building boolean,
             has_board boolean, employees numeric)
    WHERE o.tenant_id = :tenant_id AND o.sector = 'soe' AND o.status = 'active'
      AND o.kind <> 'group' AND coalesce(a.enterprise_level, '') <> ''
)"""

CHARTER_MISSING = f"""
WITH {_ENTERPRISES}
SELECT e.id AS org_id, NULL::uuid AS subject_id, e.enterprise,
       CASE WHEN e.charter IS NULL THEN '未登记是否写入' ELSE '未写入' END AS state,
       CASE WHEN e.has_board THEN '设董事会' ELSE '未设董事会' END AS board
FROM enterprises e
WHERE e.charter IS NOT TRUE
"""

# Matters decided in the window without a prior study at least min_days before.
DECISION_WITHOUT_REVIEW = f"""
WITH {_SETTINGS},
min_days AS (
    SELECT coalesce((s ->> 'prior_review_min_days')::int, 0) AS days FROM soe_settings
),
flagged AS (
    SELECT d.org_id, d.title, d.decided_on,
           CASE WHEN d.party_reviewed_on IS NULL THEN '未经党委前置研究讨论'
                WHEN d.party_reviewed_on > d.decided_on THEN '决策后才提交党委研究'
                ELSE '党委研究距决策不足 ' || min_days.days || ' 天' END AS problem
    FROM soe_decisions d
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = d.org_id
    CROSS JOIN min_days
    WHERE d.tenant_id = :tenant_id AND o.status = 'active' AND o.sector = 'soe'
      AND d.decided_on >= CAST(:today AS date) - CAST(:lookback_days AS integer)
      AND d.decided_on <= :today
      AND (d.party_reviewed_on IS NULL OR d.party_reviewed_on > d.decided_on - min_days.days)
)
SELECT org_id, NULL::uuid AS subject_id, count(*) AS count, max(decided_on) AS latest,
       array_to_string((array_agg('“' || title || '”（' || decided_on || '，' || problem || '）'
                                  ORDER BY decided_on DESC, title))[1:3], '、')
       || CASE WHEN count(*) > 3 THEN '等' ELSE '' END AS titles
FROM flagged
GROUP BY org_id
"""

# Each enterprise's current posts, person by person (the member, else the name); the
# checklist: 书记、董事长一肩挑 (with a board, when the setting expects it), enough Party
# committee members besides the secretary on the board or in management, a full-time deputy
# secretary from the headcount set.
CROSS_APPOINTMENT_GAP = f"""
WITH {_SETTINGS}, {_ENTERPRISES},
expect AS (
    SELECT coalesce((s ->> 'secretary_chairman_same_person')::boolean, true) AS secretary_chairman,
           coalesce((s ->> 'full_time_deputy_secretary_min_employees')::int, 1000) AS deputy_from,
           coalesce((s ->> 'cross_appointment_min_members')::int, 1) AS min_cross
    FROM soe_settings
),
people AS (
    SELECT a.org_id,
           bool_or(a.party_post = 'secretary') AS secretary,
           bool_or(a.party_post IS NOT NULL) AS on_committee,
           bool_or(a.party_post = 'full_time_deputy_secretary') AS full_time_deputy,
           bool_or(a.business_post = 'chairman') AS chairman,
           bool_or(a.business_post IN ('chairman', 'vice_chairman', 'director', 'general_manager',
                                       'deputy_general_manager', 'chief_accountant')) AS seated
    FROM soe_cross_appointments a
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = a.org_id
    WHERE a.tenant_id = :tenant_id AND o.status = 'active' AND o.sector = 'soe'
      AND a.started_on <= :today AND (a.ended_on IS NULL OR a.ended_on > :today)
    GROUP BY a.org_id, a.member_id, CASE WHEN a.member_id IS NULL THEN a.person_name END
),
posts AS (
    SELECT org_id,
           bool_or(secretary AND chairman) AS one_shoulder,
           count(*) FILTER (WHERE on_committee AND NOT secretary AND seated) AS cross_members,
           bool_or(full_time_deputy) AS full_time_deputy
    FROM people
    GROUP BY org_id
),
items AS (
    SELECT e.id, e.enterprise,
           CASE WHEN x.secretary_chairman AND e.has_board
                THEN coalesce(p.one_shoulder, false) END AS one_shoulder,
           coalesce(p.cross_members, 0) >= x.min_cross AS two_way,
           CASE WHEN e.employees >= x.deputy_from
                THEN coalesce(p.full_time_deputy, false) END AS full_time_deputy,
           x.min_cross
    FROM enterprises e
    CROSS JOIN expect x
    LEFT JOIN posts p ON p.org_id = e.id
)
SELECT i.id AS org_id, NULL::uuid AS subject_id, i.enterprise,
       concat_ws('；',
                 CASE WHEN NOT i.one_shoulder THEN '党委书记、董事长未由一人担任' END,
                 CASE WHEN NOT i.two_way
                      THEN '进入董事会、经理层的党委委员（书记以外）不足 ' || i.min_cross || ' 人' END,
                 CASE WHEN NOT i.full_time_deputy THEN '未配备专职副书记' END) AS problems
FROM items i
WHERE NOT i.one_shoulder OR NOT i.two_way OR NOT i.full_time_deputy
"""

# Last year's link: missing, a weight below the floor, or (when required) not on pay.
PERFORMANCE_LINK_MISSING = f"""
WITH {_SETTINGS}, {_ENTERPRISES},
expect AS (
    SELECT coalesce((s ->> 'performance_link_min_weight_pct')::float8, 10.0) AS min_weight,
           coalesce((s ->> 'performance_link_salary_required')::boolean, true) AS salary_required
    FROM soe_settings
),
links AS (
    SELECT l.org_id, l.link_weight_pct, l.salary_linked
    FROM soe_performance_links l
    JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = l.org_id
    WHERE l.tenant_id = :tenant_id AND o.status = 'active' AND o.sector = 'soe'
      AND l.year = extract(year FROM CAST(:today AS date))::int - 1
),
checked AS (
    SELECT e.id, e.enterprise, l.org_id IS NULL AS missing,
           l.link_weight_pct < x.min_weight AS low_weight,
           x.salary_required AND NOT l.salary_linked AS not_on_pay,
           l.link_weight_pct, x.min_weight
    FROM enterprises e
    CROSS JOIN expect x
    LEFT JOIN links l ON l.org_id = e.id
)
SELECT c.id AS org_id, NULL::uuid AS subject_id, c.enterprise,
       extract(year FROM CAST(:today AS date))::int - 1 AS year,
       CASE WHEN c.missing THEN '未登记党建考核与经营业绩考核挂钩情况'
            ELSE concat_ws('；',
                           CASE WHEN c.low_weight THEN '挂钩权重 ' || c.link_weight_pct
                                || '% 低于规定的 ' || c.min_weight || '%' END,
                           CASE WHEN c.not_on_pay THEN '考核结果未与领导人员薪酬挂钩' END)
       END AS problems
FROM checked c
WHERE c.missing OR c.low_weight OR c.not_on_pay
"""

RULES = [
    RuleSQL("soe.charter_missing", CHARTER_MISSING),
    RuleSQL("soe.decision_without_review", DECISION_WITHOUT_REVIEW),
    RuleSQL("soe.cross_appointment_gap", CROSS_APPOINTMENT_GAP),
    RuleSQL("soe.performance_link_missing", PERFORMANCE_LINK_MISSING),
]
