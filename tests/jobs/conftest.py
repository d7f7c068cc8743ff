"""Sample jobs for the jobs slice's tests, registered as an installed plugin ``test_jobs``."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.auth.context import current_actor
from core.db import db
from core.jobs.models import Job
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.sdk import TransientJobError
from core.tenancy import current_tenant_id


def report_and_return(ctx, *, n):
    ctx.progress(10, "开始")
    ctx.progress(60, "过半")
    return {"n": n, "double": n * 2, "tuple": (1, 2)}


def write_then_fail(ctx, *, code):
    orgs.create(name="临时党委", code=code, kind="committee")
    db.session.flush()
    ctx.progress(50, "已写入一半")
    raise ValueError("导入文件第3行格式错误")


def flaky(ctx):
    orgs.create(name=f"第{ctx.attempt}次", code=f"F{ctx.attempt}", kind="committee")
    db.session.flush()
    if ctx.attempt < 2:
        raise TransientJobError("锁等待超时")
    return {"attempt": ctx.attempt}


def lost_connection_once(ctx):
    if ctx.attempt < 2:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    return "ok"


def always_transient(ctx):
    raise TransientJobError("数据库繁忙")


def probe(ctx, *, code):
    """Writes and reads tenant-owned rows; reports who and where it runs."""
    orgs.create(name="任务党委", code=code, kind="committee")
    db.session.flush()
    actor = current_actor()
    return {
        "tenant_id": current_tenant_id(),
        "ctx_tenant_id": ctx.tenant_id,
        "job_id": str(ctx.job_id),
        "codes": sorted(db.session.scalars(select(Organization.code))),
        "actor": actor.label,
        "user_id": str(actor.user_id) if actor.user_id else None,
        "pid": os.getpid(),
    }


def progress_seen_outside(ctx):
    """What another connection sees of the job's progress while it runs."""
    ctx.progress(40, "进行中")
    with Session(db.engine) as other:
        row = other.scalar(select(Job).where(Job.id == ctx.job_id))
        return {"progress": row.progress, "message": row.message}


def not_json(ctx):
    return {"when": object()}


SAMPLE_JOBS = {
    "test.report": report_and_return,
    "test.write_then_fail": write_then_fail,
    "test.flaky": flaky,
    "test.lost_connection_once": lost_connection_once,
    "test.always_transient": always_transient,
    "test.probe": probe,
    "test.progress_seen_outside": progress_seen_outside,
    "test.not_json": not_json,
}


@pytest.fixture(autouse=True)
def no_retry_waits(app, monkeypatch):
    """Retries run at once in tests: nothing sleeps, nothing waits for rq's scheduler."""
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", [0])


@pytest.fixture
def sample_jobs(job_plugin, tenant, tenant_b):
    return job_plugin(SAMPLE_JOBS, tenants=[tenant, tenant_b])
