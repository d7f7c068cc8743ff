"""The soe sector's own records.

Kept by the enterprise's Party organisation (or the committee above it):

* :class:`Decision` — the register of major matters (三重一大: 重大决策、重要人事任免、重大项目
  安排、大额度资金运作) the Party committee studied before the board or management decided
  them (党委前置研究讨论): when the committee studied it and with what outcome, when and by
  whom it was decided. A matter decided without (or before) the committee's study may be
  recorded — that is exactly what the register must show — and is flagged.
* :class:`CrossAppointment` — the leaders' posts in the Party committee and on the board or in
  management (双向进入、交叉任职): one row per person and period, with a Party post, a
  business post, or both. A post is held from ``started_on`` until the day before
  ``ended_on`` (as core's committee posts).
* :class:`PerformanceLink` — how the year's Party-building assessment bears on the
  enterprise's performance assessment (党建考核与经营业绩考核挂钩): the weight, the two scores,
  whether pay is linked. One row per organisation and year.

Kept by the branch:

* :class:`VanguardPost` — a member's 党员先锋岗 / 党员责任区 / 党员示范岗, from when to when.
* :class:`Innovation` and :class:`InnovationMember` — 党员攻关项目 and innovation results
  (创新成果、合理化建议) the branch's members achieved, with who took part.

Rows point at core's organisations and members through tenant-composite foreign keys; no ORM
relationships (as in core): services query explicitly, set-based.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Index, Integer, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import TenantOwned, Timestamps, Versioned, db, tenant_fk

# 三重一大
CATEGORIES = ("major_decision", "key_appointment", "major_project", "large_fund")
CATEGORY_LABELS = {
    "major_decision": "重大决策事项",
    "key_appointment": "重要人事任免",
    "major_project": "重大项目安排",
    "large_fund": "大额度资金运作",
}
# The Party committee's conclusion on the matter it studied.
OUTCOMES = ("agreed", "amended", "withdrawn")
OUTCOME_LABELS = {"agreed": "同意提交决策", "amended": "修改完善后提交", "withdrawn": "不同意提交（撤回）"}
# Who decided it.
BODIES = ("board", "management", "shareholders")
BODY_LABELS = {"board": "董事会", "management": "经理层", "shareholders": "股东（大）会"}

PARTY_POSTS = ("secretary", "deputy_secretary", "full_time_deputy_secretary",
               "discipline_secretary", "committee_member")
PARTY_POST_LABELS = {
    "secretary": "党委书记",
    "deputy_secretary": "党委副书记",
    "full_time_deputy_secretary": "专职副书记",
    "discipline_secretary": "纪委书记",
    "committee_member": "党委委员",
}
BOARD_POSTS = ("chairman", "vice_chairman", "director")
MANAGEMENT_POSTS = ("general_manager", "deputy_general_manager", "chief_accountant")
SUPERVISORY_POSTS = ("supervisor_chairman", "supervisor")
BUSINESS_POSTS = BOARD_POSTS + MANAGEMENT_POSTS + SUPERVISORY_POSTS
BUSINESS_POST_LABELS = {
    "chairman": "董事长",
    "vice_chairman": "副董事长",
    "director": "董事",
    "general_manager": "总经理",
    "deputy_general_manager": "副总经理",
    "chief_accountant": "总会计师（财务总监）",
    "supervisor_chairman": "监事会主席",
    "supervisor": "监事",
}
# Posts with one holder at a time in an enterprise.
SINGLE_PARTY_POSTS = ("secretary", "discipline_secretary")
SINGLE_BUSINESS_POSTS = ("chairman", "general_manager", "supervisor_chairman")

VANGUARD_KINDS = ("vanguard_post", "responsibility_area", "model_post")
VANGUARD_LABELS = {"vanguard_post": "党员先锋岗", "responsibility_area": "党员责任区",
                   "model_post": "党员示范岗"}

INNOVATION_KINDS = ("tackling", "innovation", "suggestion")
INNOVATION_LABELS = {"tackling": "党员攻关项目", "innovation": "创新成果", "suggestion": "合理化建议"}
LEVELS = ("enterprise", "group", "municipal", "provincial", "national")
LEVEL_LABELS = {"enterprise": "本企业", "group": "集团", "municipal": "市级", "provincial": "省级",
                "national": "国家级"}

PERCENT = Numeric(5, 2)
SCORE = Numeric(6, 2)


class Decision(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "soe_decisions"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        Index("ix_soe_decisions_tenant_org_decided", "tenant_id", "org_id", "decided_on"),
        Index("ix_soe_decisions_tenant_decided", "tenant_id", "decided_on"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    party_reviewed_on: Mapped[date | None] = mapped_column(Date)  # 党委前置研究日期
    party_outcome: Mapped[str | None] = mapped_column(String(12))
    decided_by: Mapped[str] = mapped_column(String(16), default="board")
    decided_on: Mapped[date | None] = mapped_column(Date)  # 董事会/经理层决策日期
    minutes_ref: Mapped[str | None] = mapped_column(String(100))  # 会议纪要编号
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Decision {self.title} reviewed={self.party_reviewed_on} decided={self.decided_on}>"


class CrossAppointment(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "soe_cross_appointments"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("member_id", "members"),
        Index("ix_soe_cross_appointments_tenant_org", "tenant_id", "org_id", "ended_on"),
        Index("ix_soe_cross_appointments_tenant_member", "tenant_id", "member_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    person_name: Mapped[str] = mapped_column(String(50))
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    party_post: Mapped[str | None] = mapped_column(String(32))
    business_post: Mapped[str | None] = mapped_column(String(32))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<CrossAppointment {self.person_name} {self.party_post}/{self.business_post}>"


class PerformanceLink(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "soe_performance_links"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "org_id", "year", name="uq_soe_performance_links_org_year"),
        Index("ix_soe_performance_links_tenant_year", "tenant_id", "year"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    year: Mapped[int] = mapped_column(Integer)
    link_weight_pct: Mapped[Decimal] = mapped_column(PERCENT)
    party_building_score: Mapped[Decimal | None] = mapped_column(SCORE)
    business_score: Mapped[Decimal | None] = mapped_column(SCORE)
    salary_linked: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<PerformanceLink org={self.org_id} {self.year} {self.link_weight_pct}%>"


class VanguardPost(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "soe_vanguard_posts"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("member_id", "members"),
        Index("ix_soe_vanguard_posts_tenant_org", "tenant_id", "org_id", "ended_on"),
        Index("ix_soe_vanguard_posts_tenant_member", "tenant_id", "member_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(100))  # 岗位或责任区名称
    duty: Mapped[str | None] = mapped_column(Text)  # 承诺事项、职责
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<VanguardPost {self.kind} {self.name}>"


class Innovation(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "soe_innovations"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        Index("ix_soe_innovations_tenant_org_achieved", "tenant_id", "org_id", "achieved_on"),
        Index("ix_soe_innovations_tenant_achieved", "tenant_id", "achieved_on"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    achieved_on: Mapped[date] = mapped_column(Date)  # 结题、验收或认定日期
    level: Mapped[str | None] = mapped_column(String(16))  # 认定层级
    benefit: Mapped[str | None] = mapped_column(Text)  # 成效（经济效益、解决的难题）

    def __repr__(self) -> str:
        return f"<Innovation {self.title} {self.achieved_on}>"


class InnovationMember(TenantOwned, Timestamps, db.Model):
    """A member who took part in an innovation (the points go to each)."""

    __tablename__ = "soe_innovation_members"
    __table_args__ = (
        tenant_fk("innovation_id", "soe_innovations", ondelete="CASCADE"),
        tenant_fk("member_id", "members"),
        UniqueConstraint("tenant_id", "innovation_id", "member_id",
                         name="uq_soe_innovation_members_innovation_member"),
        Index("ix_soe_innovation_members_tenant_member", "tenant_id", "member_id"),
    )

    innovation_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
