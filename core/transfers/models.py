"""Transfer letters (tenant-owned) and transfer envelopes (global, between tenants).

A :class:`TransferLetter` is a tenant's own record of a transfer (介绍信): ``internal`` (to
another organisation of the same tenant), ``outgoing`` (to another tenant) or ``incoming``
(the receiving tenant's copy, written when it accepts; it is also the receipt that makes a
retried accept harmless). ``version`` makes every change of a letter a compare-and-set, so a
cancel racing an accept cannot both succeed.

A :class:`TransferEnvelope` carries an outgoing letter to the receiving tenant. It is read and
written under *both* tenants, so it is global (no ``tenant_id`` column, hence no row-level
security policy): everything personal in it is encrypted with the deployment's keyring, and a
``SELECT`` on it shows codes, tenant ids, states and dates only.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, db, tenant_fk
from core.db.encrypted import EncryptedString, keyring

KINDS = ("internal", "outgoing", "incoming")
PENDING, COMPLETED, REFUSED, EXPIRED, CANCELLED = (
    "pending", "completed", "refused", "expired", "cancelled"
)
# A letter's status. A sender's letter goes from ``pending`` straight to one of the others, in
# one transaction with its effects; the window between the receiver's accept and the sender's
# completion is the envelope's ``accepted`` state (shown as the letter's ``exchange_state``).
LETTER_STATUSES = (PENDING, COMPLETED, REFUSED, EXPIRED, CANCELLED)

OFFERED, ACCEPTED = "offered", "accepted"
ENVELOPE_STATES = (OFFERED, ACCEPTED, COMPLETED, REFUSED, EXPIRED, CANCELLED)
# Envelope states that still need the sender's letter to follow (see core.transfers.exchange).
SENDER_FOLLOW_UP = (ACCEPTED, REFUSED)


class EncryptedJSON(EncryptedString):
    """A JSON document encrypted as a whole (a member's record carried with a letter).

    A subclass of :class:`EncryptedString`, so the audit log masks it like any encrypted
    column. Assign a new value to change it: in-place mutation is not tracked.
    """

    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return keyring().encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return json.loads(keyring().decrypt(value))


class TransferLetter(TenantOwned, Timestamps, db.Model):
    __tablename__ = "transfer_letters"
    __table_args__ = (
        tenant_fk("member_id", "members"),
        UniqueConstraint("tenant_id", "code"),
        # One open letter per member: a second one would transfer the same person twice.
        Index(
            "uq_transfer_letters_open_member",
            "tenant_id",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_transfer_letters_tenant_status", "tenant_id", "status", "expires_on"),
    )

    code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # Organisation ids carry no foreign key, as in member history: a letter outlives a merged
    # or dissolved organisation's place in the tree.
    from_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # internal / outgoing
    to_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # internal / incoming
    # The other tenant (outgoing: the receiver; incoming: the sender). No foreign key: a tenant
    # table's one reference to ``tenants`` is its own ``tenant_id``.
    peer_tenant_id: Mapped[int | None] = mapped_column(Integer)
    # Outgoing: the receiving organisation as the sender named it (its code or a description);
    # incoming: the sending organisation, "name (code)".
    peer_org: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(String(200), default="system")
    closed_by: Mapped[str | None] = mapped_column(String(200))
    # The member's record as it was when the letter was issued (or received): the document
    # that travels with the person.
    snapshot: Mapped[dict] = mapped_column(EncryptedJSON)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<TransferLetter {self.code} {self.kind} {self.status}>"


class TransferEnvelope(Timestamps, db.Model):
    __tablename__ = "transfer_envelopes"
    __table_args__ = (
        Index("ix_transfer_envelopes_to_state", "to_tenant_id", "state"),
        Index("ix_transfer_envelopes_from_state", "from_tenant_id", "state"),
    )

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    # Never name a column ``tenant_id`` here: that would put the table under row-level
    # security, and the receiving tenant could no longer read what the sender wrote.
    from_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    to_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=OFFERED)
    # {"member": <record>, "from_org": {...}, "to_org": ..., "reason": ..., "issued_on": ...}
    payload: Mapped[dict] = mapped_column(EncryptedJSON)
    refusal_reason: Mapped[str | None] = mapped_column(EncryptedString)
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<TransferEnvelope {self.code} {self.state}>"
