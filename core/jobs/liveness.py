"""Is a ``started`` job still being run? Who runs an attempt, its heartbeat, and the verdict.

A worker can die in the middle of a job — ``kill -9``, the OOM killer, a lost host — and then
nothing ever updates its row: it would show ``started`` forever and hold the tenant's job lock.
Two signs tell a live attempt from a dead one:

* **its process** — every attempt records ``runner = "host:pid:nonce"``. On the same host, a
  process that no longer exists (or is a zombie) is dead at once. This is all SQLite has: there
  the job's own transaction holds the database's only write lock, so no heartbeat can be
  written while it runs — and a SQLite file is used by one host anyway.
* **its heartbeat** (PostgreSQL) — a thread of the attempt's process writes ``heartbeat_at``
  every ``JOB_HEARTBEAT_SECONDS`` (default 15) in its own short transaction, with the
  database's clock (one clock for every host). No heartbeat for :func:`stale_after`
  (4 intervals) means the attempt is dead, wherever it ran.

The verdict is used by :mod:`core.jobs.recovery`. A heartbeat write never revives an attempt
already declared dead: it only touches the row while it is still ``started`` by this attempt.
"""

from __future__ import annotations

import contextvars
import logging
import os
import secrets
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.db import db
from core.db.mixins import utcnow
from core.jobs.models import STARTED, Job

log = logging.getLogger(__name__)

DEFAULT_HEARTBEAT_SECONDS = 15
MISSED_BEATS = 4  # heartbeats an attempt may miss (a database blip) before it counts as dead


def heartbeat_seconds(app: Flask) -> float:
    return float(app.config.get("JOB_HEARTBEAT_SECONDS") or DEFAULT_HEARTBEAT_SECONDS)


def stale_after(app: Flask) -> timedelta:
    """How long without a heartbeat before an attempt counts as dead."""
    return timedelta(seconds=heartbeat_seconds(app) * MISSED_BEATS)


def new_runner() -> str:
    """This process's name for one attempt: ``host:pid:nonce``."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(6)}"


@dataclass(frozen=True)
class Runner:
    host: str
    pid: int | None

    @classmethod
    def parse(cls, runner: str | None) -> Runner | None:
        if not runner:
            return None
        parts = runner.rsplit(":", 2)
        if len(parts) != 3:
            return None
        host, pid, _nonce = parts
        return cls(host, int(pid) if pid.isdigit() else None)

    def here(self) -> bool:
        return self.host == socket.gethostname()


def process_exists(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (a zombie — killed, not yet reaped — does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        pass
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (or it just ended): trust kill(0)
    return state not in ("Z", "X")


def uses_heartbeat() -> bool:
    """Heartbeats are written on every database but SQLite (see the module docstring)."""
    return db.engine.dialect.name != "sqlite"


def database_now(session: Session) -> datetime:
    """Now by the database's clock (PostgreSQL), which heartbeats are written with."""
    if session.get_bind().dialect.name == "sqlite":
        return utcnow()
    return session.scalar(select(func.now()))


def death_reason(app: Flask, job: Job, now: datetime) -> str | None:
    """Why the ``started`` attempt of ``job`` is dead (English, for logs and the API), or
    ``None`` while it may still be running. ``now`` comes from :func:`database_now`."""
    if job.state != STARTED:
        return None
    runner = Runner.parse(job.runner)
    if (
        runner is not None
        and runner.pid is not None
        and runner.here()
        and not process_exists(runner.pid)
    ):
        return f"its process {runner.pid} on {runner.host} no longer exists"
    if job.heartbeat_at is None or not uses_heartbeat():
        return None
    beat = job.heartbeat_at
    if beat.tzinfo is None and now.tzinfo is not None:
        beat = beat.replace(tzinfo=now.tzinfo)
    silent = now - beat
    if silent > stale_after(app):
        return f"no heartbeat for {int(silent.total_seconds())} s"
    return None


class Heartbeat:
    """While an attempt runs, a daemon thread writes its ``heartbeat_at`` every interval, in
    its own transaction, and only while the row is still ``started`` by this attempt.

    Used as a context manager around the job function; a no-op on SQLite. A failed write (the
    database briefly away) is logged and tried again at the next beat.
    """

    def __init__(self, app: Flask, job_id: uuid.UUID, attempt: int):
        self.app, self.job_id, self.attempt = app, job_id, attempt
        self.interval = heartbeat_seconds(app)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if not uses_heartbeat():
            return self
        engine = db.engine
        context = contextvars.copy_context()  # the tenant (scoping and row-level security)
        self._thread = threading.Thread(
            target=context.run,
            args=(self._beat_until_stopped, engine),
            name=f"job-heartbeat-{self.job_id}",
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=self.interval + 5)

    def _beat_until_stopped(self, engine) -> None:
        while not self._stop.wait(self.interval):
            try:
                with Session(engine) as session:
                    session.execute(
                        update(Job)
                        .where(
                            Job.id == self.job_id,
                            Job.state == STARTED,
                            Job.attempts == self.attempt,
                        )
                        .values(heartbeat_at=func.now())
                        .execution_options(synchronize_session=False)
                    )
                    session.commit()
            except Exception:  # noqa: BLE001 - a missed beat is survivable; MISSED_BEATS allows it
                log.warning("job %s: heartbeat not written", self.job_id, exc_info=True)
