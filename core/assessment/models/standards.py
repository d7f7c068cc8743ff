"""Standards (标准), their frozen versions, and a tenant's own simple indicators.

A :class:`Standard` is the tenant's named, living standard; every change to its content
(name, sector, kinds, items) writes a new :class:`StandardVersion` and moves
``current_version``. Versions are never changed or deleted once written: a cycle records the
version ids it was opened with, so a tenant editing a standard mid-year changes nothing in a
running or published cycle.

``items`` is a JSON list of ``{"indicator": key, "weight": "12.50", "params": {...}}``
(weights as strings, so nothing passes through a float).

A :class:`CustomIndicator` is an indicator a tenant administrator adds without code: a
manual score, or a threshold on a sector attribute of the organisation. What it measures
(scoring, attribute, comparison) is fixed once created, so a frozen version that uses it
keeps meaning the same thing; its target and points live in the standard's item.
"""

from __future__ import annotations

import uuid

from sqlalchemy import JSON, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

__all__ = ["CustomIndicator", "Standard", "StandardVersion"]


class Standard(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "assessment_standards"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(64))  # NULL: every sector
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    current_version: Mapped[int] = mapped_column(default=1)
    # Where it was copied from: a template key (``"core.branch_standard"``) or a standard id.
    based_on: Mapped[str | None] = mapped_column(String(100))


class StandardVersion(TenantOwned, Timestamps, db.Model):
    __tablename__ = "assessment_standard_versions"
    __table_args__ = (
        tenant_fk("standard_id", "assessment_standards"),
        UniqueConstraint("tenant_id", "standard_id", "number"),
    )

    standard_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    number: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(64))
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    items: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)  # why this version was made
    created_by: Mapped[str] = mapped_column(String(200), default="system")


class CustomIndicator(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "assessment_custom_indicators"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(100))  # "custom.<slug>"
    name: Mapped[str] = mapped_column(String(200))
    scoring: Mapped[str] = mapped_column(String(16))  # manual | threshold
    attribute: Mapped[str | None] = mapped_column(String(64))  # threshold: the sector attribute
    op: Mapped[str] = mapped_column(String(2), default=">=")  # threshold: >= or <=
    target: Mapped[str | None] = mapped_column(String(32))  # default target (decimal text)
    max_points: Mapped[str] = mapped_column(String(16))  # default weight (decimal text)
    sectors: Mapped[list] = mapped_column(JSON, default=list)
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    unit: Mapped[str] = mapped_column(String(16), default="")
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)


