"""People in the development pipeline and the steps recorded for them.

A person is not a member yet, so they have their own table; personal identifiers are
encrypted as in the member register (:mod:`core.members.models`), and the ID number has a
blind index to find a person again without decrypting rows. Once step 17 is approved the
person becomes a member and ``member_id`` links the two.

Each recorded step keeps its evidence and, when it broke a rule, who overrode the rule and
why; such steps are ``flagged_for_review`` until a reviewer clears them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk
from core.db.encrypted import EncryptedString

PERSON_STATUSES = ("active", "stopped")


class DevelopmentPerson(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "development_people"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("member_id", "members"),
        Index("ix_development_people_tenant_org", "tenant_id", "org_id"),
        Index("ix_development_people_tenant_stage", "tenant_id", "status", "stage"),
        Index("ix_development_people_tenant_idx", "tenant_id", "id_number_index"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the branch developing them
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(EncryptedString)
    id_number_index: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    address: Mapped[str | None] = mapped_column(EncryptedString)
    education: Mapped[str | None] = mapped_column(String(32))
    work_unit: Mapped[str | None] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(20), default="applicant")
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_reason: Mapped[str | None] = mapped_column(Text)
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # 延长预备期: at most once, 6–12 months, decided on a date.
    extension_months: Mapped[int | None] = mapped_column()
    extension_on: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<DevelopmentPerson {self.name} {self.stage}>"


class DevelopmentStep(TenantOwned, Timestamps, db.Model):
    __tablename__ = "development_steps"
    __table_args__ = (
        tenant_fk("person_id", "development_people", ondelete="CASCADE"),
        Index("ix_development_steps_tenant_person", "tenant_id", "person_id", "code"),
        Index("ix_development_steps_tenant_code", "tenant_id", "code", "done_on"),
        Index("ix_development_steps_tenant_flagged", "tenant_id", "flagged_for_review"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    code: Mapped[int] = mapped_column()  # 1–25, core.development.steps
    done_on: Mapped[date] = mapped_column(Date)
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    evidence: Mapped[str | None] = mapped_column(Text)  # what was done, in words
    attachment: Mapped[str | None] = mapped_column(String(500))  # a stored upload's reference
    # Structured evidence some rules read: contacts, introducer_ids, training_days/hours,
    # public_notice_from/to.
    details: Mapped[dict | None] = mapped_column(JSON)
    override: Mapped[bool] = mapped_column(default=False)
    override_reason: Mapped[str | None] = mapped_column(Text)
    overridden_by: Mapped[str | None] = mapped_column(String(200))
    violated_rules: Mapped[list | None] = mapped_column(JSON)  # rule codes overridden
    flagged_for_review: Mapped[bool] = mapped_column(default=False)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(Text)


class DevelopmentSettings(TenantOwned, Timestamps, Versioned, db.Model):
    """A tenant's overrides of the development numbers (:mod:`core.development.settings`);
    at most one row per tenant."""

    __tablename__ = "development_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    overrides: Mapped[dict] = mapped_column(JSON, default=dict)
