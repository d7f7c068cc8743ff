"""The jobs API: ``GET /api/v1/jobs/<id>`` — a job's state, progress and result.

A user sees the jobs they started; a tenant administrator (or above) sees every job of the
tenant. Any other id — unknown, another tenant's, another user's — is 404 alike.
"""

from __future__ import annotations

from core.api import Blueprint
from core.api.errors import abort
from core.auth.permissions import current_user, has_role, login_required
from core.jobs import service
from core.jobs.schemas import JobSchema

bp = Blueprint("jobs", __name__, description="后台任务: state and progress of background jobs.")


@bp.route("/<job_id>", methods=["GET"])
@login_required
@bp.response(200, JobSchema)
@bp.alt_response(404, description="No such job visible to this user")
def get_job(job_id: str):
    """A job's state, progress (0–100), message, result or error."""
    job = service.get(job_id)
    user = current_user()
    if job is None or not (job.created_by_user_id == user.id or has_role("tenant_admin")):
        abort(404, f"job {job_id} not found")
    return job
