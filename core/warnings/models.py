"""Warnings (预警) and the per-tenant settings of the rules that raise them.

A :class:`Warning` is one finding of one rule kept over time: opened by the sweep that first
sees it, kept (the same row, figures refreshed, ``last_seen_at`` moved on) while later sweeps
still see it, resolved by the first sweep that no longer does. A later finding of the same
thing opens a new row: the resolved one is history.

**One open warning per (tenant, rule, organisation, subject).** ``subject_id`` is NULL for an
organisation-level rule, and NULL never collides in a unique index, so the index is on a
generated-by-us, never-NULL ``subject_key`` instead: the subject id as text, or ``""`` for
an organisation-level finding. The index is partial (``WHERE state = 'open'``) on both
PostgreSQL and SQLite, so any number of resolved rows may share the key.

Warnings are written by the sweep in bulk and are their own trail (opened, last seen,
resolved, acknowledged by whom), so they are not copied into the audit log; the settings a
tenant admin changes (:class:`RuleSetting`) are audited like every other table.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

OPEN = "open"
RESOLVED = "resolved"
STATES = (OPEN, RESOLVED)


class Warning(TenantOwned, Timestamps, db.Model):  # noqa: A001 - the domain's word (预警)
    __tablename__ = "warnings"
    __audited__ = False
    __table_args__ = (
        tenant_fk("org_id", "organizations"),
        Index(
            "uq_warnings_open_finding",
            "tenant_id", "rule_key", "org_id", "subject_key",
            unique=True,
            postgresql_where=text("state = 'open'"),
            sqlite_where=text("state = 'open'"),
        ),
        Index("ix_warnings_tenant_rule_state", "tenant_id", "rule_key", "state"),
        Index("ix_warnings_tenant_org_state", "tenant_id", "org_id", "state"),
    )

    rule_key: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    subject_type: Mapped[str | None] = mapped_column(String(16))  # member / person; NULL: org
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    subject_key: Mapped[str] = mapped_column(String(36), default="")  # see the module docstring
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)  # the rule's template filled with the figures
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)
    # Counts acknowledgements, the one part of a warning people write: an acknowledgement
    # sent with the version it read is a compare-and-set (core.warnings.service). Not the
    # mapper's version counter: the sweeps re-stamp and resolve warnings in bulk, and those
    # are no conflict with what someone wrote about it.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    def __repr__(self) -> str:
        return f"<Warning {self.rule_key} {self.state} org={self.org_id}>"


class RuleSetting(TenantOwned, Timestamps, Versioned, db.Model):
    """A tenant's choice for one rule: on or off, and parameter overrides (validated by the
    rule's params schema when written; re-validated on every sweep)."""

    __tablename__ = "warning_rule_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "rule_key"),)

    rule_key: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<RuleSetting {self.rule_key} enabled={self.enabled}>"
