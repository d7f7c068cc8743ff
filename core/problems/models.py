"""The problem ledger (问题清单 → 整改 → 销号) and weak-and-lax organisations (软弱涣散).

A :class:`Problem` moves ``open → rectifying → submitted → closed``; a rejected submission
goes back to ``rectifying`` and a closed problem may be reopened (to ``rectifying``). Every
step leaves a :class:`ProblemEvent` (who, when, comment): the trail a department prints.
Evidence (佐证材料) is text or a file kept by :mod:`core.files`.

A :class:`WeakDesignation` lists an organisation as 软弱涣散 for a year, with a reason, a plan
and the people who follow it (包联领导, 指导员), and moves ``designated → rectifying →
delisted``. An organisation has at most one designation that is not de-listed (a partial
unique index); the de-listed ones are its history. Problems found in it link to it through
``Problem.designation_id``; de-listing needs them all closed.

Both carry a ``version`` (SQLAlchemy's version counter): a change made from a stale read is
refused with a 409. No ORM relationships, as elsewhere: services query explicitly.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, db, tenant_fk

# Where a problem was found.
SOURCES = ("inspection", "assessment", "warning", "report", "self", "other")
SOURCE_LABELS = {
    "inspection": "检查发现",
    "assessment": "考核发现",
    "warning": "预警转办",
    "report": "群众反映/上级通报",
    "self": "自查发现",
    "other": "其他",
}
SEVERITIES = ("general", "serious", "critical")
SEVERITY_LABELS = {"general": "一般", "serious": "较重", "critical": "严重"}

OPEN = "open"
RECTIFYING = "rectifying"
SUBMITTED = "submitted"
CLOSED = "closed"
STATUSES = (OPEN, RECTIFYING, SUBMITTED, CLOSED)
STATUS_LABELS = {OPEN: "待整改", RECTIFYING: "整改中", SUBMITTED: "待销号", CLOSED: "已销号"}

EVENT_KINDS = (
    "created", "updated", "deadline_changed", "started", "submitted", "approved", "rejected",
    "reopened", "evidence_added", "evidence_removed",
)
EVENT_LABELS = {
    "created": "登记问题",
    "updated": "修改信息",
    "deadline_changed": "调整整改时限",
    "started": "开始整改",
    "submitted": "提交销号申请",
    "approved": "审核销号",
    "rejected": "退回整改",
    "reopened": "重新打开",
    "evidence_added": "上传佐证材料",
    "evidence_removed": "删除佐证材料",
}

DESIGNATED = "designated"
DELISTED = "delisted"
WEAK_STATUSES = (DESIGNATED, RECTIFYING, DELISTED)
WEAK_STATUS_LABELS = {DESIGNATED: "已认定", RECTIFYING: "整顿中", DELISTED: "已摘帽"}
WEAK_EVENT_KINDS = ("designated", "updated", "started", "delisted")
WEAK_EVENT_LABELS = {
    "designated": "认定为软弱涣散党组织",
    "updated": "修改认定信息",
    "started": "开始整顿",
    "delisted": "摘帽销号",
}


class Problem(TenantOwned, Timestamps, db.Model):
    __tablename__ = "problems"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("responsible_member_id", "members"),
        tenant_fk("warning_id", "warnings"),
        tenant_fk("designation_id", "weak_designations"),
        Index("ix_problems_tenant_org_status", "tenant_id", "org_id", "status"),
        Index("ix_problems_tenant_status_deadline", "tenant_id", "status", "deadline"),
        Index("ix_problems_tenant_found", "tenant_id", "found_on"),
        Index("ix_problems_tenant_warning", "tenant_id", "warning_id"),
        Index("ix_problems_tenant_designation", "tenant_id", "designation_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    source: Mapped[str] = mapped_column(String(16))
    # What it came from: a warning id (also in ``warning_id``), an assessment cycle id, a
    # document number of a 通报 — text, as the source defines it.
    source_ref: Mapped[str | None] = mapped_column(String(100))
    warning_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    designation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    category: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16), default="general")
    found_on: Mapped[date] = mapped_column(Date)
    # 责任人: a member of the register, or a name (someone not in it).
    responsible_member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    responsible_name: Mapped[str | None] = mapped_column(String(50))
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    rectification: Mapped[str | None] = mapped_column(Text)  # 整改措施
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    submitted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_on: Mapped[date | None] = mapped_column(Date)  # the day of the close-out (set-based rates)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Problem {self.title} {self.status}>"


class ProblemEvent(TenantOwned, Timestamps, db.Model):
    """One step in a problem's life. Append-only and carrying its own actor, so it is a trail
    itself: the audit log does not copy it."""

    __audited__ = False
    __tablename__ = "problem_events"
    __table_args__ = (
        tenant_fk("problem_id", "problems", ondelete="CASCADE"),
        Index("ix_problem_events_tenant_problem", "tenant_id", "problem_id", "created_at"),
    )

    problem_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class ProblemEvidence(TenantOwned, Timestamps, db.Model):
    """A piece of evidence (佐证材料): a text, a file kept by :mod:`core.files`, or both."""

    __tablename__ = "problem_evidence"
    __table_args__ = (
        tenant_fk("problem_id", "problems", ondelete="CASCADE"),
        Index("ix_problem_evidence_tenant_problem", "tenant_id", "problem_id"),
    )

    problem_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    text: Mapped[str | None] = mapped_column(Text)
    stored_name: Mapped[str | None] = mapped_column(String(64))
    original_name: Mapped[str | None] = mapped_column(String(255))
    file_type: Mapped[str | None] = mapped_column(String(8))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column()
    uploaded_by: Mapped[str] = mapped_column(String(200), default="system")
    uploaded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class WeakDesignation(TenantOwned, Timestamps, db.Model):
    """An organisation listed as 软弱涣散 for ``year``, tracked to its de-listing (摘帽)."""

    __tablename__ = "weak_designations"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        # One designation at a time: any number of de-listed ones, one other.
        Index(
            "uq_weak_designations_active_org", "tenant_id", "org_id",
            unique=True,
            postgresql_where=text("status <> 'delisted'"),
            sqlite_where=text("status <> 'delisted'"),
        ),
        Index("ix_weak_designations_tenant_status", "tenant_id", "status"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    year: Mapped[int] = mapped_column(Integer)
    reason_category: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    rectification_plan: Mapped[str | None] = mapped_column(Text)  # 整顿方案
    leader_name: Mapped[str | None] = mapped_column(String(50))  # 包联领导
    instructor_name: Mapped[str | None] = mapped_column(String(50))  # 指导员
    status: Mapped[str] = mapped_column(String(16), default=DESIGNATED)
    designated_on: Mapped[date] = mapped_column(Date)
    designated_by: Mapped[str] = mapped_column(String(200), default="system")
    designated_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delisted_on: Mapped[date | None] = mapped_column(Date)
    delisted_by: Mapped[str | None] = mapped_column(String(200))
    delisted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    delisting_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<WeakDesignation org={self.org_id} {self.year} {self.status}>"


class WeakEvent(TenantOwned, Timestamps, db.Model):
    """One step of a designation (designated, started, de-listed, changed): its own trail."""

    __audited__ = False
    __tablename__ = "weak_designation_events"
    __table_args__ = (
        tenant_fk("designation_id", "weak_designations", ondelete="CASCADE"),
        Index("ix_weak_designation_events_tenant_designation", "tenant_id", "designation_id"),
    )

    designation_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
