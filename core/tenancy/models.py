"""The ``tenants`` table: one row per city. A reference table, not tenant-owned.

Versioned: two ``dangjian tenants sync`` runs applying different files to one tenant cannot
interleave their writes (the second refuses instead of mixing the two files)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Versioned, db
from core.db.mixins import utcnow


class Tenant(Versioned, db.Model):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Hostnames that select this tenant for a request (e.g. "dangjian.yancheng.gov.cn").
    hosts: Mapped[list] = mapped_column(JSON, default=list)
    # Core setting overrides for this tenant (thresholds and the like), validated by their owner.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"
