"""Mixins shared by the slices' models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, ForeignKeyConstraint, Integer, Uuid
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.db.base import new_id


def utcnow() -> datetime:
    return datetime.now(UTC)


class TenantOwned:
    """Every tenant-owned table: primary key ``(tenant_id, id)``.

    Queries on these models are scoped to the current tenant automatically
    (:mod:`core.tenancy.scoping`); on PostgreSQL a row-level security policy on ``tenant_id``
    is a second, independent wall (:mod:`core.tenancy.rls`).
    """

    __tenant_owned__ = True

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(
            ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
            sort_order=-100,
        )

    @declared_attr
    def id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(Uuid, primary_key=True, default=new_id, sort_order=-99)


class Timestamps:
    @declared_attr
    def created_at(cls) -> Mapped[datetime]:
        return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    @declared_attr
    def updated_at(cls) -> Mapped[datetime]:
        return mapped_column(
            DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
        )


class Versioned:
    """Optimistic locking for a record people edit: a ``version`` counter SQLAlchemy puts in
    every UPDATE's WHERE clause (``version_id_col``), so a write based on a read that someone
    else's write has since overtaken changes nothing and raises ``StaleDataError`` — a 409
    naming ``version`` (:mod:`core.db.versioning`) instead of a silently lost update. Callers
    that send the version they read are checked before anything changes
    (:func:`core.db.versioning.expect`).

    New rows start at 1 (also rows a bulk insert or raw SQL adds: the server default), and
    so did every existing row when the column was added. A model whose rows also change
    for reasons that must not count as an edit (a login stamping ``last_login_at``) sets
    ``__version_counter__ = False``: the WHERE check stays, and its editing services bump
    the counter themselves (:func:`core.db.versioning.bump`).
    """

    __version_counter__ = True

    @declared_attr
    def version(cls) -> Mapped[int]:
        return mapped_column(Integer, default=1, server_default="1", nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        args = {"version_id_col": cls.version}
        if not cls.__version_counter__:
            args["version_id_generator"] = False
        return args


def tenant_fk(column: str, target_table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    """Composite FK ``(tenant_id, column) -> target_table(tenant_id, id)``.

    Because ``tenant_id`` is part of the key, a row can only ever point at a row of its own
    tenant: the database refuses anything else.
    """
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        ondelete=ondelete,
    )
