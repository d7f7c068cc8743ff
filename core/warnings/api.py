"""The warnings API (``/api/v1/warnings``).

* ``GET ""`` — warnings of the organisations the user sees (filters: ``subtree_of``,
  ``org_id``, ``rule``, ``severity``, ``state`` (default ``open``), ``subject_type``), paged,
  most recently opened first; ``GET /<id>`` one of them (404 outside the user's scope).
* ``POST /<id>/acknowledge`` ``{note}`` — ``branch_secretary`` or above on its organisation.
* ``POST /sweep`` — ``tenant_admin``: starts the ``warnings.sweep`` job, 202 with the job.
* ``GET /rules`` — the tenant's rules, enabled flag and effective parameters;
  ``PATCH /rules/<key>`` ``{enabled, params}`` — ``tenant_admin`` (audited).
* ``GET /ranking`` — 红黑榜 of a subtree over a period; ``format=xlsx`` downloads it.
"""

from __future__ import annotations

import io
from datetime import date

from flask import send_file, url_for
from sqlalchemy import func, select

from core.api import Blueprint, abort
from core.api.smorest import parse_id
from core.auth.permissions import (
    has_role,
    login_required,
    require_org_access,
    roles_required,
    visible_orgs_clause,
)
from core.db import db
from core.jobs import service as jobs
from core.jobs.schemas import JobSchema
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.warnings import ranking as red_black
from core.warnings import registry, service
from core.warnings.models import Warning
from core.warnings.plugin import SWEEP_JOB
from core.warnings.schemas import (
    AcknowledgeSchema,
    RankingQuerySchema,
    RankingSchema,
    RuleSchema,
    RuleUpdateSchema,
    SweepRequestSchema,
    WarningQuerySchema,
    WarningSchema,
)

bp = Blueprint("warnings", __name__, description="Warnings (预警) and the 红黑榜.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible_org(org_id) -> Organization:
    parsed = parse_id(org_id)
    org = orgs.get(parsed) if parsed is not None else None
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")
    return org


def _decorate(pairs) -> list[Warning]:
    """Attach the organisation's and the rule's names for the response."""
    rules = registry.tenant_rules()
    out = []
    for warning, org_name in pairs:
        warning.org_name = org_name
        rule = rules.get(warning.rule_key)
        warning.rule_name = rule.name if rule is not None else None
        out.append(warning)
    return out


def _visible_warning(warning_id) -> Warning:
    parsed = parse_id(warning_id)
    row = None
    if parsed is not None:
        row = db.session.execute(
            select(Warning, Organization.name)
            .join(Organization, Organization.id == Warning.org_id)
            .where(Warning.id == parsed, visible_orgs_clause(), registry.shown_condition())
        ).first()
    if row is None:
        abort(404, f"warning {warning_id} not found")
    return _decorate([row])[0]


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(WarningQuerySchema, location="query")
@bp.response(200, WarningSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_warnings(filters, pagination_parameters):
    """Warnings of the organisations the user can see, newest first."""
    conditions = [visible_orgs_clause(), registry.shown_condition(),
                  Warning.state == filters["state"]]
    if filters["subtree_of"] is not None:
        conditions.append(orgs.subtree_filter(_visible_org(filters["subtree_of"]).path))
    if filters["org_id"] is not None:
        conditions.append(Warning.org_id == filters["org_id"])
    if filters["rule"] is not None:
        conditions.append(Warning.rule_key == filters["rule"])
    if filters["severity"] is not None:
        conditions.append(Warning.severity == filters["severity"])
    if filters["subject_type"] == "org":
        conditions.append(Warning.subject_type.is_(None))
    elif filters["subject_type"] is not None:
        conditions.append(Warning.subject_type == filters["subject_type"])
    base = select(Warning, Organization.name).join(Organization, Organization.id == Warning.org_id)
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(Warning)
        .join(Organization, Organization.id == Warning.org_id).where(*conditions)
    )
    rows = db.session.execute(
        base.where(*conditions)
        .order_by(Warning.opened_at.desc(), Warning.id)
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    ).all()
    return _decorate(rows)


@bp.route("/<warning_id>", methods=["GET"])
@login_required
@bp.response(200, WarningSchema)
def get_warning(warning_id):
    """One warning (404 when unknown, another tenant's or outside the user's scope)."""
    return _visible_warning(warning_id)


@bp.route("/<warning_id>/acknowledge", methods=["POST"])
@login_required
@bp.arguments(AcknowledgeSchema)
@bp.response(200, WarningSchema)
def acknowledge_warning(data, warning_id):
    """Acknowledge a warning with an optional note (branch secretary or above on its
    organisation). It stays open until the data clears."""
    warning = _visible_warning(warning_id)
    require_org_access(orgs.get(warning.org_id), role="branch_secretary")
    service.acknowledge(warning, data["note"], expected_version=data.get("version"))
    db.session.commit()
    return _visible_warning(warning_id)


@bp.route("/sweep", methods=["POST"])
@roles_required("tenant_admin")
@bp.arguments(SweepRequestSchema)
@bp.response(202, JobSchema, description="The sweep job (see GET /api/v1/jobs/<id>)")
def start_sweep(data):
    """Sweep the tenant now (all rules, or ``rules``), as the ``warnings.sweep`` job."""
    known = registry.tenant_rules()
    unknown = [k for k in data["rules"] or () if k not in known]
    if unknown:
        abort(422, f"unknown warning rules: {', '.join(unknown)}", {"rules": [f"unknown: {', '.join(unknown)}"]})
    kwargs = {}
    if data["today"] is not None:
        kwargs["today"] = data["today"].isoformat()
    if data["rules"]:
        kwargs["rules"] = data["rules"]
    job = jobs.enqueue(SWEEP_JOB, **kwargs)
    return job, 202, {"Location": url_for("jobs.get_job", job_id=str(job.id))}


@bp.route("/rules", methods=["GET"])
@login_required
@bp.response(200, RuleSchema(many=True))
def list_rules():
    """The tenant's warning rules with their enabled flag and effective parameters."""
    return service.describe_rules()


@bp.route("/rules/<key>", methods=["PATCH"])
@roles_required("tenant_admin")
@bp.arguments(RuleUpdateSchema)
@bp.response(200, RuleSchema)
def update_rule(data, key):
    """Switch a rule on or off and/or replace its parameter overrides (validated; an error
    names ``params.<field>``). Disabling resolves the rule's open warnings."""
    service.update_rule(key, enabled=data["enabled"], params=data["params"],
                        expected_version=data.get("version"))
    db.session.commit()
    return next(r for r in service.describe_rules() if r["key"] == key)


@bp.route("/ranking", methods=["GET"])
@login_required
@bp.arguments(RankingQuerySchema, location="query")
@bp.response(200, RankingSchema)
def get_ranking(query):
    """红黑榜: best (红榜) and worst (黑榜) organisations of ``kind`` in ``subtree_of`` (default:
    everything the user sees) by warnings open during the period, weighted by severity."""
    root = _visible_org(query["subtree_of"]) if query["subtree_of"] is not None else None
    result = red_black.ranking(
        root.path if root is not None else None, visible_orgs_clause(),
        query["period_start"], query["period_end"], query["kind"], query["limit"],
    )
    if query["format"] != "xlsx":
        return result
    title = _title(root, query["period_start"], query["period_end"])
    data = red_black.to_xlsx(result, title)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"红黑榜_{query['period_start']}_{query['period_end']}.xlsx")


def _title(root, start: date, end: date) -> str:
    where = root.name if root is not None else "全部党组织"
    return f"{where} 红黑榜 {start.isoformat()} 至 {end.isoformat()}"
