"""Dues models: the tenant's rate overrides, each member's monthly base, payments (one row
per member and month) and the finance roles (会计, 出纳) of an organisation.

Money is ``Numeric(12, 2)`` and :class:`~decimal.Decimal` in Python: never a float. Months
are stored as the first day of the month.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Date, Index, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

MONEY = Numeric(12, 2)
CHANNELS = ("cash", "bank", "wechat", "alipay", "other")
FINANCE_ROLES = ("accountant", "cashier")  # 会计, 出纳


class DuesSettings(TenantOwned, Timestamps, Versioned, db.Model):
    """A tenant's overrides of the national dues rates (one row per tenant; absent: the
    national defaults). ``overrides`` holds what the tenant administrator set, as JSON
    (amounts and rates as strings, so nothing passes through a float)."""

    __tablename__ = "dues_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    overrides: Mapped[dict] = mapped_column(JSON, default=dict)


class DuesBase(TenantOwned, Timestamps, Versioned, db.Model):
    """A member's dues base from month ``effective_from`` until the next row's month.

    ``base`` is the monthly after-tax pay the brackets apply to. ``fixed_amount`` (with its
    ``fixed_reason``) replaces the computed amount for special cases (a hardship reduction
    approved by the committee, a voluntary larger amount)."""

    __tablename__ = "dues_bases"
    __table_args__ = (
        tenant_fk("member_id", "members", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "member_id", "effective_from"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    effective_from: Mapped[date] = mapped_column(Date)
    base: Mapped[Decimal | None] = mapped_column(MONEY)
    fixed_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    fixed_reason: Mapped[str | None] = mapped_column(Text)


class DuesPayment(TenantOwned, Timestamps, db.Model):
    """Dues paid by a member for one month. An advance or back-payment covering several
    months is several rows, one per month, so "is this month paid?" is always one row and a
    month can never be paid twice (the unique key)."""

    __tablename__ = "dues_payments"
    __table_args__ = (
        tenant_fk("member_id", "members", ondelete="CASCADE"),
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "member_id", "month"),
        Index("ix_dues_payments_tenant_month", "tenant_id", "month"),
        Index("ix_dues_payments_tenant_org_month", "tenant_id", "org_id", "month"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The member's organisation when the payment was recorded (the branch's ledger).
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    month: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    channel: Mapped[str] = mapped_column(String(16))
    paid_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200), default="system")
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Why a month older than the back-payment window was accepted (tenant_admin only).
    override_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class FinanceRole(TenantOwned, Timestamps, Versioned, db.Model):
    """Who keeps an organisation's dues: its accountant (会计) or cashier (出纳), from
    ``since`` to ``until`` (NULL: still holds it). The holder is a register member or a
    named person; ``qualified`` records 会计从业资格 / financial knowledge, ``qualification_note``
    what it rests on. Rows are kept when a term ends: they are the history."""

    __tablename__ = "dues_finance_roles"
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        tenant_fk("member_id", "members"),
        Index("ix_dues_finance_roles_tenant_org", "tenant_id", "org_id", "until"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    role: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    person_name: Mapped[str | None] = mapped_column(String(50))
    qualified: Mapped[bool] = mapped_column(default=False)
    qualification_note: Mapped[str | None] = mapped_column(Text)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
