"""The community sector's own records.

* :class:`Grid` — a grid (网格) of a community: its households, its grid worker (网格员) and
  the Party branch or group that covers it (网格党支部 / 党小组, an organisation in the
  community's subtree), "支部建在网格上". A grid merged or abolished keeps its row with
  ``ended_on``.
* :class:`PropertyCompany` — a property-management company serving the community's
  compounds, with what makes it 红色物业: its own Party organisation, or a joint-building
  agreement (党建共建协议) with the community organisation, from when to when.
* :class:`Registration` — someone who reported to the community (双报到, 在职党员到社区报到):
  a member of another organisation of the register (``member_id``) or, for someone outside
  the register (a member of a central or provincial unit), a name; their work unit, the
  grid they serve in, from when to when. A member has at most one open registration (the
  community where they live): a partial unique index holds it under concurrent writes.
* :class:`Service` — one service a registered person did for the community (志愿服务,
  政策宣传…): when, how long, what. The community organisation is copied from the
  registration so set-based counts need no join.

Rows point at core's organisations and members through tenant-composite foreign keys; no ORM
relationships (as in core): services query explicitly, set-based.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Index, Integer, Numeric, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import TenantOwned, Timestamps, Versioned, db, tenant_fk

SERVICE_CATEGORIES = ("volunteer", "policy", "assistance", "environment", "mediation", "safety", "other")
SERVICE_CATEGORY_LABELS = {
    "volunteer": "志愿服务",
    "policy": "政策宣传",
    "assistance": "帮扶困难群众",
    "environment": "环境整治",
    "mediation": "矛盾纠纷调解",
    "safety": "平安巡逻",
    "other": "其他",
}


def _open(column: str) -> dict:
    """Partial-index arguments: rows whose ``column`` is NULL (still current)."""
    condition = text(f"{column} IS NULL")
    return {"postgresql_where": condition, "sqlite_where": condition}


class Grid(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "community_grids"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("branch_org_id", "organizations"),
        Index("ix_community_grids_tenant_org", "tenant_id", "org_id"),
        Index("ix_community_grids_tenant_branch", "tenant_id", "branch_org_id"),
        # One current grid of a name per community; ended grids keep theirs.
        Index("uq_community_grids_current_name", "tenant_id", "org_id", "name", unique=True,
              **_open("ended_on")),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the community organisation
    name: Mapped[str] = mapped_column(String(100))  # 网格名称
    code: Mapped[str | None] = mapped_column(String(50))  # 网格编码
    households: Mapped[int | None] = mapped_column(Integer)
    grid_worker_name: Mapped[str | None] = mapped_column(String(50))  # 专职网格员
    branch_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # 网格党支部（党小组）
    ended_on: Mapped[date | None] = mapped_column(Date)  # 撤并日期
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Grid {self.name} org={self.org_id}>"


class PropertyCompany(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "community_property_companies"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("party_org_id", "organizations"),
        Index("ix_community_property_companies_tenant_org", "tenant_id", "org_id"),
        Index("ix_community_property_companies_tenant_agreement", "tenant_id", "agreement_ends_on"),
        Index("uq_community_property_companies_current_name", "tenant_id", "org_id", "name",
              unique=True, **_open("left_on")),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the community organisation
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码
    compounds_served: Mapped[int | None] = mapped_column(Integer)  # 服务小区数
    # 物业企业党组织: has one (单独或联合组建), and which it is when it is in the register.
    has_party_org: Mapped[bool] = mapped_column(Boolean, default=False)
    party_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # 党建共建协议 with the community organisation.
    agreement_signed_on: Mapped[date | None] = mapped_column(Date)
    agreement_ends_on: Mapped[date | None] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)  # 进驻
    left_on: Mapped[date | None] = mapped_column(Date)  # 退出
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<PropertyCompany {self.name} org={self.org_id}>"


class Registration(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "community_registrations"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("member_id", "members"),
        tenant_fk("grid_id", "community_grids"),
        Index("ix_community_registrations_tenant_org", "tenant_id", "org_id", "registered_on"),
        Index("ix_community_registrations_tenant_grid", "tenant_id", "grid_id"),
        # A member reports to one community at a time (where they live).
        Index("uq_community_registrations_current_member", "tenant_id", "member_id",
              unique=True, **_open("ended_on")),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the community organisation
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    person_name: Mapped[str | None] = mapped_column(String(50))  # someone outside the register
    work_unit: Mapped[str | None] = mapped_column(String(200))  # 工作单位
    grid_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the grid they serve in
    registered_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Registration org={self.org_id} member={self.member_id or self.person_name}>"


class Service(TenantOwned, Timestamps, db.Model):
    __tablename__ = "community_services"
    __table_args__ = (
        tenant_fk("registration_id", "community_registrations"),
        tenant_fk("org_id", "organizations"),
        Index("ix_community_services_tenant_registration", "tenant_id", "registration_id", "served_on"),
        Index("ix_community_services_tenant_org", "tenant_id", "org_id", "served_on"),
    )

    registration_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the registration's community
    served_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    category: Mapped[str] = mapped_column(String(20), default="volunteer")
    activity: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Service {self.served_on} {self.activity}>"
