"""Member points models: the ledger, each member's account, the tenant's own rules and its
changes to plugin rules, QR cards, and redemption (积分金银卡: partners, offers, redemptions).

Points are ``Numeric(12, 2)`` and :class:`~decimal.Decimal` in Python, never floats.

The ledger (:class:`PointEntry`) and the accounts (:class:`PointAccount`) are not copied
into the audit log: an entry carries who recorded it, who approved or rejected it and when
(it is its own trail, like member events), and an account is derived from the entries and
the redemptions. Collecting a city's attendance writes hundreds of thousands of entries a
year; an audit row for each would double that for nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

POINTS = Numeric(12, 2)
STATUSES = ("pending", "approved", "rejected")
LEVELS = ("silver", "gold")  # 银卡, 金卡
REDEMPTION_STATUSES = ("issued", "used")


class PointEntry(TenantOwned, Timestamps, db.Model):
    """One deed in a member's ledger.

    ``requested_points`` is what the rule gave when the entry was recorded; ``points`` what
    was awarded on approval (NULL until then, and for a rejected entry) — less than
    requested when the rule's yearly cap was reached, with ``cap_note`` saying so.
    ``org_id`` is the member's organisation when the entry was recorded. ``source_ref``
    names the record a collected entry came from (``"meeting:<id>"``): one entry per rule,
    member and record, which is what makes collecting idempotent (NULL for entries recorded
    by hand, which never collide).
    """

    __tablename__ = "point_entries"
    __audited__ = False
    __table_args__ = (
        tenant_fk("member_id", "members"),
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "rule_key", "member_id", "source_ref"),
        Index("ix_point_entries_tenant_member_occurred", "tenant_id", "member_id", "occurred_on"),
        Index("ix_point_entries_tenant_status_occurred", "tenant_id", "status", "occurred_on"),
        Index("ix_point_entries_tenant_org_status", "tenant_id", "org_id", "status"),
        Index("ix_point_entries_tenant_batch", "tenant_id", "batch_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    rule_key: Mapped[str] = mapped_column(String(100))
    rule_name: Mapped[str] = mapped_column(String(200))  # as it was named when recorded
    category: Mapped[str] = mapped_column(String(20))
    requested_points: Mapped[Decimal] = mapped_column(POINTS)
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    cap_note: Mapped[str | None] = mapped_column(Text)
    occurred_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)  # a collected deed's facts
    source_ref: Mapped[str | None] = mapped_column(String(200))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the collect run that added it
    # An optional attachment kept by core.files.
    attachment_name: Mapped[str | None] = mapped_column(String(64))
    attachment_original_name: Mapped[str | None] = mapped_column(String(255))
    attachment_type: Mapped[str | None] = mapped_column(String(8))
    attachment_content_type: Mapped[str | None] = mapped_column(String(100))
    attachment_size: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending")
    recorded_by: Mapped[str] = mapped_column(String(200), default="system")
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    approved_by: Mapped[str | None] = mapped_column(String(200))  # or rejected by
    approved_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str | None] = mapped_column(Text)


class PointAccount(TenantOwned, Timestamps, db.Model):
    """A member's running totals: ``earned`` (approved points, all time, signed) and
    ``redeemed``; the balance is ``earned - redeemed``.

    The row's id *is* the member's id, so an account can be added for every member in one
    ``INSERT … SELECT`` without generating ids in Python. The row is the lock that
    serialises everything changing a member's points: approving an entry locks it before
    reading how much of a cap is left, and a redemption is one conditional UPDATE of it.
    """

    __tablename__ = "point_accounts"
    __audited__ = False
    __table_args__ = (
        tenant_fk("member_id", "members"),
        UniqueConstraint("tenant_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    earned: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"))
    redeemed: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"))


class TenantPointRule(TenantOwned, Timestamps, Versioned, db.Model):
    """A rule a tenant administrator defined (key ``tenant.<slug>``): same shape as a
    plugin's :class:`~core.points.rules.PointRule`, recorded by hand, never collected."""

    __tablename__ = "point_tenant_rules"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    points: Mapped[Decimal] = mapped_column(POINTS)
    category: Mapped[str] = mapped_column(String(20))
    yearly_cap: Mapped[Decimal | None] = mapped_column(POINTS)
    evidence_required: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)


class PointRuleOverride(TenantOwned, Timestamps, Versioned, db.Model):
    """A tenant's changes to a plugin's rule: switched off, other points, another cap.

    ``points`` NULL keeps the plugin's; the cap is replaced only when ``cap_overridden``
    (then ``yearly_cap`` NULL means no cap at all)."""

    __tablename__ = "point_rule_overrides"
    __table_args__ = (UniqueConstraint("tenant_id", "rule_key"),)

    rule_key: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    cap_overridden: Mapped[bool] = mapped_column(default=False)
    yearly_cap: Mapped[Decimal | None] = mapped_column(POINTS)


class MemberCard(TenantOwned, Timestamps, db.Model):
    """A member's QR card: the signed token carries ``nonce``; rotating the card changes
    it and deleting the row revokes it, so an old token no longer matches anything."""

    __tablename__ = "point_cards"
    __table_args__ = (
        tenant_fk("member_id", "members"),
        UniqueConstraint("tenant_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    nonce: Mapped[str] = mapped_column(String(64), info={"audit": False})
    issued_by: Mapped[str] = mapped_column(String(200), default="system")


class Partner(TenantOwned, Timestamps, Versioned, db.Model):
    """A merchant (合作商家) that accepts points. ``verify_key_hash`` is the SHA-256 of the
    key the merchant uses to check and mark redemption codes without an account."""

    __tablename__ = "point_partners"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    verify_key_hash: Mapped[str | None] = mapped_column(String(64), info={"audit": False})


class Offer(TenantOwned, Timestamps, Versioned, db.Model):
    """Something a partner gives for ``cost`` points; ``stock`` NULL means unlimited;
    ``min_level`` limits it to silver or gold card holders."""

    __tablename__ = "point_offers"
    __table_args__ = (
        tenant_fk("partner_id", "point_partners"),
        Index("ix_point_offers_tenant_partner", "tenant_id", "partner_id"),
    )

    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[Decimal] = mapped_column(POINTS)
    stock: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    valid_until: Mapped[date | None] = mapped_column(Date)
    min_level: Mapped[str | None] = mapped_column(String(10))


class Redemption(TenantOwned, Timestamps, db.Model):
    """Points a member spent on an offer; ``code`` is what the merchant checks and marks
    used (unique in the tenant)."""

    __tablename__ = "point_redemptions"
    __table_args__ = (
        tenant_fk("member_id", "members"),
        tenant_fk("offer_id", "point_offers"),
        tenant_fk("partner_id", "point_partners"),
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "code"),
        Index("ix_point_redemptions_tenant_member", "tenant_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    offer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    offer_name: Mapped[str] = mapped_column(String(200))
    cost: Mapped[Decimal] = mapped_column(POINTS)
    code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="issued")
    redeemed_by: Mapped[str] = mapped_column(String(200), default="system")
    redeemed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[str | None] = mapped_column(String(200))
