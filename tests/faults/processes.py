"""Real ``dangjian`` processes for the fault tests: started on the test's database (and Redis),
stopped at a known step, killed like a crashed host.

* :func:`environment` — what a process needs to work on the ``app`` fixture's database:
  its URL, ``SECRET_KEY`` (the personal fields' keys derive from it), the instance folder
  (uploads), Redis and the queue on the PostgreSQL leg — none on SQLite (jobs in-process).
* :class:`Dangjian` — ``dangjian <args>`` as a child in its own session; its standard error is
  read by a thread, so :meth:`Dangjian.wait_for_stall` can wait for the
  ``DANGJIAN_FAULT_STALL_AT_PROGRESS`` marker (:mod:`core.jobs.faults`) without blocking, and
  :meth:`Dangjian.crash` SIGKILLs every process of the session at once — the worker, its
  work-horse (which rq puts in a process group of its own), a reading child, the scheduler —
  as a machine losing power would.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from core.jobs import faults

DANGJIAN = str(Path(sys.executable).with_name("dangjian"))
OWN_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "JOB_QUEUE",
    "SECRET_KEY",
    "JOB_MAX_RETRIES",
    "JOB_HEARTBEAT_SECONDS",
    faults.VARIABLE,
)


def environment(app, **extra: str | int | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in OWN_VARIABLES and k.removeprefix("DANGJIAN_") not in OWN_VARIABLES
    }
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY=app.config["SECRET_KEY"],
        DANGJIAN_INSTANCE_PATH=app.instance_path,
        JOB_MAX_RETRIES=str(app.config["JOB_MAX_RETRIES"]),
        JOB_HEARTBEAT_SECONDS="1",
        DANGJIAN_LOG_LEVEL="INFO",
    )
    if app.config.get("REDIS_URL"):
        env.update(REDIS_URL=app.config["REDIS_URL"], JOB_QUEUE=app.config["JOB_QUEUE"])
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


@dataclass
class Stall:
    job_id: str
    pid: int
    progress: int


class Dangjian:
    """``dangjian *args`` running as a child process (see the module docstring)."""

    def __init__(self, env: dict[str, str], *args: str):
        self.args = args
        self.process = subprocess.Popen(
            [DANGJIAN, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def log(self) -> str:
        """The last lines it printed (for an assertion's message)."""
        self._drain()
        return "\n".join(self.lines[-80:])

    def output(self) -> str:
        """Everything it printed so far."""
        self._drain()
        return "\n".join(self.lines)

    def _drain(self) -> None:
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                return
            if line is not None:
                self.lines.append(line)

    def wait_for_stall(self, timeout: float = 180) -> Stall:
        """Block until the process says it stalled (:mod:`core.jobs.faults`)."""
        deadline = time.monotonic() + timeout
        ended = 0
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                ended += 1
                if ended == len(self._readers):
                    break
                continue
            self.lines.append(line)
            if line.startswith(faults.MARKER + " "):
                fields = dict(part.split("=", 1) for part in line.split()[1:])
                return Stall(fields["job"], int(fields["pid"]), int(fields["progress"]))
        raise AssertionError(f"`dangjian {' '.join(self.args)}` never stalled:\n{self.log()}")

    def session_pids(self) -> list[int]:
        """Every live process of the child's session (the child leads it)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(stat[3]) == self.process.pid and stat[0] != "Z":  # field 6: the session
                pids.append(int(entry.name))
        return pids

    def crash(self) -> None:
        """SIGKILL every process of the session, then reap the child."""
        for pid in self.session_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while self.session_pids() and time.monotonic() < deadline:
            time.sleep(0.05)  # orphans are reaped by init
        assert not self.session_pids(), "processes of the crashed session are still alive"

    def finish(self, timeout: float = 300) -> int:
        """Wait for the process to end by itself; its exit status."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.crash()
            raise AssertionError(
                f"`dangjian {' '.join(self.args)}` did not end:\n{self.log()}"
            ) from None
        for reader in self._readers:
            reader.join(timeout=5)
        self._drain()
        return code

    def stop(self, timeout: float = 60) -> int:
        """A warm shutdown (SIGTERM), as a supervisor stops a worker; its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.finish(timeout)

    def __enter__(self) -> Dangjian:
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.crash()
