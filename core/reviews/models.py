"""The secretaries' yearly review (书记抓基层党建述职评议考核).

A :class:`ReviewCycle` reviews, for one ``year``, the secretaries of the committees and
branches under ``root_org_id`` (the root itself is the reviewing level, not reviewed). It
moves ``open → reporting → rating → published``:

* ``open`` — the cycle exists with one :class:`ReviewEntry` per organisation (its secretary
  at opening) and each entry's items: last year's commitments carried over (责任清单 /
  "口袋书") and the tasks the higher level assigns (点题);
* ``reporting`` — each secretary writes and submits a report (述职报告, text and
  attachments) and marks every item done or not done with a note;
* ``rating`` — members, peer secretaries and the higher level rate each secretary
  (好 / 较好 / 一般 / 差, one :class:`ReviewRating` per rater and entry);
* ``published`` — every entry's grade is computed (:mod:`core.reviews.grading`) and
  published; the higher level publishes subtree by subtree, and the cycle is published
  when its last entry is. A 一般 or 差 grade opens a problem (问题清单) linked back by
  ``ReviewEntry.problem_id``.

Items of kind ``next`` are the secretary's commitments for the coming year: the next
cycle of the same organisation carries them as its ``commitment`` items.

Edited rows carry a ``version`` (:class:`~core.db.Versioned`): a change from a stale read
is a 409. No ORM relationships, as elsewhere: services query explicitly.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

OPEN, REPORTING, RATING, PUBLISHED = "open", "reporting", "rating", "published"
CYCLE_STATES = (OPEN, REPORTING, RATING, PUBLISHED)
CYCLE_STATE_LABELS = {OPEN: "准备中", REPORTING: "述职中", RATING: "评议中", PUBLISHED: "已公布"}

# An entry's report: written (draft), submitted; the entry itself is published with its grade.
DRAFT, SUBMITTED = "draft", "submitted"
ENTRY_STATES = (DRAFT, SUBMITTED, PUBLISHED)
ENTRY_STATE_LABELS = {DRAFT: "待提交述职", SUBMITTED: "已提交述职", PUBLISHED: "已公布"}

# 好 / 较好 / 一般 / 差: a rating, and a grade.
GOOD, FAIRLY_GOOD, AVERAGE, POOR = "good", "fairly_good", "average", "poor"
RATINGS = (GOOD, FAIRLY_GOOD, AVERAGE, POOR)
RATING_LABELS = {GOOD: "好", FAIRLY_GOOD: "较好", AVERAGE: "一般", POOR: "差"}
# Grades that open a problem for rectification.
WEAK_GRADES = (AVERAGE, POOR)

# Who rates: the organisation's members, peer secretaries (of sibling organisations), the
# higher level.
MEMBERS, PEERS, HIGHER = "members", "peers", "higher"
RATER_GROUPS = (MEMBERS, PEERS, HIGHER)
RATER_GROUP_LABELS = {MEMBERS: "党员评议", PEERS: "同级书记互评", HIGHER: "上级党组织评议"}

# Items: last year's commitment (carried or entered), a task the higher level assigned
# (点题), a commitment for the coming year.
COMMITMENT, ASSIGNED, NEXT = "commitment", "assigned", "next"
ITEM_KINDS = (COMMITMENT, ASSIGNED, NEXT)
ITEM_KIND_LABELS = {COMMITMENT: "年初承诺事项", ASSIGNED: "上级点题任务", NEXT: "来年承诺事项"}

SCORE = Numeric(7, 2)


class ReviewCycle(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "review_cycles"
    __table_args__ = (
        tenant_fk("root_org_id", "organizations"),
        UniqueConstraint("tenant_id", "root_org_id", "year", name="uq_review_cycles_root_year"),
        Index("ix_review_cycles_tenant_year", "tenant_id", "year"),
    )

    root_org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    reporting_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rating_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    def __repr__(self) -> str:
        return f"<ReviewCycle {self.year} {self.state}>"


class ReviewEntry(TenantOwned, Timestamps, Versioned, db.Model):
    """One organisation's secretary in a cycle: the report, and once published the grade
    with its breakdown (every figure the grade came from, :mod:`core.reviews.grading`)."""

    __tablename__ = "review_entries"
    __table_args__ = (
        tenant_fk("cycle_id", "review_cycles", ondelete="CASCADE"),
        tenant_fk("org_id", "organizations"),
        tenant_fk("secretary_member_id", "members"),
        tenant_fk("problem_id", "problems"),
        UniqueConstraint("tenant_id", "cycle_id", "org_id", name="uq_review_entries_cycle_org"),
        Index("ix_review_entries_tenant_org", "tenant_id", "org_id"),
    )

    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The secretary when the cycle opened: a register member, or a name (someone not in it).
    secretary_member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    secretary_name: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    report: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[Decimal | None] = mapped_column(SCORE)
    grade: Mapped[str | None] = mapped_column(String(16))
    breakdown: Mapped[dict | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(200))
    problem_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    def __repr__(self) -> str:
        return f"<ReviewEntry org={self.org_id} {self.status}>"


class ReviewItem(TenantOwned, Timestamps, Versioned, db.Model):
    """A commitment or an assigned task of an entry, tracked to done or not done."""

    __tablename__ = "review_items"
    __table_args__ = (
        tenant_fk("entry_id", "review_entries", ondelete="CASCADE"),
        Index("ix_review_items_tenant_entry", "tenant_id", "entry_id"),
    )

    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    # None: not yet reported; True done; False not done.
    done: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    # The previous cycle's ``next`` item this commitment was carried from.
    carried_from_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[str] = mapped_column(String(200), default="system")


class ReviewAttachment(TenantOwned, Timestamps, db.Model):
    """A file of a report, kept by :mod:`core.files`."""

    __tablename__ = "review_attachments"
    __table_args__ = (
        tenant_fk("entry_id", "review_entries", ondelete="CASCADE"),
        Index("ix_review_attachments_tenant_entry", "tenant_id", "entry_id"),
    )

    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    stored_name: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(200), default="system")


class ReviewRating(TenantOwned, Timestamps, Versioned, db.Model):
    """One rater's rating of one entry's secretary, in the rater's group."""

    __tablename__ = "review_ratings"
    __table_args__ = (
        tenant_fk("entry_id", "review_entries", ondelete="CASCADE"),
        tenant_fk("rater_user_id", "users"),
        UniqueConstraint("tenant_id", "entry_id", "rater_user_id", name="uq_review_ratings_rater"),
        Index("ix_review_ratings_tenant_entry", "tenant_id", "entry_id"),
    )

    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    rater_user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    rater_label: Mapped[str] = mapped_column(String(200))
    rater_group: Mapped[str] = mapped_column(String(16))
    rating: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
