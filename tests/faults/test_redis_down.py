"""Redis down (issue 9, faults point 2): the app keeps serving reads and record writes;
starting a job is a clear 503 (the API's JSON names the queue; the web says it in Chinese)
that leaves no job row waiting for a queue that never got it; and once Redis is back, jobs
start again without restarting anything.

The Redis is the test's own ``redis-server`` on a free port, really killed (SIGKILL) and
really started again; the app under test is a second app object configured with it from
the start, so everything that reaches Redis — the job queue, the rate limiter's counters —
reaches the dead one.
"""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import select

from core.db import db
from core.jobs.models import Job
from core.protection import ratelimit
from tests.excel.conftest import person, sheet_bytes
from tests.faults.conftest import job_row
from tests.faults.processes import Dangjian, environment
from tests.faults.services import second_app
from tests.members.helpers import member_data
from tests.support.auth import DEFAULT_PASSWORD
from tests.web.cities import two_branches
from tests.web.conftest import WebSession, html

QUEUE_DOWN = "The job queue is unavailable (Redis cannot be reached)"


@pytest.fixture
def cut_off(app, backend, private_redis, tenant, tenant_b, in_tenant, make_user):
    """(the app on the private Redis, the organisations' ids); Redis is still up."""
    if backend == "sqlite":
        pytest.skip("the SQLite leg runs jobs in-process: it has no Redis to lose")
    ids = two_branches(tenant, tenant_b, in_tenant)
    make_user(tenant, username="admin")
    make_user(tenant, username="clerk")
    return second_app(
        app, REDIS_URL=private_redis.url, JOB_QUEUE=f"{app.config['JOB_QUEUE']}-cut-off"
    ), ids


def _token(client, username: str) -> dict:
    answer = client.post(
        "/api/v1/auth/token",
        headers={"X-Tenant": "alpha"},
        json={"username": username, "password": DEFAULT_PASSWORD},
    )
    assert answer.status_code == 200, answer.get_json()
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}", "X-Tenant": "alpha"}


def _jobs(tenant, in_tenant) -> list[tuple[str, str | None]]:
    with in_tenant(tenant):
        db.session.expire_all()
        return [(j.state, j.error) for j in db.session.scalars(select(Job))]


def test_without_redis_reads_and_writes_work_and_starting_a_job_is_a_clear_503(
    cut_off, private_redis, tenant, in_tenant
):
    app, ids = cut_off
    limiter = app.extensions[ratelimit.EXTENSION]
    assert limiter.enabled and ratelimit.storage_uri(app.config) == private_redis.url
    private_redis.kill()
    api = app.test_client()

    headers = _token(api, "admin")  # logging in counts failures in Redis: it fails open
    for path in (
        "/api/v1/orgs",
        f"/api/v1/orgs/{ids['root']}/tree",
        "/api/v1/members",
        "/api/v1/cycles",
        "/api/v1/warnings",
    ):
        assert api.get(path, headers=headers).status_code == 200, path
    created = api.post(
        "/api/v1/orgs",
        headers=headers,
        json={"name": "三支部", "code": "B3", "kind": "branch", "parent_id": str(ids["root"])},
    )
    assert created.status_code == 201, created.get_json()
    member = api.post("/api/v1/members", headers=headers, json=member_data(ids["one"]))
    assert member.status_code == 201, member.get_json()

    refused = api.post("/api/v1/warnings/sweep", headers=headers, json={})
    assert refused.status_code == 503
    body = refused.get_json()
    assert body["message"].startswith(QUEUE_DOWN), body
    assert "Redis" in body["message"] and "was not started" in body["message"]
    # the row says what happened; none is left "queued" for a queue that never got it
    rows = _jobs(tenant, in_tenant)
    assert [state for state, _ in rows] == ["failed"]
    assert "cannot be reached" in rows[0][1]

    web = WebSession(app.test_client(), "alpha.test")
    assert web.log_in("clerk").status_code == 302
    for page in ("/", "/orgs", "/members", "/warnings", "/work", f"/orgs/{ids['one']}"):
        assert web.get(page).status_code == 200, page
    sweep = web.post("/admin/warning-rules/sweep", form_page="/admin/warning-rules")
    assert sweep.status_code == 503
    assert "任务队列暂时无法连接，任务未启动" in html(sweep), html(sweep)
    sheet = (io.BytesIO(sheet_bytes([person("B1")])), "党员.xlsx")
    upload = web.post("/imports", {"file": sheet}, content_type="multipart/form-data")
    assert upload.status_code == 503
    assert "任务队列暂时无法连接，任务未启动" in html(upload), html(upload)
    assert [state for state, _ in _jobs(tenant, in_tenant)] == ["failed"] * 3

    private_redis.start()  # back, on the same port: no restart of the app
    again = api.post("/api/v1/warnings/sweep", headers=headers, json={})
    assert again.status_code == 202, again.get_json()
    assert sorted(state for state, _ in _jobs(tenant, in_tenant)) == ["failed"] * 3 + ["queued"]


def test_a_worker_rides_out_a_redis_restart_and_works_on(cut_off, private_redis, tenant, in_tenant):
    """Redis dies right after the worker's job (while rq still records it, or once the worker
    waits on the queue: either may come first); the worker waits for Redis instead of
    exiting, and runs the next job once Redis is back — an empty one: this Redis keeps
    nothing on disk."""
    app, _ids = cut_off
    api = app.test_client()
    headers = _token(api, "admin")
    env = environment(app, REDIS_URL=private_redis.url, JOB_QUEUE=app.config["JOB_QUEUE"])
    with Dangjian(env, "worker") as worker:
        assert _finished(api, headers, tenant, in_tenant, worker)
        private_redis.kill()
        time.sleep(4)  # a few of the worker's attempts to reach it fail
        assert worker.process.poll() is None, worker.log()
        private_redis.start()
        assert _finished(api, headers, tenant, in_tenant, worker)
        assert worker.stop() == 0, worker.log()
    noticed = ("could not connect to Redis", "Redis unreachable", "Redis went away")
    assert any(said in worker.output() for said in noticed), worker.log()


def _finished(api, headers, tenant, in_tenant, worker, seconds: float = 60) -> bool:
    started = api.post("/api/v1/warnings/sweep", headers=headers, json={})
    assert started.status_code == 202, started.get_json()
    deadline = time.monotonic() + seconds
    with in_tenant(tenant):
        while job_row(started.get_json()["id"]).state not in ("finished", "failed"):
            assert time.monotonic() < deadline, worker.log()
            time.sleep(0.3)
        return job_row(started.get_json()["id"]).state == "finished"
