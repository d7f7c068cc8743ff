"""The ``jobs`` table: one row per enqueued job, the record of truth for its state.

rq keeps its own bookkeeping in Redis, but that expires and knows nothing of tenants; the API
and the UI read this row. ``__audited__ = False``: progress updates are noise in the audit log.

A running attempt says who runs it (``runner``: host, process id and a nonce — also the token
of the tenant's job lock) and stays alive on ``heartbeat_at`` (:mod:`core.jobs.liveness`), so
an attempt whose process was killed is found and ended (:mod:`core.jobs.recovery`) instead of
showing ``started`` forever.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, db

QUEUED = "queued"
STARTED = "started"
RETRYING = "retrying"
FINISHED = "finished"
FAILED = "failed"
STATES = (QUEUED, STARTED, RETRYING, FINISHED, FAILED)
DONE_STATES = (FINISHED, FAILED)

BACKENDS = ("rq", "inline")

MESSAGE_MAX = 500
ERROR_MAX = 2000
RUNNER_MAX = 300


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Job(TenantOwned, Timestamps, db.Model):
    __tablename__ = "jobs"
    __audited__ = False
    __table_args__ = (
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint(_in("backend", BACKENDS), name="backend"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        Index("ix_jobs_tenant_creator", "tenant_id", "created_by_user_id", "created_at"),
        Index("ix_jobs_tenant_state", "tenant_id", "state"),  # the recovery sweep's lookup
    )

    name: Mapped[str] = mapped_column(String(200))
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX), default="")
    result: Mapped[object | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=1)
    # Who enqueued it: the actor's label ("user:alice", "cli:root") and, for a user, the id.
    created_by: Mapped[str] = mapped_column(String(200))
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    backend: Mapped[str] = mapped_column(String(16))
    # The running attempt: "host:pid:nonce" of its process, and its last sign of life.
    runner: Mapped[str | None] = mapped_column(String(RUNNER_MAX))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<Job {self.name} {self.state} {self.progress}%>"
