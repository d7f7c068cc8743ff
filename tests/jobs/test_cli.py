"""``dangjian jobs run`` and ``dangjian worker``."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import select

from core.jobs import runner, service
from core.jobs.models import Job


def test_jobs_run_enqueues_for_the_tenant_and_prints_the_id(app, sample_jobs, tenant, in_tenant,
                                                            run_jobs):
    result = app.test_cli_runner().invoke(
        args=["jobs", "run", "test.report", "--tenant", tenant.slug, "--arg", "n=3"]
    )
    assert result.exit_code == 0, result.output
    job_id = uuid.UUID(result.output.strip())
    run_jobs()
    with in_tenant(tenant):
        job = service.get(job_id)
        assert job.kwargs == {"n": 3}
        assert job.created_by.startswith("cli:")
        assert (job.state, job.result["double"]) == ("finished", 6)


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["run", "test.nope", "--tenant", "alpha"], 1, "unknown job 'test.nope'"),
        (["run", "test.report", "--tenant", "nowhere"], 1, "tenant 'nowhere' not found"),
        (["run", "test.report", "--tenant", "alpha", "--arg", "n"], 2, "KEY=VALUE"),
    ],
)
def test_jobs_run_refuses_bad_input(app, sample_jobs, tenant, in_tenant, args, code, said):
    result = app.test_cli_runner().invoke(args=["jobs", *args])
    assert result.exit_code == code
    assert said in result.output
    with in_tenant(tenant):
        assert service.get(uuid.uuid4()) is None
        assert list(_all_jobs()) == []


def _all_jobs():
    from core.db import db

    return db.session.scalars(select(Job))


@pytest.mark.parametrize(
    ("url", "said"),
    [(None, "REDIS_URL is not set"), ("redis://127.0.0.1:1/0", "Redis cannot be reached")],
)
def test_worker_needs_a_reachable_redis(app, app_ctx, monkeypatch, url, said):
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert said in result.output


def test_worker_runs_queued_jobs_in_forked_work_horses(app, backend, monkeypatch, sample_jobs,
                                                       tenant, in_tenant):
    if backend != "postgresql":
        pytest.skip("the worker needs Redis")
    monkeypatch.setattr(runner, "_app", None)
    from core.jobs import queue as job_queue

    job_queue.queue(app).empty()
    with in_tenant(tenant):
        first = service.enqueue("test.probe", code="W1").id
        second = service.enqueue("test.write_then_fail", code="W2").id
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with in_tenant(tenant):
        job = service.get(first)
        assert job.state == "finished", job.error
        assert job.result["codes"] == ["W1"]
        assert job.result["pid"] != os.getpid()  # ran in a forked work-horse
        assert service.get(second).state == "failed"
