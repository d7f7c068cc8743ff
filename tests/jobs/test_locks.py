"""A job never runs twice at once for the same tenant (:mod:`core.jobs.locks`): two workers
sharing the queue (PostgreSQL + Redis leg), or two threads of one process running jobs
in-process (SQLite leg); the same job for another tenant is not held up."""

from __future__ import annotations

import threading
import time

import pytest
from rq import SimpleWorker
from rq.job import Job as RqJob
from rq.timeouts import TimerDeathPenalty

from core.db import db
from core.jobs import locks, runner, service
from core.jobs.models import Job
from core.tenancy import current_tenant_id

RUNS: list[tuple[int, str, float, float]] = []
STARTED = threading.Event()


def slow(ctx, *, label):
    """Sleeps, recording when it ran (for the overlap check)."""
    STARTED.set()
    begun = time.monotonic()
    time.sleep(0.4)
    RUNS.append((current_tenant_id(), label, begun, time.monotonic()))
    return {"label": label}


@pytest.fixture
def slow_job(job_plugin, tenant, tenant_b):
    RUNS.clear()
    STARTED.clear()
    job_plugin({"test.slow": slow}, tenants=(tenant, tenant_b))


def _overlap(runs) -> bool:
    runs = sorted(runs, key=lambda r: r[2])
    return any(later[2] < earlier[3] for earlier, later in zip(runs, runs[1:], strict=False))


def test_two_workers_never_run_a_tenants_job_at_once(app, backend, slow_job, tenant, tenant_b,
                                                     in_tenant):
    if backend != "postgresql":
        pytest.skip("workers need Redis (the in-process path is tested below)")
    from core.jobs import queue as job_queue

    queue = job_queue.queue(app)
    queue.empty()
    ids = {}
    with in_tenant(tenant):
        ids["a1"] = service.enqueue("test.slow", label="a1").id
        ids["a2"] = service.enqueue("test.slow", label="a2").id
    with in_tenant(tenant_b):
        ids["b1"] = service.enqueue("test.slow", label="b1").id
    runner.use_app(app)
    connection = job_queue.connection(app)

    def work():
        worker = SimpleWorker([queue], connection=connection)
        # two workers in two threads of this process (the test's plugin lives here); signal
        # handlers can only be set in the main thread, and a burst needs none
        worker._install_signal_handlers = lambda: None
        worker.death_penalty_class = TimerDeathPenalty  # not SIGALRM: works in a thread
        with app.app_context():
            worker.work(burst=True)

    first = threading.Thread(target=work)
    first.start()
    assert STARTED.wait(10)  # a1 is running: the second worker meets its lock
    second = threading.Thread(target=work)
    second.start()
    first.join(30)
    second.join(30)
    # runs that waited were put back for later: bring them forward until all are done
    for _ in range(20):
        waiting = queue.scheduled_job_registry.get_job_ids()
        if not waiting:
            break
        for rq_id in waiting:
            queue.scheduled_job_registry.remove(rq_id)
            queue.enqueue_job(RqJob.fetch(rq_id, connection=connection))
        work()
    runner.use_app(None)

    assert sorted(label for _t, label, _s, _e in RUNS) == ["a1", "a2", "b1"]  # each ran once
    mine = [r for r in RUNS if r[0] == tenant.id]
    assert not _overlap(mine), mine
    with in_tenant(tenant):
        assert {service.get(ids[k]).state for k in ("a1", "a2")} == {"finished"}
    with in_tenant(tenant_b):
        assert service.get(ids["b1"]).state == "finished"
    # the second worker did meet the lock and the run waited (it was not an attempt)
    waited = [rq_id for rq_id in connection.keys("rq:job:*-wait-*")]
    assert waited, "no run had to wait: the test did not exercise the lock"
    with in_tenant(tenant):
        assert all(service.get(ids[k]).attempts == 1 for k in ("a1", "a2"))


def test_in_process_runs_of_a_tenants_job_wait_for_each_other(app, backend, slow_job, tenant,
                                                               tenant_b, in_tenant):
    if backend != "sqlite":
        pytest.skip("the in-process path (no Redis)")
    ids = []
    with in_tenant(tenant):
        for label in ("a1", "a2"):
            job = Job(name="test.slow", kwargs={"label": label}, state="queued", progress=0,
                      message="", attempts=0, max_attempts=1, created_by="test", backend="inline")
            db.session.add(job)
            db.session.commit()
            ids.append(job.id)
    tenant_id = tenant.id
    threads = [threading.Thread(target=lambda i=i: _inline(app, tenant_id, i)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(label for _t, label, _s, _e in RUNS) == ["a1", "a2"]
    assert not _overlap(RUNS), RUNS
    with in_tenant(tenant):
        assert {service.get(i).state for i in ids} == {"finished"}


def _inline(app, tenant_id, job_id):
    with app.app_context():
        runner.run_inline(tenant_id, job_id)


def test_the_lock_key_is_the_tenant_and_the_job():
    assert locks.key(3, "assessment.run_cycle") == "dangjian:job-lock:3:assessment.run_cycle"
    assert locks.key(3, "x") != locks.key(4, "x")
