"""Per-tenant plugin state: enabled or not, and the tenant's setting overrides."""

from __future__ import annotations

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db


class TenantPlugin(TenantOwned, Timestamps, Versioned, db.Model):
    """A row per (tenant, installed plugin) the tenant has configured.

    Disabling keeps the row (and every row of the plugin's own tables): enabling again brings
    the plugin's data back exactly as it was.
    """

    __tablename__ = "tenant_plugins"
    __table_args__ = (UniqueConstraint("tenant_id", "plugin"),)

    plugin: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
