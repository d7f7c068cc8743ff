"""A background job's progress page and the JSON its progress bar polls.

Screens that start a job (an assessment run, an Excel import) redirect here with ``?next=``
— where to go when it is done. The same visibility as ``GET /api/v1/jobs/<id>``: the user who
started it, or a tenant administrator; any other id is 404.
"""

from __future__ import annotations

from flask import jsonify, render_template, request, url_for

from core.api.errors import abort
from core.auth.permissions import current_user, has_role
from core.jobs import service
from core.jobs.models import DONE_STATES
from core.web import labels
from core.web.blueprint import bp, page
from core.web.screens.auth import safe_next


def visible_job(job_id: str):
    job = service.get(job_id)
    user = current_user()
    if job is None or not (job.created_by_user_id == user.id or has_role("tenant_admin")):
        abort(404, "not found")
    return job


@bp.route("/jobs/<job_id>")
@page
def job_page(job_id):
    job = visible_job(job_id)
    done_url = safe_next(request.args.get("next"), fallback=None)
    return render_template("web/job.html", job=job, done_url=done_url)


@bp.route("/jobs/<job_id>/status")
@page
def job_status(job_id):
    """What the progress bar shows: state, percent, message and whether it is over."""
    job = visible_job(job_id)
    return jsonify(
        state=job.state, state_label=str(labels.job_state(job.state)), progress=job.progress,
        message=job.message, error=labels.job_error(job.error), done=job.state in DONE_STATES,
        url=url_for("web.job_page", job_id=job.id),
    )
