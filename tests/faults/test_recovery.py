"""Finding and ending dead attempts (:mod:`core.jobs.recovery`, :mod:`core.jobs.liveness`),
in-process: which ``started`` rows count as dead, what ending them does, and that an attempt
declared dead cannot commit afterwards. The real kills are in the other test modules here."""

from __future__ import annotations

import os
import socket
import subprocess
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from core.db import db, new_id
from core.jobs import queue as job_queue
from core.jobs import recovery, service
from core.jobs.models import Job
from core.orgs import service as orgs
from core.orgs.models import Organization
from tests.faults.conftest import job_row


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _write_once(ctx, *, code):
    orgs.create(name="任务党委", code=f"{code}{ctx.attempt}", kind="committee")
    db.session.flush()
    return {"attempt": ctx.attempt}


def _declared_dead_meanwhile(ctx, *, code):
    """Attempt 1 is declared dead by "another process" (the real recovery code) while it runs,
    then writes and returns as if nothing happened; attempt 2 just works."""
    if ctx.attempt == 1:
        job = db.session.scalar(select(Job).where(Job.id == ctx.job_id))
        assert recovery.abandon(current_app, job, "test: frozen past its heartbeat")
    return _write_once(ctx, code=code)


@pytest.fixture
def faulty_jobs(job_plugin, tenant, tenant_b):
    return job_plugin(
        {"faults.write_once": _write_once, "faults.declared_dead": _declared_dead_meanwhile},
        tenants=[tenant, tenant_b],
    )


def _codes():
    return sorted(db.session.scalars(select(Organization.code)))


def _running_row(
    app,
    *,
    runner: str,
    beat_ago: timedelta | None = timedelta(0),
    attempts: int = 1,
    max_attempts: int = 2,
) -> Job:
    """A ``started`` row as a run leaves it, committed; its heartbeat ``beat_ago`` before the
    database's now."""
    from core.jobs import liveness

    backend = "rq" if app.config.get("REDIS_URL") else "inline"
    now = liveness.database_now(db.session)
    job = Job(
        id=new_id(),
        name="faults.write_once",
        kwargs={"code": "R"},
        state="started",
        progress=40,
        message="",
        attempts=attempts,
        max_attempts=max_attempts,
        created_by="test",
        backend=backend,
        runner=runner,
        started_at=now,
        heartbeat_at=None if beat_ago is None else now - beat_ago,
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_an_attempt_declared_dead_cannot_commit_its_work_afterwards(
    app, backend, faulty_jobs, tenant, in_tenant, run_jobs
):
    with in_tenant(tenant):
        job_id = service.enqueue("faults.declared_dead", code="Z").id
        run_jobs()
        job = job_row(job_id)
        if backend == "sqlite":  # in-process: nobody would retry it
            assert job.state == "failed"
            assert "stopped during attempt 1 (test: frozen past its heartbeat)" in job.error
            assert _codes() == []  # attempt 1 wrote Z1 and returned: rolled back
        else:
            assert (job.state, job.attempts, job.result) == ("finished", 2, {"attempt": 2})
            assert _codes() == ["Z2"]  # Z1, written by the attempt declared dead, never was


def test_reading_a_job_whose_process_is_gone_ends_it(
    app, backend, faulty_jobs, tenant, in_tenant, run_jobs
):
    with in_tenant(tenant):
        gone = f"{socket.gethostname()}:{_dead_pid()}:0badc0ffee00"
        job_id = _running_row(app, runner=gone).id
        read = service.get(job_id)
        assert read.error.startswith("The worker running this job stopped during attempt 1 ")
        assert "no longer exists" in read.error
        if backend == "sqlite":
            assert (read.state, read.finished_at is not None) == ("failed", True)
            return
        assert read.state == "retrying"  # a worker job with attempts left goes back on the queue
        assert f"{job_id}-recovered-1" in job_queue.queue(app).job_ids
        run_jobs()
        job = job_row(job_id)
        assert (job.state, job.attempts, job.error) == ("finished", 2, None)
        assert _codes() == ["R2"]


def test_a_live_attempt_is_left_running(app, backend, faulty_jobs, tenant, in_tenant):
    """This very process, beating just now: neither reading it nor the sweep ends it."""
    with in_tenant(tenant):
        here = f"{socket.gethostname()}:{os.getpid()}:0123456789ab"
        job_id = _running_row(app, runner=here).id
        assert service.get(job_id).state == "started"
    assert recovery.sweep(app) == 0
    with in_tenant(tenant):
        assert job_row(job_id).state == "started"


def test_an_attempt_elsewhere_is_dead_after_four_missed_heartbeats(
    app, backend, faulty_jobs, tenant, in_tenant, monkeypatch
):
    if backend == "sqlite":
        pytest.skip("SQLite has no heartbeat: its one host checks the process itself")
    monkeypatch.setitem(app.config, "JOB_HEARTBEAT_SECONDS", 15)
    with in_tenant(tenant):
        quiet = _running_row(
            app, runner="other-host:4242:aaaaaaaaaaaa", beat_ago=timedelta(seconds=55)
        ).id
        silent = _running_row(
            app, runner="other-host:4343:bbbbbbbbbbbb", beat_ago=timedelta(seconds=65)
        ).id
        assert service.get(quiet).state == "started"  # 55 s < 4 × 15 s: maybe a slow beat
        read = service.get(silent)
        assert read.state == "retrying"
        assert "(no heartbeat for 65 s)" in read.error


def test_the_worker_sweep_ends_dead_attempts_of_every_tenant(
    app, backend, faulty_jobs, tenant, tenant_b, in_tenant
):
    dead = []
    for city in (tenant, tenant_b):
        with in_tenant(city):
            dead.append(
                _running_row(
                    app,
                    runner=f"{socket.gethostname()}:{_dead_pid()}:c0ffee",
                    attempts=2,
                    max_attempts=2,
                ).id
            )
    assert recovery.sweep(app) == 2
    assert recovery.sweep(app) == 0  # ended once
    for city, job_id in zip((tenant, tenant_b), dead, strict=True):
        with in_tenant(city):
            job = job_row(job_id)
            assert job.state == "failed"  # the last attempt died: failed, whatever the backend
            assert "stopped during attempt 2" in job.error


def test_a_dead_attempt_whose_retry_cannot_be_queued_fails_clearly(
    app, backend, faulty_jobs, tenant, in_tenant, monkeypatch
):
    if backend == "sqlite":
        pytest.skip("in-process jobs are never re-queued")
    with in_tenant(tenant):
        gone = f"{socket.gethostname()}:{_dead_pid()}:0badc0ffee00"
        job_id = _running_row(app, runner=gone).id
        monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # Redis is down
        read = service.get(job_id)
        assert read.state == "failed"
        assert read.error.endswith(recovery.NOT_REQUEUED)


def test_the_web_says_in_chinese_that_the_worker_stopped(
    app, backend, faulty_jobs, tenant, in_tenant, web_as
):
    web = web_as(tenant, "admin")
    with in_tenant(tenant):
        gone = f"{socket.gethostname()}:{_dead_pid()}:0badc0ffee00"
        job_id = _running_row(app, runner=gone, attempts=2).id  # the last attempt: failed
    status = web.get(f"/jobs/{job_id}/status").get_json()
    assert status["state"] == "failed" and status["done"] is True
    assert (
        status["error"] == "执行该任务的后台进程在第 2 次尝试中意外中止，本次写入的内容均未保留。"
    )
    page = web.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "第 2 次尝试中意外中止" in page and "The worker running" not in page
