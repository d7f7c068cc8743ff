"""三会一课 and the rest of organisational life (``life.*``) as plain SQL.

* a count of the period's meetings of one kind held by the organisation (党员大会, 党课,
  主题党日, 组织生活会, 民主评议), zeros included;
* ``life.committee_meetings`` — the 支委会 count, but an organisation with fewer than
  ``committee_min_size`` people in committee posts at the end of the period has no
  committee: the item is not applicable and measures ``target`` (full points);
* ``life.group_meetings`` — 党小组会 held by the organisation or its 党小组, per active
  党小组 (two decimals, halves up); without an active 党小组 the item measures ``target``;
* ``life.attendance_rate`` — present ÷ eligible over the period's meetings of ``kinds``
  that had anyone eligible, in % to one decimal (halves up); nobody eligible: no value.
"""

from __future__ import annotations

from bench.reference.cycle import IndicatorSQL
from bench.reference.cycle.orgs import HOLDERS, POSTS

IN_PERIOD = "m.held_on BETWEEN :start AND :end"


def _held(kind: str) -> str:
    """Meetings of ``kind`` held in the period, per measured organisation (only those with any)."""
    return f"""
    held AS (
        SELECT m.org_id, count(*) AS n
        FROM meetings m JOIN ref_orgs r ON r.org_id = m.org_id
        WHERE m.tenant_id = :tenant_id AND m.kind = '{kind}' AND {IN_PERIOD}
        GROUP BY m.org_id
    )"""


def _count(kind: str) -> str:
    return f"""
WITH {_held(kind).strip()}
SELECT r.org_id, coalesce(held.n, 0) AS value
FROM ref_orgs r LEFT JOIN held ON held.org_id = r.org_id
"""


COMMITTEE = f"""
WITH {_held('committee_meeting').strip()},
    {POSTS.strip()}
SELECT r.org_id,
       CASE WHEN coalesce(posts.size, 0) >= :committee_min_size THEN coalesce(held.n, 0)
            ELSE CAST(:target AS numeric) END AS value
FROM ref_orgs r
LEFT JOIN held ON held.org_id = r.org_id
LEFT JOIN posts ON posts.org_id = r.org_id
"""

GROUPS = f"""
WITH {HOLDERS.strip()},
    held AS (
        SELECT h.org_id, count(*) AS n
        FROM holders h
        JOIN meetings m ON m.tenant_id = :tenant_id AND m.org_id = h.holder_id
        WHERE m.kind = 'group_meeting' AND {IN_PERIOD}
        GROUP BY h.org_id
    ),
    groups AS (
        SELECT g.parent_id AS org_id, count(*) AS n
        FROM organizations g JOIN ref_orgs r ON r.org_id = g.parent_id
        WHERE g.tenant_id = :tenant_id AND g.kind = 'group' AND g.status = 'active'
        GROUP BY g.parent_id
    )
SELECT r.org_id,
       CASE WHEN groups.n > 0 THEN round(coalesce(held.n, 0)::numeric / groups.n, 2)
            ELSE CAST(:target AS numeric) END AS value
FROM ref_orgs r
LEFT JOIN held ON held.org_id = r.org_id
LEFT JOIN groups ON groups.org_id = r.org_id
"""

ATTENDANCE = f"""
WITH attended AS (
    SELECT m.org_id, sum(m.eligible_count) AS eligible, sum(m.present_count) AS present
    FROM meetings m JOIN ref_orgs r ON r.org_id = m.org_id
    WHERE m.tenant_id = :tenant_id AND m.kind = ANY(:kinds) AND m.eligible_count > 0
      AND {IN_PERIOD}
    GROUP BY m.org_id
)
SELECT r.org_id,
       CASE WHEN attended.eligible > 0
            THEN round(attended.present * 100.0 / attended.eligible, 1) END AS value
FROM ref_orgs r LEFT JOIN attended ON attended.org_id = r.org_id
"""

INDICATORS = [
    IndicatorSQL("life.general_meetings", _count("general_meeting")),
    IndicatorSQL("life.committee_meetings", COMMITTEE),
    IndicatorSQL("life.group_meetings", GROUPS),
    IndicatorSQL("life.party_lectures", _count("party_lecture")),
    IndicatorSQL("life.theme_days", _count("theme_day")),
    IndicatorSQL("life.life_meeting", _count("life_meeting")),
    IndicatorSQL("life.member_review", _count("member_review")),
    IndicatorSQL("life.attendance_rate", ATTENDANCE),
]
