"""Private servers for the fault tests, started and killed by the test itself — never the
machine's shared PostgreSQL or Redis, which other work uses.

* :class:`PrivateRedis` — ``redis-server`` on a free port in a temporary folder, without
  persistence; :meth:`~PrivateRedis.kill` SIGKILLs it, :meth:`~PrivateRedis.start` brings it
  back on the same port.
* :class:`PrivatePostgres` — ``initdb`` + ``pg_ctl`` on a free port in a temporary folder;
  :meth:`~PrivatePostgres.restart` is ``pg_ctl restart -m fast``, which ends every session.
* :func:`second_app` — another app object on the test's database (or another one), for a
  configuration the session's ``app`` fixture does not have.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)


class PrivatePostgres:
    """A private cluster; run as the ``postgres`` system user when the tests run as root
    (``initdb`` refuses root)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="dangjian-faults-pg-"))
        self.port = free_port()
        self.data = self.folder / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self.options = ["-o", options, "-l", str(self.folder / "log")]

    def _run(self, *command: str) -> None:
        subprocess.run([*self.prefix, *command], check=True, capture_output=True)

    def _ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", *args)

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        self._ctl(*self.options, "start")

    def restart(self) -> None:
        """A fast restart: every session is ended, as on a server's restart or fail-over."""
        self._ctl(*self.options, "-m", "fast", "restart")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def start(self) -> None:
        self._ctl(*self.options, "start")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def private_postgres():
    if shutil.which("pg_ctl") is None or shutil.which("initdb") is None:
        pytest.skip("pg_ctl/initdb are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: initdb refuses root")
    server = PrivatePostgres()
    try:
        server.init()
        yield server
    finally:
        server.remove()


def second_app(app, **config):
    """Another app on the ``app`` fixture's database (unless ``config`` says otherwise)."""
    from core.app import create_app

    settings = {
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PASSWORD_HASH_FAST": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config.get("REDIS_URL"),
        "JOB_QUEUE": app.config.get("JOB_QUEUE", "dangjian"),
    }
    settings.update(config)
    return create_app(settings)
