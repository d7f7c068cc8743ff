"""Users, their role grants and their API tokens.

All three are tenant-owned: a user exists in one city only, and a username is unique within
its tenant. Secrets are never stored in clear: passwords as argon2 hashes, tokens as the
SHA-256 of their random part (a token is high-entropy, so a fast hash is enough and lets the
lookup be an indexed equality).

No ORM relationships on purpose: ``tenant_id`` is part of every foreign key, and two
relationships writing the same ``tenant_id`` column would conflict; services query explicitly.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

# Highest first: a role implies every role after it (see core.auth.permissions).
ROLES = ("platform_operator", "tenant_admin", "org_manager", "branch_secretary", "member")

# Roles that only make sense for the whole tenant: their grants never name an organisation.
TENANT_WIDE_ROLES = ("platform_operator", "tenant_admin")


class User(TenantOwned, Timestamps, Versioned, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "username"),
        # A member of the register has at most one account (their own points, their card).
        UniqueConstraint("tenant_id", "member_id"),
        tenant_fk("member_id", "members"),
    )
    # A login stamps the row (last_login_at, the failure counter): that is no edit of the
    # account, so only the administrators' changes count a version (core.auth.service).
    __version_counter__ = False

    # Stored lower-case: logins are case-insensitive.
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # Never recorded by the audit log, never serialised by any schema.
    password_hash: Mapped[str] = mapped_column(String(255), info={"audit": False})
    is_active: Mapped[bool] = mapped_column(default=True)
    # Consecutive failed logins; only ever changed with a single UPDATE (concurrency-safe).
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The register member this account belongs to, if any (set by a tenant administrator).
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleGrant(TenantOwned, Timestamps, db.Model):
    """``user`` holds ``role`` on ``org`` and its whole subtree, or tenant-wide when
    ``org_id`` is NULL."""

    __tablename__ = "role_grants"
    __table_args__ = (
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        tenant_fk("org_id", "organizations", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "user_id", "role", "org_id"),
        CheckConstraint(
            "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role_known"
        ),
        Index("ix_role_grants_tenant_org", "tenant_id", "org_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    def __repr__(self) -> str:
        return f"<RoleGrant {self.role} org={self.org_id}>"


class ApiToken(TenantOwned, Timestamps, db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "token_hash"),
        Index("ix_api_tokens_tenant_user", "tenant_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # hex SHA-256 of the token's secret part; the secret itself is shown once and forgotten.
    token_hash: Mapped[str] = mapped_column(String(64), info={"audit": False})
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
