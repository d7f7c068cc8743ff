"""Reading the audit log: filtered, paged listings and one object's history.

Entries are tenant-owned, so every query here is scoped to the current tenant like any other;
there is deliberately no function that changes or removes an entry.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Select, func, select

from core.audit import recorder
from core.audit.models import AuditEntry
from core.db import db


def _utc(moment: datetime) -> datetime:
    """Compare in UTC: entries are written in UTC (SQLite keeps the wall clock, no offset)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01 with a positive offset, 9999-12-31 with a negative one
        return datetime.min.replace(tzinfo=UTC) if moment.year == 1 else datetime.max.replace(
            tzinfo=UTC)


def _filters(*, object_type=None, object_id=None, actor=None, action=None, since=None,
             until=None) -> list:
    clauses = []
    if object_type is not None:
        clauses.append(AuditEntry.object_type == object_type)
    if object_id is not None:
        clauses.append(AuditEntry.object_id == object_id)
    if actor is not None:
        try:
            clauses.append(AuditEntry.actor_user_id == uuid.UUID(actor))
        except ValueError:
            clauses.append(AuditEntry.actor_label == actor)
    if action is not None:
        clauses.append(AuditEntry.action == action)
    if since is not None:
        clauses.append(AuditEntry.at >= _utc(since))
    if until is not None:
        clauses.append(AuditEntry.at <= _utc(until))
    return clauses


def list_entries(*, page: int = 1, page_size: int = 50, **filters) -> tuple[list[AuditEntry], int]:
    """The current tenant's entries matching ``filters``, newest first, and their total.

    Filters (all optional): ``object_type``, ``object_id``, ``actor`` (a label such as
    ``"user:alice"``, or a user id), ``action``, ``since`` / ``until`` (inclusive datetimes).
    """
    clauses = _filters(**filters)
    rows = entries_statement(**filters).limit(page_size).offset((page - 1) * page_size)
    total = select(func.count()).select_from(AuditEntry).where(*clauses)
    return list(db.session.scalars(rows)), db.session.scalar(total)


def entries_statement(**filters) -> Select:
    """The SELECT behind :func:`list_entries`, newest first, unpaged: for a caller that pages
    it itself (the web page's pager). Same filters."""
    return (
        select(AuditEntry)
        .where(*_filters(**filters))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )


def object_types() -> list[str]:
    """The tables the current tenant's log mentions, for a filter's choices (one DISTINCT
    over the ``(tenant_id, object_type, object_id)`` index)."""
    return list(db.session.scalars(select(AuditEntry.object_type).distinct()
                                   .order_by(AuditEntry.object_type)))


def history(obj) -> list[AuditEntry]:
    """Every recorded change of ``obj`` (an object of an audited model), oldest first."""
    key = recorder.object_key(obj)
    if key is None:
        raise ValueError(f"{type(obj).__name__} is not audited")
    object_type, object_id = key
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(db.session.scalars(stmt))
