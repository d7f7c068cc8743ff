"""The organisation API (``/api/v1/orgs``): list, create and read the organisation tree.

Every answer is limited to the organisations the user's grants cover
(:func:`core.auth.permissions.visible_orgs_clause`); an organisation outside them is a 404,
like an unknown or another tenant's id. Creating needs ``org_manager`` on the parent, or
``tenant_admin`` for a root. A sector must be one the tenant's enabled plugins offer.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import Blueprint, abort
from core.api.smorest import parse_id
from core.auth.permissions import has_role, login_required, require_org_access, visible_orgs_clause
from core.db import db
from core.orgs import service
from core.orgs.models import Organization
from core.orgs.schemas import OrgCreateSchema, OrgQuerySchema, OrgSchema
from core.plugins import service as plugin_service

bp = Blueprint("orgs", __name__, description="The Party organisation tree (党组织).")


def sector_keys() -> set[str]:
    """Keys of the sectors the current tenant's enabled plugins provide."""
    return {
        sector.key
        for sectors in plugin_service.hook("dangjian_sectors")()
        for sector in sectors or []
    }


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(OrgQuerySchema, location="query")
@bp.response(200, OrgSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_orgs(filters, pagination_parameters):
    """Organisations the user can see, in tree order; filter by ``parent``, ``kind``,
    ``sector``."""
    conditions = [visible_orgs_clause()]
    if filters["parent"] is not None:
        conditions.append(Organization.parent_id == filters["parent"])
    if filters["kind"] is not None:
        conditions.append(Organization.kind == filters["kind"])
    if filters["sector"] is not None:
        conditions.append(Organization.sector == filters["sector"])
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(Organization).where(*conditions)
    )
    return db.session.scalars(
        select(Organization)
        .where(*conditions)
        .order_by(Organization.path)
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    ).all()


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(OrgCreateSchema)
@bp.response(201, OrgSchema)
def create_org(data):
    """Create an organisation under ``parent_id`` (or a root, for a tenant administrator)."""
    parent = None
    if data["parent_id"] is None:
        if not has_role("tenant_admin"):
            abort(403, "Only a tenant administrator can create a root organization.")
    else:
        parent = service.get(data["parent_id"])
        if parent is None:
            abort(404, f"organization {data['parent_id']} not found")
        require_org_access(parent, role="org_manager")
    if data["sector"] is not None and data["sector"] not in sector_keys():
        known = ", ".join(sorted(sector_keys())) or "none enabled"
        abort(422, f"Unknown sector (available: {known}).", {"sector": ["Unknown sector."]})
    code = data["code"]
    if service.by_code(code) is not None:
        abort(409, f"An organization with code {code!r} already exists.",
              {"code": ["Already in use."]})
    org = service.create(
        name=data["name"], code=code, kind=data["kind"], parent=parent, sector=data["sector"]
    )
    db.session.commit()
    return org


@bp.route("/<org_id>", methods=["GET"])
@login_required
@bp.response(200, OrgSchema)
def get_org(org_id):
    """One organisation (404 when unknown or outside the user's scope)."""
    parsed = parse_id(org_id)
    org = service.get(parsed) if parsed is not None else None
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")  # unknown and out of scope alike
    return org
