"""The two_new plugin's tables: the register behind 两个覆盖 (organisation coverage and work
coverage of non-public enterprises and social organisations).

* :class:`TwoNewUnit` — the area's non-public enterprises and social organisations,
  **including those without any Party organisation**: that is the point of the register
  (应建尽建 and the 空白点 can only be found among units that have none), so a unit cannot be a
  core ``OrgUnit`` (which hangs under the organisation serving it). Each unit hangs under
  its *supervising* organisation (``org_id``: a 两新工委, a 综合党委, a street committee) for
  visibility and tenancy, and points to the organisation covering it (``covered_by_org_id``:
  its own branch or a joint branch) and to the instructor sent to it (``instructor_id``).
  Its coverage is derived, never stored (:mod:`plugins.two_new.coverage`).
* :class:`TwoNewInstructor` — 党建指导员 and 党建第一书记 sent to non-public units; an ended
  stationing (``ended_on``) stays as history.
* :class:`TwoNewGroup` — new-employment groups (新就业群体: couriers, delivery riders,
  ride-hailing and truck drivers, live streamers) by platform or company, with the
  comprehensive Party committee (综合党委) that covers them.

No ORM relationships, as in core: services query explicitly and set-based.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import TenantOwned, Timestamps, Versioned, db, tenant_fk

UNIT_KINDS = ("enterprise", "social_organisation")
UNIT_KIND_LABELS = {"enterprise": "非公有制企业", "social_organisation": "社会组织"}

# How a unit is covered (derived): its own organisation, a joint one, only an instructor in
# post (work coverage without organisation coverage), or nothing at all.
OWN, JOINT, INSTRUCTOR, NONE = "own", "joint", "instructor", "none"
COVERAGES = (OWN, JOINT, INSTRUCTOR, NONE)
COVERAGE_LABELS = {
    OWN: "单独建立党组织",
    JOINT: "联合建立党组织",
    INSTRUCTOR: "选派党建指导员（工作覆盖）",
    NONE: "未覆盖",
}

INSTRUCTOR_ROLES = ("instructor", "first_secretary")
INSTRUCTOR_ROLE_LABELS = {"instructor": "党建指导员", "first_secretary": "党建第一书记"}

# New-employment groups (新就业群体) named by the seeds: 快递员、外卖配送员、网约车司机、货车司机,
# and the 网络直播 platforms' streamers.
GROUP_KINDS = ("courier", "delivery_rider", "ride_hailing", "truck_driver", "live_streamer")
GROUP_KIND_LABELS = {
    "courier": "快递员",
    "delivery_rider": "外卖配送员",
    "ride_hailing": "网约车司机",
    "truck_driver": "货车司机",
    "live_streamer": "网络主播",
}


class TwoNewUnit(TenantOwned, Timestamps, Versioned, db.Model):
    """A non-public enterprise or social organisation of the area (两新组织), with or without
    a Party organisation."""

    __tablename__ = "two_new_units"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("covered_by_org_id", "organizations"),
        tenant_fk("instructor_id", "two_new_instructors"),
        # NULLs never collide: units without a code are allowed side by side.
        UniqueConstraint("tenant_id", "credit_code", name="uq_two_new_units_credit_code"),
        Index("ix_two_new_units_tenant_org", "tenant_id", "org_id"),
        Index("ix_two_new_units_tenant_covered_by", "tenant_id", "covered_by_org_id"),
        Index("ix_two_new_units_tenant_instructor", "tenant_id", "instructor_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the supervising organisation
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码
    kind: Mapped[str] = mapped_column(String(32))
    industry: Mapped[str | None] = mapped_column(String(50))  # 所属行业
    employees: Mapped[int | None] = mapped_column(Integer)  # 从业人员
    party_members: Mapped[int] = mapped_column(Integer, default=0)  # 党员 working there
    full_members: Mapped[int] = mapped_column(Integer, default=0)  # of whom 正式党员
    covered_by_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    instructor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    surveyed_on: Mapped[date] = mapped_column(Date)  # the figures' date (最近摸排)
    closed_on: Mapped[date | None] = mapped_column(Date)  # 注销、迁出: out of the counts
    notes: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<TwoNewUnit {self.name}>"


class TwoNewInstructor(TenantOwned, Timestamps, Versioned, db.Model):
    """A 党建指导员 or 党建第一书记 sent by ``org_id`` (the supervising organisation) to
    non-public units, from ``started_on`` to ``ended_on``. The person is a member of the
    register (``member_id``) or named only (a cadre whose membership is elsewhere)."""

    __tablename__ = "two_new_instructors"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("member_id", "members"),
        Index("ix_two_new_instructors_tenant_org", "tenant_id", "org_id", "ended_on"),
        Index("ix_two_new_instructors_tenant_member", "tenant_id", "member_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    person_name: Mapped[str] = mapped_column(String(50))
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    role: Mapped[str] = mapped_column(String(20), default="instructor")
    employer: Mapped[str | None] = mapped_column(String(200))  # 派出单位
    phone: Mapped[str | None] = mapped_column(String(30))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<TwoNewInstructor {self.person_name} {self.role}>"


class TwoNewGroup(TenantOwned, Timestamps, Versioned, db.Model):
    """A new-employment group (新就业群体) of one platform or company in the area, and the
    comprehensive Party committee (综合党委) covering it."""

    __tablename__ = "two_new_groups"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("covering_org_id", "organizations"),
        Index("ix_two_new_groups_tenant_org", "tenant_id", "org_id"),
        Index("ix_two_new_groups_tenant_covering", "tenant_id", "covering_org_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the supervising organisation
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))  # 平台或企业, e.g. 某快递示范市分公司
    workers: Mapped[int] = mapped_column(Integer, default=0)  # 从业人员
    party_members: Mapped[int] = mapped_column(Integer, default=0)
    covering_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    surveyed_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<TwoNewGroup {self.kind} {self.name}>"

