"""Meeting records, who was there, review grades and attachments.

A meeting stores its figures (``eligible_count``, ``present_count``, the voting members and
the thresholds' outcome) when it is recorded, from one ``Attendance`` row per eligible
member: the rates of a past meeting do not change when members later move or leave.
No ORM relationships (as elsewhere): services query explicitly and set-based.
"""

from __future__ import annotations

import uuid
from datetime import date, time

from sqlalchemy import Date, Index, String, Text, Time, UniqueConstraint, Uuid, select, union_all
from sqlalchemy.orm import Mapped, aliased, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

KINDS = (
    "general_meeting",  # 支部党员大会
    "committee_meeting",  # 支委会
    "group_meeting",  # 党小组会
    "party_lecture",  # 党课
    "theme_day",  # 主题党日
    "life_meeting",  # 组织生活会
    "member_review",  # 民主评议党员
    "talk",  # 谈心谈话
)
KIND_LABELS = {
    "general_meeting": "支部党员大会",
    "committee_meeting": "支委会",
    "group_meeting": "党小组会",
    "party_lecture": "党课",
    "theme_day": "主题党日",
    "life_meeting": "组织生活会",
    "member_review": "民主评议党员",
    "talk": "谈心谈话",
}
GRADES = ("excellent", "qualified", "basically_qualified", "unqualified")  # 优秀/合格/基本合格/不合格


class Meeting(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        Index("ix_meetings_tenant_org_kind_held", "tenant_id", "org_id", "kind", "held_on"),
        Index("ix_meetings_tenant_kind_held", "tenant_id", "kind", "held_on"),
    )

    kind: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    held_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time | None] = mapped_column(Time)
    ends_at: Mapped[time | None] = mapped_column(Time)
    topic: Mapped[str] = mapped_column(String(300))
    host: Mapped[str | None] = mapped_column(String(50))  # 主持人
    lecturer: Mapped[str | None] = mapped_column(String(50))  # 授课人 (党课)
    location: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[str | None] = mapped_column(Text)  # 会议记录
    is_election: Mapped[bool] = mapped_column(default=False)
    # Figures fixed when the attendance is recorded.
    eligible_count: Mapped[int] = mapped_column(default=0)  # 应到
    present_count: Mapped[int] = mapped_column(default=0)  # 实到
    voting_count: Mapped[int] = mapped_column(default=0)  # 有表决权 (full members) among the eligible
    voting_present: Mapped[int] = mapped_column(default=0)
    quorum_met: Mapped[bool | None] = mapped_column()  # general meetings only
    election_valid: Mapped[bool | None] = mapped_column()  # election meetings only
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Attendance(TenantOwned, Timestamps, db.Model):
    """One eligible member of a meeting: there (maybe late) or absent, with the reason."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        tenant_fk("meeting_id", "meetings", ondelete="CASCADE"),
        tenant_fk("member_id", "members"),
        UniqueConstraint("tenant_id", "meeting_id", "member_id"),
        Index("ix_meeting_attendance_tenant_member", "tenant_id", "member_id"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    present: Mapped[bool] = mapped_column()
    late: Mapped[bool] = mapped_column(default=False)
    absence_reason: Mapped[str | None] = mapped_column(Text)


class ReviewGrade(TenantOwned, Timestamps, db.Model):
    """A member's grade in a 民主评议党员 meeting."""

    __tablename__ = "meeting_review_grades"
    __table_args__ = (
        tenant_fk("meeting_id", "meetings", ondelete="CASCADE"),
        tenant_fk("member_id", "members"),
        UniqueConstraint("tenant_id", "meeting_id", "member_id"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    grade: Mapped[str] = mapped_column(String(24))


class MeetingAttachment(TenantOwned, Timestamps, db.Model):
    """A file kept by :mod:`core.files` for a meeting (sign-in sheet, photos, minutes)."""

    __tablename__ = "meeting_attachments"
    __table_args__ = (
        tenant_fk("meeting_id", "meetings", ondelete="CASCADE"),
        Index("ix_meeting_attachments_tenant_meeting", "tenant_id", "meeting_id"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    stored_name: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    uploaded_by: Mapped[str] = mapped_column(String(200), default="system")


class MeetingCredit(TenantOwned, Timestamps, db.Model):
    """A meeting that also counts for another organisation than the one holding it: a joint
    org-life meeting (联合主题党日, 联学党课) of two paired organisations
    (:mod:`core.pairings`) counts for both. ``source`` names the slice that wrote it and
    ``source_id`` its record (a joint activity); it is removed with that record or with the
    meeting. Wherever meetings are counted (the warning rules, the indicators, the work hub)
    :func:`counted_meetings` stands in for :class:`Meeting`."""

    __tablename__ = "meeting_credits"
    __table_args__ = (
        tenant_fk("meeting_id", "meetings", ondelete="CASCADE"),
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "meeting_id", "org_id", name="uq_meeting_credits_meeting_org"),
        Index("ix_meeting_credits_tenant_org", "tenant_id", "org_id"),
        Index("ix_meeting_credits_tenant_source", "tenant_id", "source_id"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


def counted_meetings():
    """:class:`Meeting` as counted per organisation: every meeting once for the organisation
    holding it and once more for each organisation it is credited to (:class:`MeetingCredit`),
    with that organisation's id in ``org_id``. An ORM alias with Meeting's attributes (those of
    :data:`COUNTED_COLUMNS`), so a set-based count written against Meeting takes it in
    Meeting's place (``.id`` is then the meeting's, the same for each organisation it counts
    for)."""
    own = select(*(getattr(Meeting, key) for key in COUNTED_COLUMNS))
    credited = (
        select(*(MeetingCredit.org_id.label("org_id") if key == "org_id" else getattr(Meeting, key)
                 for key in COUNTED_COLUMNS))
        .join(MeetingCredit, MeetingCredit.meeting_id == Meeting.id)
        .where(MeetingCredit.org_id != Meeting.org_id)
    )
    return aliased(Meeting, union_all(own, credited).subquery("counted_meetings"), name="counted",
                   adapt_on_names=True)


# What a count of meetings reads (the rest of a meeting, its minutes, stays out of the union).
COUNTED_COLUMNS = ("tenant_id", "id", "org_id", "kind", "held_on", "is_election", "eligible_count",
                   "present_count", "voting_count", "voting_present")
