"""Pairings (双联结对共建): an organisation of an organ, SOE or enterprise paired with a
village or community organisation, their agreed tasks and their joint activities.

* :class:`Pairing` — ``org_id`` is the initiating side (机关、国企、两新: the side that
  helps and drives the pairing), ``partner_org_id`` the village or community side; which
  organisations may stand on each side is a tenant setting over the national 党组织类别
  (:mod:`core.pairings.settings`). ``active`` until dissolved (``ended_on``,
  ``end_reason``): a dissolved pairing is kept as history, and the same two may be paired
  again later — at most one active pairing of the same two (a partial unique index).
* :class:`PairingTask` — an agreed task (共建任务): title, due day, done or not with its
  result (成效).
* :class:`PairingActivity` — a joint activity (联建活动): day, kind, topic, participants of
  each side, results. One recorded as a joint org-life meeting names the meeting one side
  held (``meeting_id``); the other side is then credited with it
  (:class:`core.life.models.MeetingCredit`), so it counts for both.

No ORM relationships, as elsewhere: services query explicitly.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

ACTIVE, DISSOLVED = "active", "dissolved"
STATUSES = (ACTIVE, DISSOLVED)
STATUS_LABELS = {ACTIVE: "结对中", DISSOLVED: "已解除"}

ACTIVITY_KINDS = ("joint_meeting", "joint_study", "service", "visit", "project", "other")
ACTIVITY_KIND_LABELS = {
    "joint_meeting": "联合组织生活",
    "joint_study": "联学共建",
    "service": "为民办实事",
    "visit": "走访慰问",
    "project": "项目共建",
    "other": "其他",
}


class Pairing(TenantOwned, Timestamps, Versioned, db.Model):
    """Two organisations paired (结对共建)."""

    __tablename__ = "pairings"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("partner_org_id", "organizations"),
        # At most one active pairing of the same two; dissolved ones are history.
        Index(
            "uq_pairings_active_pair", "tenant_id", "org_id", "partner_org_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        Index("ix_pairings_tenant_partner", "tenant_id", "partner_org_id"),
        Index("ix_pairings_tenant_status", "tenant_id", "status"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # 机关、国企、两新: the initiating side
    partner_org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # 村、社区
    started_on: Mapped[date] = mapped_column(Date)
    goals: Mapped[str | None] = mapped_column(Text)  # 共建目标 / 协议内容
    contact: Mapped[str | None] = mapped_column(String(50))  # 联络人
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    ended_by: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<Pairing {self.org_id}↔{self.partner_org_id} {self.status}>"


class PairingTask(TenantOwned, Timestamps, Versioned, db.Model):
    """An agreed task of a pairing (共建任务)."""

    __tablename__ = "pairing_tasks"
    __table_args__ = (
        tenant_fk("pairing_id", "pairings", ondelete="CASCADE"),
        Index("ix_pairing_tasks_tenant_pairing", "tenant_id", "pairing_id"),
    )

    pairing_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(default=False)
    done_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(Text)  # 成效 / 未完成原因


class PairingActivity(TenantOwned, Timestamps, Versioned, db.Model):
    """A joint activity of a pairing (联建活动)."""

    __tablename__ = "pairing_activities"
    __table_args__ = (
        tenant_fk("pairing_id", "pairings", ondelete="CASCADE"),
        Index("ix_pairing_activities_tenant_pairing_held", "tenant_id", "pairing_id", "held_on"),
        Index("ix_pairing_activities_tenant_held", "tenant_id", "held_on"),
    )

    pairing_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))
    topic: Mapped[str] = mapped_column(String(300))
    org_participants: Mapped[int] = mapped_column(Integer, default=0)  # the initiating side's
    partner_participants: Mapped[int] = mapped_column(Integer, default=0)  # the village's
    participants_note: Mapped[str | None] = mapped_column(Text)  # who took part
    results: Mapped[str | None] = mapped_column(Text)  # 活动成效
    # The org-life meeting one side held for it (a joint meeting); no foreign key: the
    # meeting's credit (core.life.models.MeetingCredit) goes with the meeting.
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
