"""The rural sector's own records.

* :class:`CollectiveIncome` — a village collective's income for a year (村级集体经济收入),
  one row per village and year: the operating income (经营性收入) the target is about, and
  optionally the total.
* :class:`Stationing` — someone stationed in a village (驻村): the 第一书记 or a member of
  the 驻村工作队, the unit that sent them (派出单位), from when to when. A village has at most
  one first secretary at a time: the service refuses overlapping periods, and a partial
  unique index refuses a second open-ended one even under concurrent writes.
* :class:`MemberDuty` — a duty post given to a member without a committee post (无职党员
  设岗定责): 政策宣传岗, 纠纷调解岗…, from when to when.
* :class:`MobileContact` — a contact between the village organisation and one of its mobile
  members (流动党员联系): when, how, and who reached out (the branch, or the member reporting
  in — 流动党员主动报告).

Rows point at core's organisations and members through tenant-composite foreign keys; no ORM
relationships (as in core): services query explicitly, set-based.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Index, Integer, Numeric, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import TenantOwned, Timestamps, Versioned, db, tenant_fk

FIRST_SECRETARY = "first_secretary"
TEAM_MEMBER = "team_member"
STATION_ROLES = (FIRST_SECRETARY, TEAM_MEMBER)
ROLE_LABELS = {FIRST_SECRETARY: "第一书记", TEAM_MEMBER: "驻村工作队员"}

CHANNELS = ("phone", "wechat", "visit", "letter")
CHANNEL_LABELS = {"phone": "电话", "wechat": "微信", "visit": "走访见面", "letter": "书信"}
INITIATORS = ("branch", "member")
INITIATOR_LABELS = {"branch": "党组织联系", "member": "党员主动报告"}

AMOUNT = Numeric(12, 2)  # 万元, two places


class CollectiveIncome(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "rural_collective_incomes"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "org_id", "year", name="uq_rural_collective_incomes_org_year"),
        Index("ix_rural_collective_incomes_tenant_year", "tenant_id", "year"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    year: Mapped[int] = mapped_column(Integer)
    operating_income_wan: Mapped[Decimal] = mapped_column(AMOUNT)  # 经营性收入
    total_income_wan: Mapped[Decimal | None] = mapped_column(AMOUNT)  # 总收入
    note: Mapped[str | None] = mapped_column(Text)  # 收入来源、项目

    def __repr__(self) -> str:
        return f"<CollectiveIncome org={self.org_id} {self.year} {self.operating_income_wan}>"


class Stationing(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "rural_stationings"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        Index("ix_rural_stationings_tenant_org", "tenant_id", "org_id", "role"),
        # One current (open-ended) first secretary per village.
        Index(
            "uq_rural_stationings_current_first_secretary", "tenant_id", "org_id",
            unique=True,
            postgresql_where=text("role = 'first_secretary' AND ended_on IS NULL"),
            sqlite_where=text("role = 'first_secretary' AND ended_on IS NULL"),
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    person_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    dispatched_by: Mapped[str] = mapped_column(String(200))  # 派出单位
    # 联系电话: a work contact of someone sent by a department (not a register member).
    phone: Mapped[str | None] = mapped_column(String(30))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Stationing {self.role} {self.person_name} org={self.org_id}>"


class MemberDuty(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "rural_member_duties"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("member_id", "members"),
        Index("ix_rural_member_duties_tenant_org", "tenant_id", "org_id"),
        Index("ix_rural_member_duties_tenant_member", "tenant_id", "member_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    duty: Mapped[str] = mapped_column(String(50))  # 岗位
    responsibilities: Mapped[str | None] = mapped_column(Text)  # 岗位职责
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<MemberDuty {self.duty} member={self.member_id}>"


class MobileContact(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "rural_mobile_contacts"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("member_id", "members"),
        Index("ix_rural_mobile_contacts_tenant_member", "tenant_id", "member_id", "contacted_on"),
        Index("ix_rural_mobile_contacts_tenant_org", "tenant_id", "org_id", "contacted_on"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    contacted_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    initiated_by: Mapped[str] = mapped_column(String(16), default="branch")
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<MobileContact member={self.member_id} {self.contacted_on}>"
