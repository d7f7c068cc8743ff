"""A process killed in the middle of an assessment cycle run (issue 9, faults point 1).

Real processes, killed at a known step: ``DANGJIAN_FAULT_STALL_AT_PROGRESS`` (a test-only
fault point, :mod:`core.jobs.faults`) stops the run's first attempt once it reports that
progress, and the test SIGKILLs every process of it — on PostgreSQL a ``dangjian worker`` (the
parent, its forked work-horse, rq's scheduler), on SQLite ``dangjian jobs run`` (jobs run
in-process there). Then:

* nothing of the killed attempt is visible — the last results stay exactly as they were, row
  ids included, or there are none;
* the job does not stay ``started``: reading it (the API) or the next worker ends it,
  ``failed`` with a clear message or ``retrying`` and run again;
* a rerun gives exactly the results of an uninterrupted run.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from core.assessment.models import Cycle
from core.assessment.plugin import RUN_JOB
from core.db import db
from core.jobs import locks
from core.jobs import queue as job_queue
from core.jobs import service as jobs
from tests.conftest import _tenant_id
from tests.faults.conftest import holds_uncommitted_writes, job_row, results
from tests.faults.processes import Dangjian, environment

ALL_WRITTEN = 100  # the run's last report: every result row written, nothing committed yet
OLD_CLEARED = 93  # the run has deleted the cycle's last results, and inserted none yet


def _run_uninterrupted(tenant, in_tenant, run_jobs, cycle_id) -> str:
    with in_tenant(tenant):
        job = jobs.enqueue(RUN_JOB, cycle_id=str(cycle_id))
        job_id = job.id
        run_jobs()
        assert jobs.get(job_id).state == "finished", jobs.get(job_id).error
    return job_id


def _start_stalled_run(app, backend, client, headers, cycle_id, stall_at: int) -> Dangjian:
    """The run, started as a user starts it, in a process that stalls at ``stall_at``."""
    env = environment(app, DANGJIAN_FAULT_STALL_AT_PROGRESS=stall_at)
    if backend == "sqlite":  # in-process jobs: the command line runs it
        return Dangjian(
            env,
            "jobs",
            "run",
            RUN_JOB,
            "--tenant",
            headers["X-Tenant"],
            "--arg",
            f"cycle_id={cycle_id}",
        )
    response = client.post(f"/api/v1/cycles/{cycle_id}/run", headers=headers)
    assert response.status_code == 202, response.get_json()
    return Dangjian(env, "worker", "--burst")


def _evaluated_at(tenant, in_tenant, cycle_id):
    with in_tenant(tenant):
        db.session.expire_all()
        cycle = db.session.scalar(select(Cycle).where(Cycle.id == cycle_id))
        return cycle.state, cycle.evaluated_at


def _lock_holder(app, tenant):
    return job_queue.connection(app).get(locks.app_key(app, _tenant_id(tenant), RUN_JOB))


def test_a_run_killed_before_its_commit_leaves_the_last_results_and_fails_clearly(
    app, backend, city, tenant, in_tenant, auth_headers, client, run_jobs, monkeypatch
):
    monkeypatch.setitem(app.config, "JOB_MAX_RETRIES", 0)  # the killed attempt is the last
    headers = auth_headers(tenant)
    _run_uninterrupted(tenant, in_tenant, run_jobs, city)
    with in_tenant(tenant):
        before = results(city, ids=True)
        content = results(city)
    assert before["assessment_org_results"] and before["assessment_member_indices"]
    evaluated = _evaluated_at(tenant, in_tenant, city)

    with _start_stalled_run(app, backend, client, headers, city, ALL_WRITTEN) as run:
        stall = run.wait_for_stall()
        with in_tenant(tenant):
            stalled = job_row(stall.job_id)
            assert stalled.state == "started" and stalled.runner.split(":")[1] == str(stall.pid)
            if backend == "postgresql":  # progress and heartbeat are committed as it runs
                assert stalled.progress == ALL_WRITTEN
                first_beat = stalled.heartbeat_at
                time.sleep(2.5)  # JOB_HEARTBEAT_SECONDS=1 in the process
                assert job_row(stall.job_id).heartbeat_at > first_beat
                assert _lock_holder(app, tenant).decode() == stalled.runner
        assert holds_uncommitted_writes(app, "assessment_org_results")  # all of them, uncommitted
        run.crash()

    with in_tenant(tenant):
        assert job_row(stall.job_id).state == "started"  # what recovery is for
        assert results(city, ids=True) == before  # not one row deleted, added or changed
    assert _evaluated_at(tenant, in_tenant, city) == evaluated

    answer = client.get(f"/api/v1/jobs/{stall.job_id}", headers=headers)  # reading ends it
    assert answer.status_code == 200
    shown = answer.get_json()
    assert shown["state"] == "failed"
    assert "stopped during attempt 1" in shown["error"], shown["error"]
    assert "nothing the attempt wrote was kept" in shown["error"]
    assert shown["finished_at"] is not None
    if backend == "postgresql":
        assert _lock_holder(app, tenant) is None  # released, not left to expire in an hour
    with in_tenant(tenant):
        assert results(city, ids=True) == before

    again = _run_uninterrupted(tenant, in_tenant, run_jobs, city)  # the user starts it again
    with in_tenant(tenant):
        assert results(city) == content
        assert results(city, ids=True) != before  # a new run did write them
        assert jobs.get(again).result["orgs"] == len(content["assessment_org_results"])


def test_a_worker_killed_mid_run_is_retried_by_the_next_worker_to_the_same_results(
    app, backend, city, tenant, in_tenant, auth_headers, client, run_jobs, monkeypatch
):
    if backend == "sqlite":
        pytest.skip("workers need Redis; in-process runs are covered by the test above")
    monkeypatch.setitem(app.config, "JOB_MAX_RETRIES", 1)
    headers = auth_headers(tenant)
    job_queue.queue(app).empty()

    with _start_stalled_run(app, backend, client, headers, city, OLD_CLEARED) as run:
        stall = run.wait_for_stall()
        assert holds_uncommitted_writes(app, "assessment_org_results")  # the old ones deleted
        run.crash()
    with in_tenant(tenant):
        assert results(city) == {"assessment_org_results": [], "assessment_member_indices": []}
        assert job_row(stall.job_id).state == "started"
    assert _evaluated_at(tenant, in_tenant, city)[0] == "open"

    with Dangjian(environment(app), "worker", "--burst") as worker:  # ends it on start, reruns
        assert worker.finish() == 0, worker.log()
    assert "attempt 1/2 is dead" in worker.output(), worker.log()
    with in_tenant(tenant):
        job = job_row(stall.job_id)
        assert (job.state, job.attempts, job.error) == ("finished", 2, None), job.error
        recovered = results(city)
    assert recovered["assessment_org_results"] and recovered["assessment_member_indices"]
    assert _lock_holder(app, tenant) is None

    _run_uninterrupted(tenant, in_tenant, run_jobs, city)
    with in_tenant(tenant):
        assert results(city) == recovered
