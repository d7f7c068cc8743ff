"""The community records' operations: grids, property companies, registrations (双报到) and
their services.

Every function works in the current tenant and leaves the commit to its caller; each checks
everything before it changes anything, so a refusal writes nothing. Errors are
:class:`core.sdk.ApiError` naming the field: 422 for invalid input, 409 for a clash with
what exists (a current grid or company of the same name, a member already registered
elsewhere, a record still referenced). Permissions are the API's business.

Rules kept here:

* records hang on a **community organisation**: an active organisation of the community
  sector that may lead a community (a committee, general branch or branch; not a group);
* a grid's branch (网格党支部 / 党小组) is an active branch, joint branch or group inside the
  community (its subtree, not the community organisation itself);
* a registration (双报到) is for someone from **outside** the community: a member of the
  register whose organisation is not in the community's subtree (an in-service member of
  another organisation), or a person outside the register, named with their work unit; a
  member has one open registration at a time;
* services happen while the registration runs, never in the future.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from core.sdk import (
    MEMBER_ACTIVE_STATUSES,
    ApiError,
    Member,
    Organization,
    credit_code_problem,
    db,
    has_role,
    normalise_credit_code,
)
from plugins.community.attributes import COMMUNITY_KINDS, SECTOR, SUB_KINDS
from plugins.community.models import Grid, PropertyCompany, Registration, Service


def _invalid(field: str, message: str):
    raise ApiError(422, f"{field}: {message}", {field: [message]})


def _conflict(field: str, message: str):
    raise ApiError(409, f"{field}: {message}", {field: [message]})


def today() -> date:
    return date.today()


def get_org(org_id: uuid.UUID | None) -> Organization | None:
    if org_id is None:
        return None
    return db.session.scalar(select(Organization).where(Organization.id == org_id))


def _in_subtree(org: Organization, root: Organization) -> bool:
    return org.path.startswith(root.path)


# -- the community organisation -------------------------------------------------------------------


def require_community(org: Organization, field: str = "org_id") -> Organization:
    """``org`` if it may keep community records (422 naming ``field`` otherwise)."""
    if org.sector != SECTOR:
        _invalid(field, "Not an organization of the community sector (社区).")
    if org.kind not in COMMUNITY_KINDS:
        _invalid(field, "A Party group cannot keep community records; use its branch.")
    if org.status != "active":
        _invalid(field, f"The organization is {org.status}.")
    return org


def _check_dates(first: date | None, last: date | None, field: str, what: str) -> None:
    if first is not None and last is not None and last < first:
        _invalid(field, f"Must not be before {what}.")


# -- grids ------------------------------------------------------------------------------------------


def _grid_branch(community: Organization, branch_id: uuid.UUID | None) -> uuid.UUID | None:
    """The grid branch id if valid: an active branch, joint branch or group of the
    community's subtree, other than the community organisation itself."""
    if branch_id is None:
        return None
    branch = get_org(branch_id)
    if branch is None or not _in_subtree(branch, community):
        _invalid("branch_org_id", "Not an organization of this community.")
    if branch.id == community.id or branch.kind not in SUB_KINDS:
        _invalid("branch_org_id", "A grid is covered by a branch or a Party group of the community.")
    if branch.status != "active":
        _invalid("branch_org_id", f"The organization is {branch.status}.")
    return branch.id


def _grid_name_free(community_id: uuid.UUID, name: str, except_id: uuid.UUID | None = None) -> None:
    stmt = select(Grid.id).where(Grid.org_id == community_id, Grid.name == name, Grid.ended_on.is_(None))
    if except_id is not None:
        stmt = stmt.where(Grid.id != except_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        _conflict("name", "The community already has a current grid of this name.")


GRID_FIELDS = ("name", "code", "households", "grid_worker_name", "branch_org_id", "ended_on", "note")


def create_grid(community: Organization, data: dict) -> Grid:
    require_community(community)
    branch_id = _grid_branch(community, data.get("branch_org_id"))
    if data.get("ended_on") is None:
        _grid_name_free(community.id, data["name"])
    grid = Grid(org_id=community.id, **{k: data.get(k) for k in GRID_FIELDS})
    grid.branch_org_id = branch_id
    db.session.add(grid)
    db.session.flush()
    return grid


def update_grid(grid: Grid, community: Organization, changes: dict) -> Grid:
    if "branch_org_id" in changes:
        changes["branch_org_id"] = _grid_branch(community, changes["branch_org_id"])
    name = changes.get("name", grid.name)
    ended_on = changes.get("ended_on", grid.ended_on)
    if ended_on is None and (name != grid.name or grid.ended_on is not None):
        _grid_name_free(grid.org_id, name, except_id=grid.id)
    for key in GRID_FIELDS:
        if key in changes:
            setattr(grid, key, changes[key])
    db.session.flush()
    return grid


def delete_grid(grid: Grid) -> None:
    used = db.session.scalar(select(func.count()).select_from(Registration).where(Registration.grid_id == grid.id))
    if used:
        _conflict("grid", f"{used} registrations serve in this grid; end the grid (ended_on) instead.")
    db.session.delete(grid)
    db.session.flush()


# -- property companies -----------------------------------------------------------------------------


def _credit_code(code: str | None) -> str | None:
    code = normalise_credit_code(code)
    if code is not None:
        problem = credit_code_problem(code)
        if problem:
            _invalid("credit_code", problem)
    return code


def _party_org(party_org_id: uuid.UUID | None) -> uuid.UUID | None:
    """The company's Party organisation: an active organisation the user can see."""
    if party_org_id is None:
        return None
    org = get_org(party_org_id)
    if org is None or not has_role("member", org):
        _invalid("party_org_id", "Unknown organization.")
    if org.status != "active":
        _invalid("party_org_id", f"The organization is {org.status}.")
    if org.kind == "group":
        _invalid("party_org_id", "A Party group is not a company's Party organization; give its branch.")
    return org.id


def _company_name_free(community_id, name: str, except_id=None) -> None:
    stmt = select(PropertyCompany.id).where(
        PropertyCompany.org_id == community_id, PropertyCompany.name == name,
        PropertyCompany.left_on.is_(None))
    if except_id is not None:
        stmt = stmt.where(PropertyCompany.id != except_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        _conflict("name", "This property company already serves the community.")


COMPANY_FIELDS = (
    "name", "credit_code", "compounds_served", "has_party_org", "party_org_id",
    "agreement_signed_on", "agreement_ends_on", "started_on", "left_on", "note",
)


def _check_company(values: dict) -> None:
    """Cross-field rules on a company's full values."""
    if values.get("party_org_id") is not None and values.get("has_party_org") is False:
        _invalid("has_party_org", "A company with a Party organization (party_org_id) has one.")
    if values.get("agreement_ends_on") is not None and values.get("agreement_signed_on") is None:
        _invalid("agreement_signed_on", "Give the day the agreement was signed.")
    _check_dates(values.get("agreement_signed_on"), values.get("agreement_ends_on"),
                 "agreement_ends_on", "agreement_signed_on")
    _check_dates(values.get("started_on"), values.get("left_on"), "left_on", "started_on")
    for key in ("agreement_signed_on", "started_on"):
        if values.get(key) is not None and values[key] > today():
            _invalid(key, "Must not be in the future.")


def create_company(community: Organization, data: dict) -> PropertyCompany:
    require_community(community)
    values = {k: data.get(k) for k in COMPANY_FIELDS}
    values["credit_code"] = _credit_code(values["credit_code"])
    values["party_org_id"] = _party_org(values["party_org_id"])
    if values["has_party_org"] is None:
        values["has_party_org"] = values["party_org_id"] is not None
    _check_company(values)
    if values["left_on"] is None:
        _company_name_free(community.id, values["name"])
    company = PropertyCompany(org_id=community.id, **values)
    db.session.add(company)
    db.session.flush()
    return company


def update_company(company: PropertyCompany, changes: dict) -> PropertyCompany:
    if "credit_code" in changes:
        changes["credit_code"] = _credit_code(changes["credit_code"])
    if "party_org_id" in changes:
        changes["party_org_id"] = _party_org(changes["party_org_id"])
        if changes["party_org_id"] is not None and "has_party_org" not in changes:
            changes["has_party_org"] = True
    values = {k: changes.get(k, getattr(company, k)) for k in COMPANY_FIELDS}
    if values["has_party_org"] is None:
        _invalid("has_party_org", "Field may not be null.")
    _check_company(values)
    if values["left_on"] is None and (values["name"] != company.name or company.left_on is not None):
        _company_name_free(company.org_id, values["name"], except_id=company.id)
    for key in COMPANY_FIELDS:
        if key in changes:
            setattr(company, key, changes[key])
    db.session.flush()
    return company


def delete_company(company: PropertyCompany) -> None:
    db.session.delete(company)
    db.session.flush()


# -- registrations (双报到) ------------------------------------------------------------------------


def _grid_of(community: Organization, grid_id: uuid.UUID | None) -> uuid.UUID | None:
    if grid_id is None:
        return None
    grid = db.session.scalar(select(Grid).where(Grid.id == grid_id))
    if grid is None or grid.org_id != community.id:
        _invalid("grid_id", "Not a grid of this community.")
    if grid.ended_on is not None and grid.ended_on <= today():
        _invalid("grid_id", "The grid has ended.")
    return grid.id


def _registering_member(community: Organization, member_id: uuid.UUID) -> Member:
    """A member of another organisation who may report to ``community``."""
    member = db.session.scalar(select(Member).where(Member.id == member_id))
    if member is None:
        _invalid("member_id", "Unknown member.")
    if member.status not in MEMBER_ACTIVE_STATUSES:
        _invalid("member_id", f"The member's status is {member.status}.")
    home = get_org(member.org_id)
    if home is not None and _in_subtree(home, community):
        _invalid("member_id", "The member belongs to this community's own organizations; "
                              "双报到 is for members of other organizations.")
    return member


def _open_registration_of(member_id: uuid.UUID, except_id: uuid.UUID | None = None) -> Registration | None:
    stmt = select(Registration).where(Registration.member_id == member_id, Registration.ended_on.is_(None))
    if except_id is not None:
        stmt = stmt.where(Registration.id != except_id)
    return db.session.scalar(stmt.limit(1))


def _service_span(registration: Registration) -> tuple[date | None, date | None]:
    """The first and last service days of ``registration`` (None, None without services)."""
    return db.session.execute(
        select(func.min(Service.served_on), func.max(Service.served_on))
        .where(Service.registration_id == registration.id)
    ).one()


def member_home(member: Member) -> Organization | None:
    return get_org(member.org_id)


def create_registration(community: Organization, data: dict) -> Registration:
    require_community(community)
    member_id, person_name = data.get("member_id"), data.get("person_name")
    if (member_id is None) == (person_name is None):
        _invalid("member_id", "Give member_id (a member of the register) or person_name, not both.")
    work_unit = data.get("work_unit")
    if member_id is not None:
        member = _registering_member(community, member_id)
        if data.get("ended_on") is None and _open_registration_of(member.id) is not None:
            _conflict("member_id", "The member is already registered with a community; end that first.")
        if work_unit is None:
            home = member_home(member)
            work_unit = home.name if home is not None else None
    elif work_unit is None:
        _invalid("work_unit", "Give the work unit of someone outside the register.")
    if data["registered_on"] > today():
        _invalid("registered_on", "Must not be in the future.")
    _check_dates(data["registered_on"], data.get("ended_on"), "ended_on", "registered_on")
    registration = Registration(
        org_id=community.id, member_id=member_id, person_name=person_name, work_unit=work_unit,
        grid_id=_grid_of(community, data.get("grid_id")), registered_on=data["registered_on"],
        ended_on=data.get("ended_on"), end_reason=data.get("end_reason"), note=data.get("note"),
    )
    db.session.add(registration)
    db.session.flush()
    return registration


REGISTRATION_FIELDS = ("work_unit", "grid_id", "registered_on", "ended_on", "end_reason", "note")


def update_registration(registration: Registration, community: Organization, changes: dict) -> Registration:
    if "grid_id" in changes:
        changes["grid_id"] = _grid_of(community, changes["grid_id"])
    if "work_unit" in changes and changes["work_unit"] is None and registration.member_id is None:
        _invalid("work_unit", "Give the work unit of someone outside the register.")
    registered_on = changes.get("registered_on", registration.registered_on)
    ended_on = changes.get("ended_on", registration.ended_on)
    if registered_on > today():
        _invalid("registered_on", "Must not be in the future.")
    _check_dates(registered_on, ended_on, "ended_on", "registered_on")
    first, last = _service_span(registration)
    if first is not None and registered_on > first:
        _invalid("registered_on", f"A service was recorded on {first.isoformat()}, before that day.")
    if last is not None and ended_on is not None and ended_on < last:
        _invalid("ended_on", f"A service was recorded on {last.isoformat()}, after that day.")
    if (ended_on is None and registration.ended_on is not None and registration.member_id is not None
            and _open_registration_of(registration.member_id, except_id=registration.id) is not None):
        _conflict("ended_on", "The member is registered with another community now.")
    for key in REGISTRATION_FIELDS:
        if key in changes:
            setattr(registration, key, changes[key])
    db.session.flush()
    return registration


def delete_registration(registration: Registration) -> None:
    count = db.session.scalar(
        select(func.count()).select_from(Service).where(Service.registration_id == registration.id))
    if count:
        _conflict("registration", f"{count} services are recorded; end the registration (ended_on) instead.")
    db.session.delete(registration)
    db.session.flush()


# -- services -----------------------------------------------------------------------------------------


def create_service(registration: Registration, data: dict) -> Service:
    served_on = data["served_on"]
    if served_on > today():
        _invalid("served_on", "Must not be in the future.")
    if served_on < registration.registered_on:
        _invalid("served_on", f"Before the registration ({registration.registered_on.isoformat()}).")
    if registration.ended_on is not None and served_on > registration.ended_on:
        _invalid("served_on", f"After the registration ended ({registration.ended_on.isoformat()}).")
    service = Service(
        registration_id=registration.id, org_id=registration.org_id, served_on=served_on,
        hours=data.get("hours"), category=data.get("category") or "volunteer",
        activity=data["activity"], note=data.get("note"),
    )
    db.session.add(service)
    db.session.flush()
    return service


def delete_service(service: Service) -> None:
    db.session.delete(service)
    db.session.flush()
