"""Organisation models: the tree's nodes, the non-Party units they serve, and their posts.

No ORM relationships on purpose (as in the auth slice): every foreign key includes
``tenant_id``, and services query explicitly, set-based.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, Date, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

KINDS = ("committee", "general_branch", "branch", "joint_branch", "group")
# Kinds whose term is the sector's ``branch_term_years`` (a committee has
# ``committee_term_years``; a group has no elected term).
BRANCH_LEVEL_KINDS = ("general_branch", "branch", "joint_branch")
# An organisation is never deleted: a merged or dissolved one stays, with its history.
STATUSES = ("active", "merged", "dissolved")
# 所在单位情况 of the national collection: 与上级党组织相同 / 法人单位 / 联合党支部.
UNIT_RELATIONS = ("same_as_parent", "legal_entity", "joint")
# The non-Party units a branch serves (村、社区、企业、社会组织、机关、国企、学校、事业单位).
UNIT_TYPES = (
    "village",
    "community",
    "enterprise",
    "social_organisation",
    "government_organ",
    "soe",
    "school",
    "public_institution",
    "other",
)
# Committee posts: 书记, 副书记, 组织委员, 宣传委员, 纪检委员, and other 委员.
POSTS = (
    "secretary",
    "deputy_secretary",
    "organisation_member",
    "propaganda_member",
    "discipline_member",
    "committee_member",
)
# Posts that have one holder at a time (a second one needs the first ended).
SINGLE_HOLDER_POSTS = ("secretary", "organisation_member", "propaganda_member", "discipline_member")


class Organization(TenantOwned, Timestamps, Versioned, db.Model):
    """A node of the tenant's Party organisation tree.

    A materialised path (``path``) makes subtree queries one indexed ``LIKE 'prefix%'``, and
    moving a subtree one UPDATE of the prefix.
    """

    __tablename__ = "organizations"
    __table_args__ = (
        tenant_fk("parent_id", "organizations"),
        tenant_fk("merged_into_id", "organizations"),
        UniqueConstraint("tenant_id", "code"),
        Index("ix_organizations_tenant_path", "tenant_id", "path"),
        Index("ix_organizations_tenant_parent", "tenant_id", "parent_id"),
    )

    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # "/<id hex>/<id hex>/…/": the ids of the ancestors and this node, root first.
    path: Mapped[str] = mapped_column(String(2000))
    depth: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))  # the full name, as on the seal
    kind: Mapped[str] = mapped_column(String(32))
    sector: Mapped[str | None] = mapped_column(String(64))
    # 党组织类别 (① 国有企业 … ⑨ 其他); defaults to the sector's first code.
    category_code: Mapped[int | None] = mapped_column()
    unit_relation: Mapped[str | None] = mapped_column(String(20))
    founded_on: Mapped[date | None] = mapped_column(Date)
    # The current term: when it started, and its length (NULL: the sector plugin's setting).
    term_started_on: Mapped[date | None] = mapped_column(Date)
    term_years: Mapped[int | None] = mapped_column()
    contact: Mapped[str | None] = mapped_column(String(50))  # 联系人
    phone: Mapped[str | None] = mapped_column(String(30))  # 联系电话 (an office line)
    # Sector attributes, validated by the sector plugins' schemas (dangjian_org_attributes).
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # The day it ceased to exist (dissolved, or merged into ``merged_into_id``) and why.
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    end_reason: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Organization {self.code} {self.name}>"


class OrgUnit(TenantOwned, Timestamps, Versioned, db.Model):
    """A non-Party unit (a village, an enterprise, …) that the organisation ``org_id`` serves.

    A joint branch serves several; an enterprise's own branch one.
    """

    __tablename__ = "org_units"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        Index("ix_org_units_tenant_org", "tenant_id", "org_id"),
        Index("ix_org_units_tenant_credit_code", "tenant_id", "credit_code"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str] = mapped_column(String(32))
    # 统一社会信用代码 (GB 32100-2015), when the unit has one.
    credit_code: Mapped[str | None] = mapped_column(String(18))
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<OrgUnit {self.name}>"


class OrgPost(TenantOwned, Timestamps, Versioned, db.Model):
    """Someone holding a committee post of ``org_id`` from ``started_on`` to ``ended_on``.

    Rows are never deleted: an ended post is the history of who served. The holder is a
    member of the register (``member_id``) or, when they are not in it (a 第一书记 sent from
    elsewhere), named by ``person_name``.
    """

    __tablename__ = "org_posts"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("member_id", "members"),
        Index("ix_org_posts_tenant_org", "tenant_id", "org_id", "ended_on"),
        Index("ix_org_posts_tenant_member", "tenant_id", "member_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    post: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    person_name: Mapped[str | None] = mapped_column(String(50))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<OrgPost {self.post} org={self.org_id}>"
