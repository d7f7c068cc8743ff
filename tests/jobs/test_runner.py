"""Running jobs on both backends: in-process on SQLite, rq + Redis on PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest
from rq.job import Job as RqJob
from sqlalchemy import func, select

from core.api.errors import ApiError
from core.auth.context import Actor, acting_as, current_actor
from core.db import db
from core.jobs import plugin as jobs_plugin
from core.jobs import queue as job_queue
from core.jobs import registry, runner, service
from core.jobs.models import Job
from core.orgs import service as orgs
from core.orgs.models import Organization
from tests.jobs.conftest import report_and_return as SAMPLE_REPORT


def _codes():
    return sorted(db.session.scalars(select(Organization.code)))


def _rq_status(app, job_id):
    return RqJob.fetch(str(job_id), connection=job_queue.connection(app)).get_status()


def test_progress_and_result_are_stored(app, backend, sample_jobs, tenant, in_tenant, run_jobs):
    with in_tenant(tenant):
        job = service.enqueue("test.report", n=21)
        assert job.backend == ("inline" if backend == "sqlite" else "rq")
        run_jobs()
        job = service.get(job.id)
        assert job.state == "finished"
        assert job.progress == 100
        assert job.message == "过半"
        assert job.result == {"n": 21, "double": 42, "tuple": [1, 2]}
        assert job.kwargs == {"n": 21}
        assert job.error is None
        assert (job.attempts, job.max_attempts) == (1, app.config["JOB_MAX_RETRIES"] + 1)
        assert job.started_at is not None and job.finished_at is not None
        job_id = job.id
    if backend == "postgresql":
        assert _rq_status(app, job_id) == "finished"


def test_failing_job_fails_with_its_message_and_its_writes_rolled_back(
    app, backend, sample_jobs, tenant, in_tenant, run_jobs
):
    with in_tenant(tenant):
        orgs.create(name="市委", code="A0", kind="committee")
        db.session.commit()
        job = service.enqueue("test.write_then_fail", code="TMP")
        run_jobs()
        job = service.get(job.id)
        assert job.state == "failed"
        assert job.error == "导入文件第3行格式错误"
        assert job.attempts == 1  # an ordinary exception is not retried
        assert (job.progress, job.message) == (50, "已写入一半")
        assert job.result is None and job.finished_at is not None
        assert _codes() == ["A0"]  # the job's own write is gone
        job_id = job.id
    if backend == "postgresql":
        assert _rq_status(app, job_id) == "failed"


def test_transient_failure_then_success(sample_jobs, tenant, in_tenant, run_jobs):
    with in_tenant(tenant):
        job = service.enqueue("test.flaky")
        run_jobs()
        job = service.get(job.id)
        assert job.state == "finished"
        assert job.attempts == 2
        assert job.result == {"attempt": 2}
        assert job.error is None
        assert _codes() == ["F2"]  # the first attempt's write was rolled back


def test_database_operational_error_is_retried(sample_jobs, tenant, in_tenant, run_jobs):
    with in_tenant(tenant):
        job = service.enqueue("test.lost_connection_once")
        run_jobs()
        job = service.get(job.id)
        assert (job.state, job.attempts, job.result) == ("finished", 2, "ok")


def test_always_transient_fails_after_max_attempts(
    app, backend, monkeypatch, sample_jobs, tenant, in_tenant, run_jobs
):
    monkeypatch.setitem(app.config, "JOB_MAX_RETRIES", 2)
    with in_tenant(tenant):
        job = service.enqueue("test.always_transient")
        run_jobs()
        job = service.get(job.id)
        assert job.state == "failed"
        assert job.attempts == job.max_attempts == 3
        assert job.error == "数据库繁忙"
        job_id = job.id
    if backend == "postgresql":
        assert _rq_status(app, job_id) == "failed"


def test_retry_waits_are_scheduled_by_rq(app, backend, monkeypatch, sample_jobs, tenant,
                                         in_tenant, run_jobs):
    """With real intervals the retry goes to rq's scheduled registry, not back on the queue."""
    if backend != "postgresql":
        pytest.skip("rq schedules retries; in-process runs retry at once")
    from rq import SimpleWorker

    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", [60])
    with in_tenant(tenant):
        job = service.enqueue("test.flaky")
        queue = job_queue.queue(app)
        SimpleWorker([queue], connection=job_queue.connection(app)).work(burst=True)
        db.session.expire_all()
        assert service.get(job.id).state == "retrying"
        assert str(job.id) in queue.scheduled_job_registry.get_job_ids()
        run_jobs()  # brings the scheduled retry forward
        job = service.get(job.id)
        assert (job.state, job.attempts) == ("finished", 2)


def test_job_runs_in_the_enqueuing_tenant(sample_jobs, tenant, tenant_b, in_tenant, run_jobs):
    with in_tenant(tenant_b):
        orgs.create(name="乙市委", code="B0", kind="committee")
        db.session.commit()
    with in_tenant(tenant):
        orgs.create(name="甲市委", code="A0", kind="committee")
        db.session.commit()
        job = service.enqueue("test.probe", code="A-job")
        run_jobs()
        job = service.get(job.id)
        assert job.state == "finished", job.error
        assert job.result["tenant_id"] == job.result["ctx_tenant_id"] == tenant.id
        assert job.result["job_id"] == str(job.id)
        assert job.result["codes"] == ["A-job", "A0"]
        assert job.result["pid"] == os.getpid()  # in this process: inline, or SimpleWorker
        assert _codes() == ["A-job", "A0"]
    with in_tenant(tenant_b):
        assert _codes() == ["B0"]
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_job_acts_as_itself_for_the_enqueuing_user_and_the_actor_is_restored(
    sample_jobs, tenant, in_tenant, run_jobs
):
    user_id = uuid.uuid4()
    alice = Actor(label="user:alice", user_id=user_id)
    with in_tenant(tenant), acting_as(alice):
        job = service.enqueue("test.probe", code="A1")
        run_jobs()
        assert current_actor() == alice
        job = service.get(job.id)
        assert (job.created_by, job.created_by_user_id) == ("user:alice", user_id)
        assert job.result["actor"] == "job:test.probe"
        assert job.result["user_id"] == str(user_id)
    assert current_actor() is None


def test_progress_is_visible_to_others_while_the_job_runs(backend, sample_jobs, tenant,
                                                          in_tenant, run_jobs):
    with in_tenant(tenant):
        job = service.enqueue("test.progress_seen_outside")
        run_jobs()
        job = service.get(job.id)
        assert job.state == "finished", job.error
        if backend == "postgresql":  # committed in its own transaction at once
            assert job.result == {"progress": 40, "message": "进行中"}
        else:  # SQLite has one writer: progress rides on the job's own transaction
            assert job.result == {"progress": 0, "message": ""}


def test_unknown_job_is_refused_by_name(sample_jobs, tenant, in_tenant):
    with in_tenant(tenant):
        with pytest.raises(ApiError) as caught:
            service.enqueue("test.no_such_job")
        assert caught.value.status == 422
        assert "test.no_such_job" in caught.value.message
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_jobs_of_a_disabled_plugin_cannot_be_enqueued(job_plugin, tenant, tenant_b, in_tenant,
                                                     run_jobs):
    job_plugin({"other.report": SAMPLE_REPORT}, name="other_plugin", tenants=[tenant_b])
    with in_tenant(tenant):
        with pytest.raises(ApiError) as caught:
            service.enqueue("other.report", n=1)
        assert caught.value.status == 422
        assert "other_plugin" in caught.value.message
    with in_tenant(tenant_b):
        job = service.enqueue("other.report", n=1)
        run_jobs()
        assert service.get(job.id).state == "finished"


def test_a_job_whose_plugin_was_disabled_meanwhile_fails(backend, sample_jobs, tenant,
                                                        in_tenant, run_jobs):
    if backend == "sqlite":
        pytest.skip("in-process jobs run before anything can change")
    from core.plugins import service as plugin_service

    with in_tenant(tenant):
        job = service.enqueue("test.report", n=1)
        plugin_service.set_enabled("test_jobs", False)
        db.session.commit()
        run_jobs()
        job = service.get(job.id)
        assert job.state == "failed"
        assert "not enabled" in job.error


def test_arguments_and_results_must_be_json(sample_jobs, tenant, in_tenant, run_jobs):
    with in_tenant(tenant):
        with pytest.raises(ApiError) as caught:
            service.enqueue("test.report", n=object())
        assert caught.value.status == 422
        job = service.enqueue("test.not_json")
        run_jobs()
        job = service.get(job.id)
        assert job.state == "failed"
        assert "not JSON-serialisable" in job.error


def test_unreachable_redis_is_a_503_and_the_job_row_says_failed(
    app, monkeypatch, sample_jobs, tenant, in_tenant
):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    with in_tenant(tenant):
        with pytest.raises(ApiError) as caught:
            service.enqueue("test.report", n=1)
        assert caught.value.status == 503
        assert "Redis" in caught.value.message
        job = db.session.scalar(select(Job))
        assert job.state == "failed"
        assert job.backend == "rq"
        assert "cannot be reached" in job.error
        assert str(job.id) in caught.value.message


def test_a_finished_job_is_not_run_again(app, sample_jobs, tenant, in_tenant, run_jobs):
    with in_tenant(tenant):
        job = service.enqueue("test.probe", code="ONCE")
        run_jobs()
        job_id = job.id
    outcome = runner.execute(app, tenant.id, job_id)  # rq redelivering it, say
    assert outcome.state == "finished"
    with in_tenant(tenant):
        assert _codes() == ["ONCE"]
        assert service.get(job_id).attempts == 1


def test_duplicate_job_names_across_plugins_stop_start_up(app, job_plugin):
    job_plugin({"dup.job": SAMPLE_REPORT}, name="first_plugin")
    job_plugin({"dup.job": SAMPLE_REPORT}, name="second_plugin")
    with pytest.raises(registry.JobRegistryError) as caught:
        jobs_plugin.dangjian_app_configured(app)
    assert "first_plugin" in str(caught.value) and "second_plugin" in str(caught.value)


def test_redis_not_set_is_logged_at_start(app, caplog):
    caplog.set_level("INFO", logger="dangjian")
    jobs_plugin.dangjian_app_configured(app)
    said = "REDIS_URL not set: jobs run in-process" in caplog.text
    assert said == (not app.config.get("REDIS_URL"))


def test_audit_log_names_the_job_and_skips_job_rows(sample_jobs, tenant, in_tenant, run_jobs):
    from core.audit.models import AuditEntry

    user_id = uuid.uuid4()
    with in_tenant(tenant), acting_as(Actor(label="user:alice", user_id=user_id)):
        service.enqueue("test.probe", code="AUD")
        run_jobs()
        entries = db.session.execute(
            select(AuditEntry.object_type, AuditEntry.actor_label, AuditEntry.actor_user_id)
        ).all()
        assert ("organizations", "job:test.probe", user_id) in entries
        assert all(object_type != "jobs" for object_type, _, _ in entries)
