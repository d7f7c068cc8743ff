"""Member and member-event models.

Personal identifiers (ID number, phone, address) are :class:`EncryptedString` columns; the ID
number also has a blind index (``id_number_index``) that is unique per tenant, which is how a
re-imported person is recognised. ``version`` guards against lost updates (optimistic lock).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, Date, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, db, tenant_fk
from core.db.encrypted import EncryptedString

# 党籍状态 and the mobility states the register tracks. Chinese labels live in the UI catalogs.
STATUSES = (
    "probationary",  # 预备党员
    "full",  # 正式党员
    "mobile",  # 流动党员
    "lost_contact",  # 失联党员
    "transferred_out",  # 已转出
    "deceased",  # 已去世
    "left",  # 已出党 / 退党
)
# Members a branch still counts (not gone from it).
ACTIVE_STATUSES = ("probationary", "full", "mobile", "lost_contact")
GENDERS = ("male", "female")
EDUCATION_LEVELS = (
    "postgraduate",  # 研究生
    "bachelor",  # 大学本科
    "college",  # 大学专科
    "secondary_vocational",  # 中专
    "high_school",  # 高中
    "junior_or_below",  # 初中及以下
)
# 失联原因 codes of the national collection.
LOST_CONTACT_REASONS = (
    "migrant_work",  # 外出务工经商
    "restructuring",  # 单位改制或破产
    "graduated_unknown",  # 毕业后去向不明
    "job_changed",  # 工作单位改变
    "abroad",  # 出国(境)
    "moved",  # 居住地改变
    "other",  # 其他
)


class Member(TenantOwned, Timestamps, db.Model):
    __tablename__ = "members"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "id_number_index"),
        Index("ix_members_tenant_org", "tenant_id", "org_id"),
        Index("ix_members_tenant_status", "tenant_id", "status"),
        Index("ix_members_tenant_initials", "tenant_id", "name_initials"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # identity
    name: Mapped[str] = mapped_column(String(50))
    name_initials: Mapped[str] = mapped_column(String(50), default="")  # pinyin initials: 张三 → zs
    gender: Mapped[str] = mapped_column(String(8))
    ethnicity: Mapped[str] = mapped_column(String(20))  # 民族, e.g. 汉族
    birth_date: Mapped[date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(EncryptedString)  # 公民身份号码, encrypted
    id_number_index: Mapped[str] = mapped_column(String(64))  # blind index of the ID number
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    address: Mapped[str | None] = mapped_column(EncryptedString)
    education: Mapped[str | None] = mapped_column(String(32))
    job: Mapped[str | None] = mapped_column(String(100))  # 人员类别 / 工作岗位
    work_unit: Mapped[str | None] = mapped_column(String(200))
    # Party record
    joined_on: Mapped[date] = mapped_column(Date)  # 入党日期 (became probationary)
    full_on: Mapped[date | None] = mapped_column(Date)  # 转正日期
    status: Mapped[str] = mapped_column(String(20), default="probationary")
    is_retired: Mapped[bool] = mapped_column(default=False)
    is_farmer: Mapped[bool] = mapped_column(default=False)
    is_student: Mapped[bool] = mapped_column(default=False)
    is_unemployed: Mapped[bool] = mapped_column(default=False)
    # an in-service member registered to serve a community (在职党员到社区报到)
    community_registered: Mapped[bool] = mapped_column(default=False)
    lost_contact_since: Mapped[date | None] = mapped_column(Date)
    lost_contact_reason: Mapped[str | None] = mapped_column(String(32))
    mobile_since: Mapped[date | None] = mapped_column(Date)
    mobile_destination: Mapped[str | None] = mapped_column(String(200))  # 流向
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Member {self.name}>"


# Kinds of lifecycle event (every status change and move leaves one).
EVENT_KINDS = (
    "admitted",  # entered the register (joined, imported or transferred in)
    "converted",  # 预备 → 正式
    "status_changed",
    "moved",  # to another organisation of the same tenant
    "transfer_out",
    "transfer_in",
)


class MemberEvent(TenantOwned, Timestamps, db.Model):
    """One step of a member's history: when, what, why and who recorded it.

    Organisation ids are kept without a foreign key on purpose: history outlives a merged or
    dissolved organisation's place in the tree. Events are append-only and carry their own
    actor, so they are a trail themselves: the audit log does not copy them.
    """

    __audited__ = False

    __tablename__ = "member_events"
    __table_args__ = (
        tenant_fk("member_id", "members", ondelete="CASCADE"),
        Index("ix_member_events_tenant_member", "tenant_id", "member_id", "occurred_on"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    from_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    to_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[dict | None] = mapped_column(JSON)
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
