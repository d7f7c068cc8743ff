"""Election records (换届选举): each starts an organisation's new term."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, db, tenant_fk
from core.life import models as _life_models  # noqa: F401  (elections cite meetings)

# 按期换届 / 提前换届 / 延期换届 (the last two need the higher organisation's approval).
KINDS = ("regular", "early", "late")


class Election(TenantOwned, Timestamps, db.Model):
    __tablename__ = "elections"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("meeting_id", "meetings"),
        Index("ix_elections_tenant_org_held", "tenant_id", "org_id", "held_on"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16), default="regular")
    # The term the election was due by (the previous term's end), kept as evidence.
    due_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(200))  # 批准机关
    approval_ref: Mapped[str | None] = mapped_column(String(200))  # 批复文号
    term_started_on: Mapped[date] = mapped_column(Date)
    term_years: Mapped[int | None] = mapped_column()
    # The 支部党员大会 that elected, when recorded (must have had > 4/5 present).
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200), default="system")
