"""The audit log (痕迹管理): one row per change to a tenant-owned row.

Rows are written only by :mod:`core.audit.recorder`, in the same transaction as the change
they describe, and are never updated or deleted by the application (there is no API for it).
``actor_user_id`` deliberately has no foreign key: deleting a user must not delete or orphan
the trail of what they did.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.audit import append_only
from core.db import TenantOwned, db
from core.db.mixins import utcnow

ACTIONS = ("create", "update", "delete")

# ``object_id`` of an entry that stands for a whole bulk statement (many rows, ids unknown).
BULK_OBJECT_ID = "*"


class AuditEntry(TenantOwned, db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_tenant_object", "tenant_id", "object_type", "object_id"),
        Index("ix_audit_entries_tenant_at", "tenant_id", "at"),
    )
    __audited__ = False  # the log does not log itself

    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # "user:alice", "cli:root", "job:…", or "system" when nobody is acting.
    actor_label: Mapped[str] = mapped_column(String(200))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(100))  # the table name
    object_id: Mapped[str] = mapped_column(String(500))
    # Column name -> JSON-safe value. Create: the new row; delete: the old row; update: only
    # the changed columns, before and after. ``None`` is stored as SQL NULL, not JSON null.
    before: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    changed: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    request_id: Mapped[str | None] = mapped_column(String(128))

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} {self.object_type}:{self.object_id} by {self.actor_label}>"


# PostgreSQL refuses UPDATE and DELETE of an entry (core.audit.append_only)
append_only.protect_table(AuditEntry.__table__)
