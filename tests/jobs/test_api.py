"""GET /api/v1/jobs/<id>: the job's own user, or a tenant administrator; 404 for anyone else."""

from __future__ import annotations

import uuid

import pytest

from core.auth.context import Actor, acting_as
from core.jobs import service
from tests.support.auth import DEFAULT_PASSWORD

FIELDS = {"id", "name", "state", "progress", "message", "result", "error", "attempts",
          "created_at", "started_at", "finished_at"}


def _headers(client, tenant, user) -> dict:
    slug = tenant.slug  # read before the request: its teardown ends the session
    response = client.post(
        "/api/v1/auth/token",
        json={"username": user.username, "password": DEFAULT_PASSWORD},
        headers={"X-Tenant": slug},
    )
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}", "X-Tenant": slug}


@pytest.fixture
def members_job(sample_jobs, make_user, tenant, in_tenant, run_jobs):
    """A finished job started by a plain member; returns (job id, that member)."""
    member = make_user(tenant, role="member")
    with in_tenant(tenant), acting_as(Actor(label=f"user:{member.username}", user_id=member.id)):
        job = service.enqueue("test.report", n=5)
        run_jobs()
        return str(job.id), member


def test_the_user_who_started_it_sees_state_progress_and_result(client, tenant, members_job):
    job_id, member = members_job
    response = client.get(f"/api/v1/jobs/{job_id}", headers=_headers(client, tenant, member))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == FIELDS
    assert body["id"] == job_id
    assert (body["name"], body["state"], body["progress"]) == ("test.report", "finished", 100)
    assert body["result"] == {"n": 5, "double": 10, "tuple": [1, 2]}
    assert body["message"] == "过半" and body["error"] is None and body["attempts"] == 1
    for stamp in ("created_at", "started_at", "finished_at"):
        assert body[stamp].endswith("+00:00")


def test_a_tenant_admin_sees_every_job_of_the_tenant(client, tenant, members_job, auth_headers):
    job_id, _ = members_job
    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth_headers(tenant))
    assert response.status_code == 200
    assert response.get_json()["state"] == "finished"


def test_another_user_of_the_tenant_gets_404(client, tenant, members_job, auth_headers):
    job_id, _ = members_job
    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth_headers(tenant, role="member"))
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_another_tenants_job_is_404(client, tenant_b, members_job, auth_headers):
    job_id, _ = members_job
    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth_headers(tenant_b))
    assert response.status_code == 404


@pytest.mark.parametrize("job_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_ids_are_404(client, tenant, auth_headers, job_id):
    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth_headers(tenant))
    assert response.status_code == 404
    assert job_id in response.get_json()["message"]


def test_login_is_required(client, tenant, members_job):
    job_id, _ = members_job
    response = client.get(f"/api/v1/jobs/{job_id}", headers={"X-Tenant": tenant.slug})
    assert response.status_code == 401
