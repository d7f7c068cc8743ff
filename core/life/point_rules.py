"""The life slice's member point rule: ``life.attendance`` (参加组织生活), collected from
meeting attendance — a point award for each 支部党员大会, 党课 and 主题党日 a member attended
(late counts as attended), one entry per meeting (``source_ref`` ``"meeting:<id>"``)."""

from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.life.models import Attendance, Meeting
from core.points.rules import CollectContext, Deed, PointRule

COUNTED_KINDS = ("general_meeting", "party_lecture", "theme_day")


def collect_attendance(ctx: CollectContext) -> list[Deed]:
    """Every attendance of a counted meeting held in the period: one query."""
    rows = db.session.execute(
        select(Attendance.member_id, Meeting.id, Meeting.held_on, Meeting.kind)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(
            Attendance.present.is_(True),
            Meeting.kind.in_(COUNTED_KINDS),
            Meeting.held_on >= ctx.start,
            Meeting.held_on <= ctx.end,
        )
    )
    return [
        Deed(member_id=member_id, occurred_on=held_on, source_ref=f"meeting:{meeting_id}",
             evidence={"meeting_id": str(meeting_id), "kind": kind})
        for member_id, meeting_id, held_on, kind in rows
    ]


def point_rules() -> list[PointRule]:
    return [
        PointRule(
            key="life.attendance", name="参加组织生活", points=2, category="attendance",
            yearly_cap=60, collect=collect_attendance,
            description="参加支部党员大会、党课、主题党日，每次记 2 分，每年最多 60 分（按会议记录自动计分）。",
        )
    ]
