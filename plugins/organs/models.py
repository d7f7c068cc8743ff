"""The organs sector's own records (tables ``organs_*``, created by the plugin's migration).

* :class:`Brand` — 一机关一品牌: an organ's Party-building brand, one per organisation (a
  unique key), with its theme, plan (创建计划: 推进措施、运行机制) and status
  ``planning → active → recognised`` (命名为示范品牌, e.g. 市级示范品牌, by the committee).
* :class:`BrandMilestone` — a milestone of the brand's plan (创建节点): due day, the day it
  was done with its evidence (佐证), and the member who led it (for the point rule).
* :class:`ModelAssessment` — 模范机关创建: an organisation's yearly self-assessment over the
  tenant's criteria (a JSON checklist ``{criterion: met}``), recommended and recognised by
  the committee; one per organisation and year.
* :class:`BusinessGoal` — 党建与业务融合: a business goal of the year with the Party-work
  measure serving it, tracked ``planned → on_track → done | missed`` and reviewed.

No ORM relationships, as in core: services query explicitly.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, Date, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import TenantOwned, Timestamps, Versioned, db, tenant_fk

PLANNING, ACTIVE, RECOGNISED = "planning", "active", "recognised"
BRAND_STATUSES = (PLANNING, ACTIVE, RECOGNISED)
BRAND_STATUS_LABELS = {PLANNING: "筹划中", ACTIVE: "创建中", RECOGNISED: "已命名"}

SELF_ASSESSED, RECOMMENDED = "self_assessed", "recommended"
MODEL_STATUSES = (SELF_ASSESSED, RECOMMENDED, RECOGNISED)
MODEL_STATUS_LABELS = {SELF_ASSESSED: "已自评", RECOMMENDED: "已推荐", RECOGNISED: "已命名模范机关"}

PLANNED, ON_TRACK, DONE, MISSED = "planned", "on_track", "done", "missed"
GOAL_STATUSES = (PLANNED, ON_TRACK, DONE, MISSED)
GOAL_STATUS_LABELS = {PLANNED: "已谋划", ON_TRACK: "推进中", DONE: "已完成", MISSED: "未完成"}
GOAL_MET_STATUSES = (ON_TRACK, DONE)


class Brand(TenantOwned, Timestamps, Versioned, db.Model):
    """一机关一品牌: the Party-building brand of one organisation."""

    __tablename__ = "organs_brands"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "org_id", name="uq_organs_brands_tenant_org"),
        Index("ix_organs_brands_tenant_status", "tenant_id", "status"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(100))  # 品牌名称
    slogan: Mapped[str | None] = mapped_column(String(200))  # 品牌口号 / 理念
    description: Mapped[str | None] = mapped_column(Text)  # 品牌内涵: 党建主题
    plan: Mapped[str | None] = mapped_column(Text)  # 创建计划: 推进措施、运行机制
    started_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=PLANNING)
    recognition: Mapped[str | None] = mapped_column(String(100))  # 市级示范品牌 …
    recognised_on: Mapped[date | None] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<Brand {self.name} {self.status}>"


class BrandMilestone(TenantOwned, Timestamps, Versioned, db.Model):
    """A milestone of a brand's plan."""

    __tablename__ = "organs_brand_milestones"
    __table_args__ = (
        tenant_fk("brand_id", "organs_brands", ondelete="CASCADE"),
        tenant_fk("responsible_member_id", "members"),
        Index("ix_organs_brand_milestones_tenant_brand", "tenant_id", "brand_id", "due_on"),
        Index("ix_organs_brand_milestones_tenant_due", "tenant_id", "due_on"),
    )

    brand_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)  # 佐证: what shows it was done
    responsible_member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    responsible_name: Mapped[str | None] = mapped_column(String(50))

    def __repr__(self) -> str:
        return f"<BrandMilestone {self.title} due {self.due_on}>"


class ModelAssessment(TenantOwned, Timestamps, Versioned, db.Model):
    """模范机关创建: a yearly self-assessment over the tenant's criteria."""

    __tablename__ = "organs_model_assessments"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "org_id", "year", name="uq_organs_model_assessments_tenant_org_year"),
        Index("ix_organs_model_assessments_tenant_year", "tenant_id", "year"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    year: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)  # criterion → met
    note: Mapped[str | None] = mapped_column(Text)  # 自评说明
    status: Mapped[str] = mapped_column(String(16), default=SELF_ASSESSED)
    assessed_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)  # recommended / recognised on
    decision_note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<ModelAssessment {self.org_id} {self.year} {self.status}>"


class BusinessGoal(TenantOwned, Timestamps, Versioned, db.Model):
    """党建与业务融合: a business goal of the year and the Party-work measure serving it."""

    __tablename__ = "organs_business_goals"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        Index("ix_organs_business_goals_tenant_org_year", "tenant_id", "org_id", "year"),
        Index("ix_organs_business_goals_tenant_year_status", "tenant_id", "year", "status"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    year: Mapped[int] = mapped_column(Integer)
    business_goal: Mapped[str] = mapped_column(String(500))  # 业务工作目标
    party_measure: Mapped[str | None] = mapped_column(Text)  # 党建举措 (载体)
    status: Mapped[str] = mapped_column(String(16), default=PLANNED)
    result: Mapped[str | None] = mapped_column(Text)  # 成效 / 未完成原因
    reviewed_on: Mapped[date | None] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<BusinessGoal {self.year} {self.business_goal[:20]} {self.status}>"
