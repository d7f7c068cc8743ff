"""A fault-injection point for the fault tests (``tests/faults``); inert in production.

``DANGJIAN_FAULT_STALL_AT_PROGRESS=N`` in a process's environment makes the *first* attempt
of every job it runs stop for good as soon as the job reports progress ``N`` or more: it
prints ``STALLED job=<id> pid=<pid> progress=<p>`` on standard error and sleeps. The tests then
kill the process there — a worker dying at a known step, after some of the job's writes and
before its commit — and check what is left. Later attempts (a retry) run through.

Nothing sets the variable but those tests; unset, :func:`stall_point` is ``None`` and the
progress writer never calls :func:`stall`.
"""

from __future__ import annotations

import os
import sys
import time

VARIABLE = "DANGJIAN_FAULT_STALL_AT_PROGRESS"
MARKER = "STALLED"


def stall_point(attempt: int) -> int | None:
    raw = os.environ.get(VARIABLE)
    if not raw or attempt != 1:
        return None
    return int(raw)


def stall(job_id, percent: int) -> None:  # pragma: no cover - ends only by a signal
    sys.stderr.write(f"{MARKER} job={job_id} pid={os.getpid()} progress={percent}\n")
    sys.stderr.flush()
    while True:
        time.sleep(3600)
