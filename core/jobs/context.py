"""What a job function receives and may raise. Re-exported by :mod:`core.sdk` for plugins."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from core.jobs.models import MESSAGE_MAX


class TransientJobError(Exception):
    """A failure worth retrying: a lock, a timeout, a service briefly away.

    The job is marked ``retrying`` and run again (rq waits ``JOB_RETRY_INTERVALS`` seconds
    between attempts); after ``JOB_MAX_RETRIES`` retries it is ``failed`` with this message.
    """


@dataclass
class JobContext:
    """Passed as the first argument of every job function.

    ``tenant_id`` / ``job_id`` identify the run; ``attempt`` counts from 1 and is
    ``max_attempts`` on the last try. Call :meth:`progress` as the work advances.
    """

    name: str
    tenant_id: int
    job_id: uuid.UUID
    attempt: int
    max_attempts: int
    _report: Callable[[int, str], None] = field(repr=False)

    def progress(self, percent: float, message: str = "") -> None:
        """Record progress (0–100, clamped) and a short message shown to the user.

        On PostgreSQL it is committed at once, in its own transaction, so the API shows it while
        the job runs; repeating the same values writes nothing. Report every few percent, not
        every row.
        """
        value = max(0, min(100, int(percent)))
        self._report(value, str(message or "")[:MESSAGE_MAX])
