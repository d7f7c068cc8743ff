"""党建品牌 (the brand library) and model sites (示范点, 百佳示范单位).

* :class:`Brand` — an organisation's Party-building brand as the seeds describe one: a
  name and theme, the concept (理念), its theoretical basis (理论支撑), methods (方法路径),
  activity carriers (活动载体), goals (成效愿景) and model cases (典型个案,
  :class:`BrandCase`). One brand per organisation (a unique key: 一支部一品牌). A
  sub-brand (子品牌) names its ``parent_id``: the brand of an organisation above it (an
  organ's brand guiding the units of its field, 有统有分), never itself a sub-brand.
* :class:`ModelSite` — an application for a model-site title at a level (``model_site``
  党建示范点, ``hundred_best`` 基层党建百佳示范单位) answering the tenant's criteria, moved
  ``applied → notice (公示) → awarded`` by the level above, or ``refused`` at review or after
  an upheld objection; an awarded title is re-reviewed every year (复核, :class:`SiteReview`)
  and ``withdrawn`` when a re-review fails or lapses. Refused and withdrawn rows are never
  deleted: they are the organisation's history. An organisation has at most one live
  application or title per level (a partial unique index).
* :class:`SiteObjection` — an objection received during the public notice, with how it was
  settled; :class:`SiteEvent` — each step of an application (who, when, comment).

No ORM relationships, as elsewhere: services query explicitly.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, Date, Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

MODEL_SITE, HUNDRED_BEST = "model_site", "hundred_best"
LEVELS = (MODEL_SITE, HUNDRED_BEST)
LEVEL_LABELS = {MODEL_SITE: "党建示范点", HUNDRED_BEST: "基层党建百佳示范单位"}

APPLIED, NOTICE, AWARDED, REFUSED, WITHDRAWN = "applied", "notice", "awarded", "refused", "withdrawn"
STATUSES = (APPLIED, NOTICE, AWARDED, REFUSED, WITHDRAWN)
LIVE_STATUSES = (APPLIED, NOTICE, AWARDED)
STATUS_LABELS = {APPLIED: "待审核", NOTICE: "公示中", AWARDED: "已授牌", REFUSED: "未通过",
                 WITHDRAWN: "已撤销"}

EVENT_KINDS = ("applied", "updated", "passed", "refused", "objection", "objection_settled",
               "awarded", "review_opened", "review_passed", "review_failed", "review_lapsed",
               "withdrawn")
EVENT_LABELS = {
    "applied": "提交申报", "updated": "修改申报", "passed": "审核通过，进入公示",
    "refused": "审核未通过", "objection": "收到公示异议", "objection_settled": "处理公示异议",
    "awarded": "授予称号", "review_opened": "启动年度复核", "review_passed": "年度复核通过",
    "review_failed": "年度复核未通过", "review_lapsed": "逾期未复核", "withdrawn": "撤销称号",
}

DUE, PASSED, FAILED, LAPSED = "due", "passed", "failed", "lapsed"
REVIEW_STATUSES = (DUE, PASSED, FAILED, LAPSED)
REVIEW_STATUS_LABELS = {DUE: "待复核", PASSED: "复核通过", FAILED: "复核未通过", LAPSED: "逾期未复核"}

OPEN_OBJECTION, UPHELD, DISMISSED = "open", "upheld", "dismissed"
OBJECTION_STATUSES = (OPEN_OBJECTION, UPHELD, DISMISSED)
OBJECTION_LABELS = {OPEN_OBJECTION: "待处理", UPHELD: "异议成立", DISMISSED: "异议不成立"}


class Brand(TenantOwned, Timestamps, Versioned, db.Model):
    """An organisation's Party-building brand (党建品牌)."""

    __tablename__ = "brands"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("parent_id", "brands"),
        UniqueConstraint("tenant_id", "org_id", name="uq_brands_tenant_org"),
        Index("ix_brands_tenant_parent", "tenant_id", "parent_id"),
        Index("ix_brands_tenant_name", "tenant_id", "name"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # a sub-brand's parent brand
    name: Mapped[str] = mapped_column(String(100))  # 品牌名称
    theme: Mapped[str | None] = mapped_column(String(200))  # 党建主题
    concept: Mapped[str | None] = mapped_column(Text)  # 品牌理念
    theory: Mapped[str | None] = mapped_column(Text)  # 理论支撑
    methods: Mapped[str | None] = mapped_column(Text)  # 方法路径
    carriers: Mapped[str | None] = mapped_column(Text)  # 活动载体
    goals: Mapped[str | None] = mapped_column(Text)  # 成效愿景
    started_on: Mapped[date | None] = mapped_column(Date)  # 创建时间

    def __repr__(self) -> str:
        return f"<Brand {self.name}>"


class BrandCase(TenantOwned, Timestamps, Versioned, db.Model):
    """A model case (典型个案) of a brand."""

    __tablename__ = "brand_cases"
    __table_args__ = (
        tenant_fk("brand_id", "brands", ondelete="CASCADE"),
        Index("ix_brand_cases_tenant_brand", "tenant_id", "brand_id", "happened_on"),
    )

    brand_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200))
    happened_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)


class ModelSite(TenantOwned, Timestamps, Versioned, db.Model):
    """An application for (and then the title of) a model site at one level."""

    __tablename__ = "model_sites"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("brand_id", "brands"),
        # One live application or title per organisation and level; refused and withdrawn
        # ones are its history, any number of them.
        Index(
            "uq_model_sites_live_org_level", "tenant_id", "org_id", "level",
            unique=True,
            postgresql_where=text("status IN ('applied', 'notice', 'awarded')"),
            sqlite_where=text("status IN ('applied', 'notice', 'awarded')"),
        ),
        Index("ix_model_sites_tenant_status", "tenant_id", "status"),
        Index("ix_model_sites_tenant_org", "tenant_id", "org_id", "applied_on"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    brand_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    level: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)  # the selection year applied for
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # criterion → how it is met
    statement: Mapped[str | None] = mapped_column(Text)  # 申报材料 / 事迹简介
    status: Mapped[str] = mapped_column(String(16), default=APPLIED)
    applied_on: Mapped[date] = mapped_column(Date)
    applied_by: Mapped[str] = mapped_column(String(200), default="system")
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    review_comment: Mapped[str | None] = mapped_column(Text)
    notice_starts_on: Mapped[date | None] = mapped_column(Date)
    notice_ends_on: Mapped[date | None] = mapped_column(Date)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(200))  # the title awarded
    award_year: Mapped[int | None] = mapped_column(Integer)
    awarded_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<ModelSite {self.level} {self.year} {self.status}>"


class SiteObjection(TenantOwned, Timestamps, Versioned, db.Model):
    """An objection received while an application was on public notice (公示异议)."""

    __tablename__ = "model_site_objections"
    __table_args__ = (
        tenant_fk("site_id", "model_sites", ondelete="CASCADE"),
        Index("ix_model_site_objections_tenant_site", "tenant_id", "site_id"),
    )

    site_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    received_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=OPEN_OBJECTION)
    resolution: Mapped[str | None] = mapped_column(Text)
    settled_on: Mapped[date | None] = mapped_column(Date)


class SiteReview(TenantOwned, Timestamps, Versioned, db.Model):
    """The yearly re-review (复核) of an awarded title: one per site and year."""

    __tablename__ = "model_site_reviews"
    __table_args__ = (
        tenant_fk("site_id", "model_sites", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "site_id", "year", name="uq_model_site_reviews_site_year"),
        Index("ix_model_site_reviews_tenant_status_due", "tenant_id", "status", "due_on"),
    )

    site_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    year: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=DUE)
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))


class SiteEvent(TenantOwned, Timestamps, db.Model):
    """One step of an application; append-only and carrying its actor (its own trail)."""

    __audited__ = False
    __tablename__ = "model_site_events"
    __table_args__ = (
        tenant_fk("site_id", "model_sites", ondelete="CASCADE"),
        Index("ix_model_site_events_tenant_site", "tenant_id", "site_id", "created_at"),
    )

    site_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
