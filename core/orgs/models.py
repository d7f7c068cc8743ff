"""Organisation model: a node of the tenant's Party organisation tree."""

from __future__ import annotations

import uuid

from sqlalchemy import Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, db, tenant_fk

KINDS = ("committee", "general_branch", "branch", "joint_branch", "group")


class Organization(TenantOwned, Timestamps, db.Model):
    __tablename__ = "organizations"
    __table_args__ = (
        tenant_fk("parent_id", "organizations"),
        UniqueConstraint("tenant_id", "code"),
        Index("ix_organizations_tenant_path", "tenant_id", "path"),
    )

    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # "/<id hex>/<id hex>/…/": the ids of the ancestors and this node, root first.
    path: Mapped[str] = mapped_column(String(2000))
    depth: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    sector: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<Organization {self.code} {self.name}>"
