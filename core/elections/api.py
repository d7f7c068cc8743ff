"""The elections API (``/api/v1/elections``): election records and the terms they start.

Reading needs a grant covering the organisation (404 otherwise, as for an unknown id);
recording needs ``branch_secretary`` on it. Timing rules are in :mod:`core.elections.service`.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.api import Blueprint, abort
from core.api.fields import UtcDateTime
from core.auth.permissions import has_role, login_required, require_org_access, visible_orgs_clause
from core.db import db
from core.elections import service
from core.elections.models import KINDS, Election
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.orgs.service import TERM_YEARS_RANGE

bp = Blueprint("elections", __name__, description="Terms and elections (换届).")

WRITE_ROLE = "branch_secretary"


class ElectionInputSchema(Schema):
    org_id = fields.UUID(required=True)
    held_on = fields.Date(required=True)
    kind = fields.Str(load_default="regular", validate=validate.OneOf(KINDS))
    approved_by = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    approval_ref = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    term_started_on = fields.Date(load_default=None, allow_none=True)
    term_years = fields.Int(load_default=None, allow_none=True,
                            validate=validate.Range(*TERM_YEARS_RANGE))
    meeting_id = fields.UUID(load_default=None, allow_none=True)
    notes = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class ElectionSchema(Schema):
    id = fields.UUID()
    org_id = fields.UUID()
    held_on = fields.Date()
    kind = fields.Str()
    due_on = fields.Date(allow_none=True)
    approved_by = fields.Str(allow_none=True)
    approval_ref = fields.Str(allow_none=True)
    term_started_on = fields.Date()
    term_years = fields.Int(allow_none=True)
    meeting_id = fields.UUID(allow_none=True)
    notes = fields.Str(allow_none=True)
    recorded_by = fields.Str()
    created_at = UtcDateTime()


class ElectionQuerySchema(Schema):
    org_id = fields.UUID(load_default=None)
    subtree_of = fields.UUID(load_default=None)


def _org_or_404(org_id) -> Organization:
    org = orgs.get(org_id) if org_id is not None else None
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")
    return org


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(ElectionQuerySchema, location="query")
@bp.response(200, ElectionSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_elections(filters, pagination_parameters):
    """Elections of the organisations the user sees, newest first."""
    stmt = (select(Election).join(Organization, Organization.id == Election.org_id)
            .where(visible_orgs_clause()))
    if filters["org_id"] is not None:
        stmt = stmt.where(Election.org_id == filters["org_id"])
    if filters["subtree_of"] is not None:
        stmt = stmt.where(orgs.subtree_filter(_org_or_404(filters["subtree_of"]).path))
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.subquery())
    )
    return db.session.scalars(
        stmt.order_by(Election.held_on.desc())
        .offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
    ).all()


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(ElectionInputSchema)
@bp.response(201, ElectionSchema)
def create_election(data):
    """Record an election: the organisation's new term starts (``term_started_on``, the
    election day by default). Early or late elections need ``approval_ref`` and stay
    within one year of the term's end."""
    org = require_org_access(_org_or_404(data["org_id"]), WRITE_ROLE)
    election = service.record_election(org, data)
    db.session.commit()
    return election
