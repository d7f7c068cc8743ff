"""Job fixtures shared by every slice's tests.

``run_jobs()`` runs the jobs waiting in the rq queue, in this process, on the PostgreSQL +
Redis leg (rq's ``SimpleWorker`` in burst mode; retries rq scheduled for later are brought
forward, so nothing waits). On SQLite jobs already ran when they were enqueued. Either way
the session's tenant-owned objects are expired afterwards, so what the test reads next is what
the jobs wrote (commit your own changes first); reference rows such as the ``tenant`` fixtures
stay loaded. Returns the number of rq jobs performed.

``job_plugin(jobs, name="test_jobs", tenants=())`` registers, for this test, a plugin whose
``dangjian_jobs`` returns ``jobs`` (``{name: function}``) and enables it for ``tenants`` —
like a sector plugin, it is an installed plugin, so a tenant that did not enable it cannot
run its jobs. It is unregistered when the test ends.
"""

from __future__ import annotations

import pytest

from core.db import db
from core.plugins.hookspecs import hookimpl
from core.tenancy.scoping import is_tenant_owned
from tests.support.plugins import registrar

MAX_ROUNDS = 100  # burst, bring scheduled retries forward, burst again … (bounded)


@pytest.fixture
def run_jobs(app_ctx):
    from rq import SimpleWorker
    from rq.job import Job as RqJob

    from core.jobs import queue as job_queue

    app = app_ctx
    if app.config.get("REDIS_URL"):
        job_queue.queue(app).empty()  # what an earlier test left is not this test's work

    def run() -> int:
        performed = 0
        if app.config.get("REDIS_URL"):
            connection = job_queue.connection(app)
            queue = job_queue.queue(app)
            for _ in range(MAX_ROUNDS):
                worker = SimpleWorker([queue], connection=connection)
                worker.work(burst=True)
                performed += worker.successful_job_count + worker.failed_job_count
                scheduled = queue.scheduled_job_registry
                waiting = scheduled.get_job_ids()
                if not waiting:
                    break
                for job_id in waiting:
                    scheduled.remove(job_id)
                    queue.enqueue_job(RqJob.fetch(job_id, connection=connection))
            else:
                raise AssertionError(f"jobs still retrying after {MAX_ROUNDS} rounds")
        for obj in list(db.session.identity_map.values()):
            if is_tenant_owned(type(obj)):
                db.session.expire(obj)
        return performed

    return run


class _JobsPlugin:
    def __init__(self, jobs: dict):
        self.jobs = dict(jobs)

    @hookimpl
    def dangjian_jobs(self):
        return self.jobs


@pytest.fixture
def job_plugin(app_ctx):
    with registrar() as register:

        def add(jobs: dict, name: str = "test_jobs", tenants=()):
            return register(_JobsPlugin(jobs), name, tenants)

        yield add
