"""A process killed in the middle of an Excel member import (issue 9, faults point 1).

The sheet has 2,500 new members, written in two batches; the fault point
(``DANGJIAN_FAULT_STALL_AT_PROGRESS``, :mod:`core.jobs.faults`) stops the import right after
the first batch of 2,000 was written into its transaction, and the test SIGKILLs every process
of the run. No member may be visible, the job must end in a clear state, and importing the
sheet again (or the retry) must give exactly what an uninterrupted import gives.
"""

from __future__ import annotations

import io
import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from core.db import db
from core.jobs import queue as job_queue
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from tests.faults.conftest import SHEET_ROWS, holds_uncommitted_writes, job_row
from tests.faults.processes import Dangjian, environment

FIRST_BATCH_WRITTEN = 50  # the first progress report after a batch comes at 74 %


def _members(tenant, in_tenant) -> list[tuple]:
    """Every member as (name, organisation code, status, joined on), sorted."""
    with in_tenant(tenant):
        db.session.expire_all()
        rows = db.session.execute(
            select(Member.name, Organization.code, Member.status, Member.joined_on).join(
                Organization, Organization.id == Member.org_id
            )
        ).all()
        return sorted(tuple(r) for r in rows)


def _post(client, headers, sheet: bytes):
    form = {"file": (io.BytesIO(sheet), "党员.xlsx")}
    response = client.post(
        "/api/v1/imports/members", data=form, headers=headers, content_type="multipart/form-data"
    )
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def _start_stalled_import(app, backend, client, headers, sheet: bytes, tmp_path) -> Dangjian:
    env = environment(app, DANGJIAN_FAULT_STALL_AT_PROGRESS=FIRST_BATCH_WRITTEN)
    if backend == "sqlite":  # in-process jobs: the command line imports
        path = tmp_path / "党员.xlsx"
        path.write_bytes(sheet)
        return Dangjian(env, "import", "members", str(path), "--tenant", headers["X-Tenant"])
    _post(client, headers, sheet)
    return Dangjian(env, "worker", "--burst")


def _import_uninterrupted(client, headers, run_jobs, sheet: bytes) -> dict:
    job_id = _post(client, headers, sheet)
    run_jobs()
    job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()
    assert job["state"] == "finished", job
    return job["result"]


def test_an_import_killed_mid_way_writes_no_member_and_fails_clearly(
    app,
    backend,
    register,
    tenant,
    in_tenant,
    auth_headers,
    client,
    run_jobs,
    monkeypatch,
    tmp_path,
):
    monkeypatch.setitem(app.config, "JOB_MAX_RETRIES", 0)
    headers = auth_headers(tenant)
    with _start_stalled_import(app, backend, client, headers, register, tmp_path) as run:
        stall = run.wait_for_stall()
        assert stall.progress >= FIRST_BATCH_WRITTEN
        assert holds_uncommitted_writes(app, "members")  # the first batch, in its transaction
        run.crash()
    assert not holds_uncommitted_writes(app, "members")
    assert _members(tenant, in_tenant) == []  # 2,000 were written before the kill: none kept
    with in_tenant(tenant):
        assert job_row(stall.job_id).state == "started"

    shown = client.get(f"/api/v1/jobs/{stall.job_id}", headers=headers).get_json()
    assert shown["state"] == "failed"
    assert "stopped during attempt 1" in shown["error"], shown["error"]
    assert _members(tenant, in_tenant) == []
    # the workbook (personal data) is not left behind by a job that will not run again
    folder = Path(app.instance_path) / "uploads" / str(inspect(tenant).identity[0])
    assert list(folder.glob("*.xlsx")) == []

    result = _import_uninterrupted(client, headers, run_jobs, register)  # the user again
    assert (result["created"], result["error_count"]) == (SHEET_ROWS, 0), result["errors"][:3]
    assert len(_members(tenant, in_tenant)) == SHEET_ROWS


def test_a_killed_work_horse_is_noticed_by_its_worker_and_the_import_retried_to_the_same_result(
    app,
    backend,
    register,
    tenant,
    tenant_b,
    in_tenant,
    auth_headers,
    client,
    run_jobs,
    monkeypatch,
):
    """The work-horse alone dies (the OOM killer's way): the worker that forked it ends the
    attempt at once and rq retries it; the retry imports everything, once."""
    if backend == "sqlite":
        pytest.skip("work-horses are rq's; the in-process path is covered above")
    monkeypatch.setitem(app.config, "JOB_MAX_RETRIES", 1)
    headers = auth_headers(tenant)
    job_queue.queue(app).empty()
    job_id = _post(client, headers, register)
    env = environment(app, DANGJIAN_FAULT_STALL_AT_PROGRESS=FIRST_BATCH_WRITTEN)
    with Dangjian(env, "worker") as worker:
        stall = worker.wait_for_stall()
        assert stall.job_id == job_id and stall.pid != worker.process.pid
        assert holds_uncommitted_writes(app, "members")
        os.kill(stall.pid, signal.SIGKILL)
        deadline = time.monotonic() + 120
        with in_tenant(tenant):
            while job_row(job_id).state not in ("finished", "failed"):
                assert time.monotonic() < deadline, worker.log()
                time.sleep(0.5)
        assert worker.process.poll() is None, "the worker died with its work-horse"
        assert worker.stop() == 0, worker.log()
    assert "attempt 1/2 is dead" in worker.output(), worker.log()
    with in_tenant(tenant):
        job = job_row(job_id)
        assert (job.state, job.attempts) == ("finished", 2), job.error
        assert (job.result["created"], job.result["error_count"]) == (SHEET_ROWS, 0)
        retried = job.result
    members = _members(tenant, in_tenant)
    assert len(members) == SHEET_ROWS

    with in_tenant(tenant_b):  # the same sheet, uninterrupted, in a city with the same tree
        root = orgs.create(name="甲市委", code="R", kind="committee")
        orgs.create(name="第一支部", code="B1", kind="branch", parent=root)
        orgs.create(name="第二支部", code="B2", kind="branch", parent=root)
        db.session.commit()
    plain = _import_uninterrupted(client, auth_headers(tenant_b), run_jobs, register)
    assert plain == retried
    assert _members(tenant_b, in_tenant) == members
