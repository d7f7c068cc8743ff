"""The community API (``/api/v1/community``): grids (网格), property companies (红色物业),
registrations of in-service members (双报到) and their services, and an overview of a
community's figures.

* Reading needs a grant covering the record's community organisation; anything outside it
  is a 404, exactly like an unknown or another tenant's id. Lists show only what the user
  sees.
* Grids, registrations and services are the community's own records: ``branch_secretary``
  on the community organisation writes them.
* Property companies carry the joint-building agreements (党建共建协议) the community
  organisation signs under the street's lead: ``org_manager`` on the community organisation
  (a grant on the street covers it).
* A user who sees the organisation but lacks the role gets a 403.

Routes of this plugin answer 404 for a tenant that has not enabled it (core does that).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from core.sdk import (
    Blueprint,
    IndicatorContext,
    Member,
    Organization,
    current_tenant_id,
    db,
    expect_version,
    login_required,
    paged,
    seen_records,
    visible_org,
    visible_record,
)
from plugins.community import indicators as community_indicators
from plugins.community import service
from plugins.community.figures import FIGURE_KEYS, community_figures
from plugins.community.models import (
    SERVICE_CATEGORY_LABELS,
    Grid,
    PropertyCompany,
    Registration,
    Service,
)
from plugins.community.schemas import (
    CommunityCompanyInputSchema,
    CommunityCompanyPatchSchema,
    CommunityCompanyQuerySchema,
    CommunityCompanySchema,
    CommunityGridInputSchema,
    CommunityGridPatchSchema,
    CommunityGridQuerySchema,
    CommunityGridSchema,
    CommunityOverviewQuerySchema,
    CommunityOverviewSchema,
    CommunityRegistrationInputSchema,
    CommunityRegistrationPatchSchema,
    CommunityRegistrationQuerySchema,
    CommunityRegistrationSchema,
    CommunityServiceInputSchema,
    CommunityServiceQuerySchema,
    CommunityServiceSchema,
)

bp = Blueprint("community", __name__,
               description="Communities (社区): grids, red property management, 双报到 registrations "
                           "and services, and an overview of a community's figures.")

SECRETARY = "branch_secretary"
MANAGER = "org_manager"
PAGE = {"page_size": 50, "max_page_size": 500}


# -- lookups ----------------------------------------------------------------------------------------


def _columns(row, keys) -> dict:
    return {key: getattr(row, key) for key in keys}


# -- grids ------------------------------------------------------------------------------------------

GRID_KEYS = ("id", "org_id", "name", "code", "households", "grid_worker_name", "branch_org_id",
             "ended_on", "note", "created_at", "updated_at", "version")


def _grid(row: Grid, org_name: str, branch) -> dict:
    values = _columns(row, GRID_KEYS)
    values.update(org_name=org_name, branch_name=branch.name if branch is not None else None,
                  covered=branch is not None and branch.status == "active")
    return values


def _grid_of_id(grid_id):
    row, org = visible_record(Grid, grid_id, "grid")
    return row, org, service.get_org(row.branch_org_id)


@bp.route("/grids", methods=["GET"])
@login_required
@bp.arguments(CommunityGridQuerySchema, location="query")
@bp.response(200, CommunityGridSchema(many=True))
@bp.paginate(**PAGE)
def list_grids(filters, pagination_parameters):
    """Grids (网格) of the communities the user sees, by community and name: ``org_id``,
    ``subtree_of`` (a street's communities), ``include_ended``."""
    branch = aliased(Organization, name="grid_branch")
    stmt = seen_records(select(Grid, Organization.name, branch), Grid, filters).outerjoin(
        branch, branch.id == Grid.branch_org_id)
    if not filters["include_ended"]:
        stmt = stmt.where(Grid.ended_on.is_(None))
    rows = paged(stmt.order_by(Organization.code, Grid.name, Grid.id), pagination_parameters)
    return [_grid(row, name, branch_org) for row, name, branch_org in rows]


@bp.route("/grids", methods=["POST"])
@login_required
@bp.arguments(CommunityGridInputSchema)
@bp.response(201, CommunityGridSchema)
def create_grid(data):
    """Record a grid of a community; ``branch_org_id`` is the branch or Party group of the
    community that covers it (网格党支部 / 党小组)."""
    org = visible_org(data["org_id"], role=SECRETARY)
    row = service.create_grid(org, data)
    db.session.commit()
    return _grid(row, org.name, service.get_org(row.branch_org_id))


@bp.route("/grids/<grid_id>", methods=["GET"])
@login_required
@bp.response(200, CommunityGridSchema)
def get_grid(grid_id):
    """One grid."""
    row, org, branch = _grid_of_id(grid_id)
    return _grid(row, org.name, branch)


@bp.route("/grids/<grid_id>", methods=["PATCH"])
@login_required
@bp.arguments(CommunityGridPatchSchema)
@bp.response(200, CommunityGridSchema)
def update_grid(data, grid_id):
    """Change a grid: its branch, households, grid worker; ``ended_on`` when it is merged or
    abolished."""
    row, org = visible_record(Grid, grid_id, "grid", SECRETARY)
    service.update_grid(row, org, expect_version(row, data, "grid"))
    db.session.commit()
    return _grid(row, org.name, service.get_org(row.branch_org_id))


@bp.route("/grids/<grid_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_grid(grid_id):
    """Remove a grid recorded by mistake (409 while registrations serve in it: end it instead)."""
    row, _ = visible_record(Grid, grid_id, "grid", SECRETARY)
    service.delete_grid(row)
    db.session.commit()


# -- property companies -----------------------------------------------------------------------------

COMPANY_KEYS = ("id", "org_id", "name", "credit_code", "compounds_served", "has_party_org", "party_org_id",
                "agreement_signed_on", "agreement_ends_on", "started_on", "left_on", "note",
                "created_at", "updated_at", "version")


def _company(row: PropertyCompany, org_name: str) -> dict:
    today = service.today()
    values = _columns(row, COMPANY_KEYS)
    valid = (row.agreement_signed_on is not None and row.agreement_signed_on <= today
             and (row.agreement_ends_on is None or row.agreement_ends_on >= today))
    values.update(org_name=org_name, agreement_valid=valid, red_property=bool(row.has_party_org) or valid)
    return values


@bp.route("/property-companies", methods=["GET"])
@login_required
@bp.arguments(CommunityCompanyQuerySchema, location="query")
@bp.response(200, CommunityCompanySchema(many=True))
@bp.paginate(**PAGE)
def list_companies(filters, pagination_parameters):
    """Property companies (物业企业) serving the communities the user sees: ``org_id``,
    ``subtree_of``, ``include_left``."""
    stmt = seen_records(select(PropertyCompany, Organization.name), PropertyCompany, filters)
    if not filters["include_left"]:
        stmt = stmt.where(PropertyCompany.left_on.is_(None))
    rows = paged(stmt.order_by(Organization.code, PropertyCompany.name, PropertyCompany.id),
                  pagination_parameters)
    return [_company(row, name) for row, name in rows]


@bp.route("/property-companies", methods=["POST"])
@login_required
@bp.arguments(CommunityCompanyInputSchema)
@bp.response(201, CommunityCompanySchema)
def create_company(data):
    """Record a property company serving a community, with its Party organisation and its
    joint-building agreement (红色物业). Needs ``org_manager`` on the community."""
    org = visible_org(data["org_id"], role=MANAGER)
    row = service.create_company(org, data)
    db.session.commit()
    return _company(row, org.name)


@bp.route("/property-companies/<company_id>", methods=["GET"])
@login_required
@bp.response(200, CommunityCompanySchema)
def get_company(company_id):
    """One property company."""
    row, org = visible_record(PropertyCompany, company_id, "property company")
    return _company(row, org.name)


@bp.route("/property-companies/<company_id>", methods=["PATCH"])
@login_required
@bp.arguments(CommunityCompanyPatchSchema)
@bp.response(200, CommunityCompanySchema)
def update_company(data, company_id):
    """Change a company: a renewed agreement, a Party organisation formed, ``left_on`` when
    it stops serving the community."""
    row, org = visible_record(PropertyCompany, company_id, "property company", MANAGER)
    service.update_company(row, expect_version(row, data, "property company"))
    db.session.commit()
    return _company(row, org.name)


@bp.route("/property-companies/<company_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_company(company_id):
    """Remove a company recorded by mistake (one that leaves gets ``left_on`` instead)."""
    row, _ = visible_record(PropertyCompany, company_id, "property company", MANAGER)
    service.delete_company(row)
    db.session.commit()


# -- registrations (双报到) ---------------------------------------------------------------------------

REGISTRATION_KEYS = ("id", "org_id", "member_id", "work_unit", "grid_id", "registered_on", "ended_on",
                     "end_reason", "note", "created_at", "updated_at", "version")


def _service_figures(registration_ids, year: int) -> dict:
    """``{registration_id: (services in year, last service day)}``, one query."""
    if not registration_ids:
        return {}
    in_year = func.sum(case((Service.served_on >= date(year, 1, 1), 1), else_=0))
    rows = db.session.execute(
        select(Service.registration_id, in_year, func.max(Service.served_on))
        .where(Service.registration_id.in_(registration_ids), Service.served_on <= date(year, 12, 31))
        .group_by(Service.registration_id)
    ).all()
    return {rid: (int(n or 0), last) for rid, n, last in rows}


def _registrations(rows) -> list[dict]:
    """Rows of ``(Registration, org name, member name)`` presented, with this year's service
    figures from one query for them all."""
    today = service.today()
    figures = _service_figures([row.id for row, _, _ in rows], today.year)
    out = []
    for row, org_name, member_name in rows:
        values = _columns(row, REGISTRATION_KEYS)
        services, last = figures.get(row.id, (0, None))
        values.update(org_name=org_name, name=member_name if row.member_id else row.person_name,
                      in_register=row.member_id is not None, services_this_year=services,
                      last_served_on=last)
        out.append(values)
    return out


def _registration_row(registration: Registration, org: Organization):
    name = (db.session.scalar(select(Member.name).where(Member.id == registration.member_id))
            if registration.member_id is not None else None)
    return _registrations([(registration, org.name, name)])[0]


@bp.route("/registrations", methods=["GET"])
@login_required
@bp.arguments(CommunityRegistrationQuerySchema, location="query")
@bp.response(200, CommunityRegistrationSchema(many=True))
@bp.paginate(**PAGE)
def list_registrations(filters, pagination_parameters):
    """People registered with the communities the user sees (双报到), latest first:
    ``org_id``, ``subtree_of``, ``state`` (current / ended / all), ``member_id``, ``grid_id``;
    each with this year's services."""
    stmt = seen_records(select(Registration, Organization.name, Member.name), Registration, filters).outerjoin(
        Member, Member.id == Registration.member_id)
    today = service.today()
    if filters["state"] == "current":
        stmt = stmt.where((Registration.ended_on.is_(None)) | (Registration.ended_on > today))
    elif filters["state"] == "ended":
        stmt = stmt.where(Registration.ended_on <= today)
    if filters["member_id"] is not None:
        stmt = stmt.where(Registration.member_id == filters["member_id"])
    if filters["grid_id"] is not None:
        stmt = stmt.where(Registration.grid_id == filters["grid_id"])
    rows = paged(stmt.order_by(Registration.registered_on.desc(), Registration.id), pagination_parameters)
    return _registrations(rows)


@bp.route("/registrations", methods=["POST"])
@login_required
@bp.arguments(CommunityRegistrationInputSchema)
@bp.response(201, CommunityRegistrationSchema)
def create_registration(data):
    """Register someone with a community (双报到): ``member_id`` for an in-service member of
    another organisation of the register (one open registration per member), or
    ``person_name`` with ``work_unit`` for someone outside it."""
    org = visible_org(data["org_id"], role=SECRETARY)
    row = service.create_registration(org, data)
    db.session.commit()
    return _registration_row(row, org)


@bp.route("/registrations/<registration_id>", methods=["GET"])
@login_required
@bp.response(200, CommunityRegistrationSchema)
def get_registration(registration_id):
    """One registration, with this year's services."""
    row, org = visible_record(Registration, registration_id, "registration")
    return _registration_row(row, org)


@bp.route("/registrations/<registration_id>", methods=["PATCH"])
@login_required
@bp.arguments(CommunityRegistrationPatchSchema)
@bp.response(200, CommunityRegistrationSchema)
def update_registration(data, registration_id):
    """Change a registration: its grid, work unit; ``ended_on`` when the member moves away or
    stops serving (never before a recorded service)."""
    row, org = visible_record(Registration, registration_id, "registration", SECRETARY)
    service.update_registration(row, org, expect_version(row, data, "registration"))
    db.session.commit()
    return _registration_row(row, org)


@bp.route("/registrations/<registration_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_registration(registration_id):
    """Remove a registration recorded by mistake (409 once services are recorded)."""
    row, _ = visible_record(Registration, registration_id, "registration", SECRETARY)
    service.delete_registration(row)
    db.session.commit()


# -- services -----------------------------------------------------------------------------------------

SERVICE_KEYS = ("id", "registration_id", "org_id", "served_on", "hours", "category", "activity", "note",
                "created_at")


def _service(row: Service) -> dict:
    values = _columns(row, SERVICE_KEYS)
    values["category_label"] = SERVICE_CATEGORY_LABELS.get(row.category, row.category)
    return values


@bp.route("/registrations/<registration_id>/services", methods=["GET"])
@login_required
@bp.arguments(CommunityServiceQuerySchema, location="query")
@bp.response(200, CommunityServiceSchema(many=True))
def list_services(filters, registration_id):
    """The services of a registration, latest first (``year`` to limit them)."""
    row, _ = visible_record(Registration, registration_id, "registration")
    stmt = select(Service).where(Service.registration_id == row.id)
    if filters["year"] is not None:
        stmt = stmt.where(Service.served_on >= date(filters["year"], 1, 1),
                          Service.served_on <= date(filters["year"], 12, 31))
    return [_service(s) for s in db.session.scalars(stmt.order_by(Service.served_on.desc(), Service.id))]


@bp.route("/registrations/<registration_id>/services", methods=["POST"])
@login_required
@bp.arguments(CommunityServiceInputSchema)
@bp.response(201, CommunityServiceSchema)
def create_service(data, registration_id):
    """Record a service the registered person did for the community (the member's points
    are collected from it: ``community.service``)."""
    row, _ = visible_record(Registration, registration_id, "registration", SECRETARY)
    created = service.create_service(row, data)
    db.session.commit()
    return _service(created)


@bp.route("/services/<service_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_service(service_id):
    """Remove a service recorded by mistake (points already awarded for it stay in the
    ledger, to be corrected there)."""
    row, _ = visible_record(Service, service_id, "service", SECRETARY)
    service.delete_service(row)
    db.session.commit()


# -- overview ------------------------------------------------------------------------------------------


class _Keep(dict):
    def __missing__(self, key):
        return "—"


def _number(value):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 1)


@bp.route("/overview", methods=["GET"])
@login_required
@bp.arguments(CommunityOverviewQuerySchema, location="query")
@bp.response(200, CommunityOverviewSchema)
def overview(filters):
    """A community's (or a street's) figures and the sector's indicators for a year, with
    their default targets: what the star rating will read."""
    org = visible_org(filters["org_id"])
    today = service.today()
    year = filters["year"] or today.year
    start, end = date(year, 1, 1), date(year, 12, 31)
    if year == today.year:
        end = today
    orgs = select(Organization.id).where(Organization.id == org.id)
    figures = community_figures(orgs).get(org.id)
    totals = {}
    if figures is not None:
        for key in FIGURE_KEYS:
            known = figures.known(key)
            if known and key != "worker_avg_monthly_pay":
                totals[key] = _number(figures.total(key, known))
    items = []
    for indicator in community_indicators.indicators():
        params = indicator.params().load({})
        ctx = IndicatorContext(tenant_id=current_tenant_id(), start=start, end=end, orgs=orgs, params=params)
        measured = indicator.measure(ctx).get(org.id)
        value = _number(measured.value) if measured is not None else None
        target = params.get("target")
        explanation = (indicator.explain.format_map(_Keep({**params, **measured.evidence, "value": value,
                                                            "unit": indicator.unit}))
                       if measured is not None else "无数据")
        items.append({
            "indicator": indicator.key, "name": indicator.name, "value": value, "unit": indicator.unit,
            "target": target, "met": None if value is None else value >= target,
            "explanation": explanation, "evidence": dict(measured.evidence) if measured is not None else {},
        })
    return {"org_id": org.id, "org_name": org.name, "year": year, "start": start, "end": end,
            "attributes": totals, "communities": len(figures.communities) if figures else 0, "items": items}
