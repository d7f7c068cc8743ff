"""The rural API (``/api/v1/rural``): village collective incomes, stationings (第一书记、驻村
工作队), duty posts (无职党员设岗定责) and contacts with mobile members (流动党员联系).

* Reading needs a grant covering the record's organisation; anything outside it is a 404,
  exactly like an unknown or another tenant's id. Lists show only what the user sees.
* Incomes, duty posts and contacts are the village's own records: ``branch_secretary`` on
  the village organisation writes them.
* Stationings are appointments made by the county or the township: ``org_manager`` on the
  village organisation (a grant on the township or the county covers it).
* A user who sees the organisation but lacks the role gets a 403.

Routes of this plugin answer 404 for a tenant that has not enabled it (core does that).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from core.sdk import (
    Blueprint,
    Member,
    Organization,
    db,
    expect_version,
    login_required,
    paged,
    seen_records,
    visible_org,
    visible_record,
)
from plugins.rural import service
from plugins.rural.attributes import SERVICE_CENTRE_FUNCTIONS
from plugins.rural.models import (
    CHANNEL_LABELS,
    INITIATOR_LABELS,
    ROLE_LABELS,
    CollectiveIncome,
    MemberDuty,
    MobileContact,
    Stationing,
)
from plugins.rural.schemas import (
    ContactInputSchema,
    ContactPatchSchema,
    ContactQuerySchema,
    ContactSchema,
    DutyInputSchema,
    DutyPatchSchema,
    DutyQuerySchema,
    DutySchema,
    IncomeInputSchema,
    IncomePatchSchema,
    IncomeQuerySchema,
    IncomeSchema,
    OptionsSchema,
    StationingInputSchema,
    StationingPatchSchema,
    StationingQuerySchema,
    StationingSchema,
)
from plugins.rural.settings import settings

bp = Blueprint("rural", __name__,
               description="Villages (农村): collective income, first secretaries and work teams, "
                           "duty posts, contacts with mobile members.")

SECRETARY = "branch_secretary"
MANAGER = "org_manager"


# -- lookups ------------------------------------------------------------------------------------


def _current(model, today: date):
    return (model.started_on <= today, or_(model.ended_on.is_(None), model.ended_on >= today))


def _is_current(row, today: date) -> bool:
    return row.started_on <= today and (row.ended_on is None or row.ended_on >= today)


def _member_name(member_id) -> str:
    return db.session.scalar(select(Member.name).where(Member.id == member_id)) or ""


# -- options -------------------------------------------------------------------------------------------


@bp.route("/options", methods=["GET"])
@login_required
@bp.response(200, OptionsSchema)
def options():
    """The lists and targets a village form offers: suggested duty posts (a setting), the
    service centre functions, stationing roles, contact channels, the income target."""
    s = settings()
    return {
        "duty_posts": s["duty_posts"], "service_centre_functions": list(SERVICE_CENTRE_FUNCTIONS),
        "roles": ROLE_LABELS, "channels": CHANNEL_LABELS, "initiators": INITIATOR_LABELS,
        "collective_income_target_wan": s["collective_income_target_wan"],
        "no_recruit_years_warning": s["no_recruit_years_warning"],
        "village_committee_term_years": s["village_committee_term_years"],
    }


# -- collective income ---------------------------------------------------------------------------------


def _income(row: CollectiveIncome, org_name: str, target: float) -> dict:
    return {
        "id": row.id, "org_id": row.org_id, "org_name": org_name, "year": row.year,
        "operating_income_wan": row.operating_income_wan, "total_income_wan": row.total_income_wan,
        "note": row.note, "target_wan": target, "met": float(row.operating_income_wan) >= target,
        "created_at": row.created_at, "updated_at": row.updated_at, "version": row.version,
    }


@bp.route("/incomes", methods=["GET"])
@login_required
@bp.arguments(IncomeQuerySchema, location="query")
@bp.response(200, IncomeSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_incomes(filters, pagination_parameters):
    """Village collective incomes (村级集体经济收入) the user sees, newest year first:
    ``org_id``, ``subtree_of`` (a township's villages), ``year``."""
    stmt = seen_records(select(CollectiveIncome, Organization.name), CollectiveIncome, filters)
    if filters["year"] is not None:
        stmt = stmt.where(CollectiveIncome.year == filters["year"])
    stmt = stmt.order_by(CollectiveIncome.year.desc(), Organization.name, CollectiveIncome.id)
    target = settings()["collective_income_target_wan"]
    return [_income(row, name, target) for row, name in paged(stmt, pagination_parameters)]


@bp.route("/incomes", methods=["POST"])
@login_required
@bp.arguments(IncomeInputSchema)
@bp.response(201, IncomeSchema)
def create_income(data):
    """Record a village's income for a year (not a future one; 409 when that year is
    recorded already — change it instead)."""
    org = visible_org(data["org_id"], role=SECRETARY)
    row = service.record_income(org, data)
    db.session.commit()
    return _income(row, org.name, settings()["collective_income_target_wan"])


@bp.route("/incomes/<income_id>", methods=["GET"])
@login_required
@bp.response(200, IncomeSchema)
def get_income(income_id):
    """One year's income of a village."""
    row, org = visible_record(CollectiveIncome, income_id, "income")
    return _income(row, org.name, settings()["collective_income_target_wan"])


@bp.route("/incomes/<income_id>", methods=["PATCH"])
@login_required
@bp.arguments(IncomePatchSchema)
@bp.response(200, IncomeSchema)
def update_income(data, income_id):
    """Correct a year's figures (the total stays ≥ the operating income)."""
    row, org = visible_record(CollectiveIncome, income_id, "income", SECRETARY)
    service.update_income(row, expect_version(row, data, "income"))
    db.session.commit()
    return _income(row, org.name, settings()["collective_income_target_wan"])


@bp.route("/incomes/<income_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_income(income_id):
    """Remove a year recorded by mistake."""
    row, _ = visible_record(CollectiveIncome, income_id, "income", SECRETARY)
    service.delete(row)
    db.session.commit()


# -- stationings -------------------------------------------------------------------------------------------


def _stationing(row: Stationing, org_name: str, today: date) -> dict:
    values = {key: getattr(row, key) for key in (
        "id", "org_id", "person_name", "role", "dispatched_by", "phone", "started_on", "ended_on",
        "note", "created_at", "updated_at", "version")}
    values.update(org_name=org_name, role_label=ROLE_LABELS[row.role], current=_is_current(row, today))
    return values


@bp.route("/stationings", methods=["GET"])
@login_required
@bp.arguments(StationingQuerySchema, location="query")
@bp.response(200, StationingSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_stationings(filters, pagination_parameters):
    """First secretaries and work team members (第一书记、驻村工作队) the user sees, latest
    first: ``org_id``, ``subtree_of``, ``role``, ``current`` (stationed today)."""
    today = date.today()
    stmt = seen_records(select(Stationing, Organization.name), Stationing, filters)
    if filters["role"] is not None:
        stmt = stmt.where(Stationing.role == filters["role"])
    if filters["current"] is True:
        stmt = stmt.where(*_current(Stationing, today))
    elif filters["current"] is False:
        stmt = stmt.where(or_(Stationing.started_on > today, Stationing.ended_on < today))
    stmt = stmt.order_by(Stationing.started_on.desc(), Stationing.person_name, Stationing.id)
    return [_stationing(row, name, today) for row, name in paged(stmt, pagination_parameters)]


@bp.route("/stationings", methods=["POST"])
@login_required
@bp.arguments(StationingInputSchema)
@bp.response(201, StationingSchema)
def create_stationing(data):
    """Station a first secretary or a work team member in a village (``org_manager``). A
    village has one first secretary at a time: an overlapping period is a 409."""
    org = visible_org(data["org_id"], role=MANAGER)
    row = service.station(org, data)
    db.session.commit()
    return _stationing(row, org.name, date.today())


@bp.route("/stationings/<stationing_id>", methods=["GET"])
@login_required
@bp.response(200, StationingSchema)
def get_stationing(stationing_id):
    """One stationing."""
    row, org = visible_record(Stationing, stationing_id, "stationing")
    return _stationing(row, org.name, date.today())


@bp.route("/stationings/<stationing_id>", methods=["PATCH"])
@login_required
@bp.arguments(StationingPatchSchema)
@bp.response(200, StationingSchema)
def update_stationing(data, stationing_id):
    """Correct a stationing, or end it with ``ended_on`` (期满离任、召回)."""
    row, org = visible_record(Stationing, stationing_id, "stationing", MANAGER)
    service.update_stationing(row, expect_version(row, data, "stationing"))
    db.session.commit()
    return _stationing(row, org.name, date.today())


@bp.route("/stationings/<stationing_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_stationing(stationing_id):
    """Remove a stationing recorded by mistake (end a real one with ``ended_on`` instead)."""
    row, _ = visible_record(Stationing, stationing_id, "stationing", MANAGER)
    service.delete(row)
    db.session.commit()


# -- duty posts ------------------------------------------------------------------------------------------


def _duty(row: MemberDuty, org_name: str, member_name: str, today: date) -> dict:
    values = {key: getattr(row, key) for key in (
        "id", "org_id", "member_id", "duty", "responsibilities", "started_on", "ended_on",
        "created_at", "updated_at", "version")}
    values.update(org_name=org_name, member_name=member_name, current=_is_current(row, today))
    return values


@bp.route("/duties", methods=["GET"])
@login_required
@bp.arguments(DutyQuerySchema, location="query")
@bp.response(200, DutySchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_duties(filters, pagination_parameters):
    """Duty posts of members (无职党员设岗定责) the user sees: ``org_id``, ``subtree_of``,
    ``member_id``, ``current`` (held today)."""
    today = date.today()
    stmt = (seen_records(select(MemberDuty, Organization.name, Member.name), MemberDuty, filters)
            .join(Member, Member.id == MemberDuty.member_id))
    if filters["member_id"] is not None:
        stmt = stmt.where(MemberDuty.member_id == filters["member_id"])
    if filters["current"] is True:
        stmt = stmt.where(*_current(MemberDuty, today))
    elif filters["current"] is False:
        stmt = stmt.where(or_(MemberDuty.started_on > today, MemberDuty.ended_on < today))
    stmt = stmt.order_by(Organization.name, MemberDuty.duty, Member.name, MemberDuty.id)
    return [_duty(row, org_name, member_name, today)
            for row, org_name, member_name in paged(stmt, pagination_parameters)]


@bp.route("/duties", methods=["POST"])
@login_required
@bp.arguments(DutyInputSchema)
@bp.response(201, DutySchema)
def create_duty(data):
    """Give a member of the village a duty post (设岗定责); the member must count for the
    village (its register, its 党小组 or branches) and be full, probationary or mobile."""
    org = visible_org(data["org_id"], role=SECRETARY)
    row = service.assign_duty(org, data)
    db.session.commit()
    return _duty(row, org.name, _member_name(row.member_id), date.today())


@bp.route("/duties/<duty_id>", methods=["GET"])
@login_required
@bp.response(200, DutySchema)
def get_duty(duty_id):
    """One duty post."""
    row, org = visible_record(MemberDuty, duty_id, "duty")
    return _duty(row, org.name, _member_name(row.member_id), date.today())


@bp.route("/duties/<duty_id>", methods=["PATCH"])
@login_required
@bp.arguments(DutyPatchSchema)
@bp.response(200, DutySchema)
def update_duty(data, duty_id):
    """Correct a duty post, or end it with ``ended_on``."""
    row, org = visible_record(MemberDuty, duty_id, "duty", SECRETARY)
    service.update_duty(row, expect_version(row, data, "duty"))
    db.session.commit()
    return _duty(row, org.name, _member_name(row.member_id), date.today())


@bp.route("/duties/<duty_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_duty(duty_id):
    """Remove a duty post recorded by mistake."""
    row, _ = visible_record(MemberDuty, duty_id, "duty", SECRETARY)
    service.delete(row)
    db.session.commit()


# -- contacts with mobile members ---------------------------------------------------------------------


def _contact(row: MobileContact, org_name: str, member_name: str) -> dict:
    values = {key: getattr(row, key) for key in (
        "id", "org_id", "member_id", "contacted_on", "channel", "initiated_by", "note",
        "created_at", "updated_at", "version")}
    values.update(org_name=org_name, member_name=member_name,
                  channel_label=CHANNEL_LABELS[row.channel],
                  initiated_by_label=INITIATOR_LABELS[row.initiated_by])
    return values


@bp.route("/mobile-contacts", methods=["GET"])
@login_required
@bp.arguments(ContactQuerySchema, location="query")
@bp.response(200, ContactSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_contacts(filters, pagination_parameters):
    """Contacts with mobile members (流动党员联系) the user sees, latest first: ``org_id``,
    ``subtree_of``, ``member_id``, ``since`` / ``until`` (days included)."""
    stmt = (seen_records(select(MobileContact, Organization.name, Member.name), MobileContact, filters)
            .join(Member, Member.id == MobileContact.member_id))
    if filters["member_id"] is not None:
        stmt = stmt.where(MobileContact.member_id == filters["member_id"])
    if filters["since"] is not None:
        stmt = stmt.where(MobileContact.contacted_on >= filters["since"])
    if filters["until"] is not None:
        stmt = stmt.where(MobileContact.contacted_on <= filters["until"])
    stmt = stmt.order_by(MobileContact.contacted_on.desc(), Member.name, MobileContact.id)
    return [_contact(row, org_name, member_name)
            for row, org_name, member_name in paged(stmt, pagination_parameters)]


@bp.route("/mobile-contacts", methods=["POST"])
@login_required
@bp.arguments(ContactInputSchema)
@bp.response(201, ContactSchema)
def create_contact(data):
    """Record a contact with a mobile member of the village (status ``mobile``), made by the
    organisation (``initiated_by: branch``) or reported in by the member (``member``); not
    in the future, not before the member left."""
    org = visible_org(data["org_id"], role=SECRETARY)
    row = service.record_contact(org, data)
    db.session.commit()
    return _contact(row, org.name, _member_name(row.member_id))


@bp.route("/mobile-contacts/<contact_id>", methods=["GET"])
@login_required
@bp.response(200, ContactSchema)
def get_contact(contact_id):
    """One contact."""
    row, org = visible_record(MobileContact, contact_id, "mobile contact")
    return _contact(row, org.name, _member_name(row.member_id))


@bp.route("/mobile-contacts/<contact_id>", methods=["PATCH"])
@login_required
@bp.arguments(ContactPatchSchema)
@bp.response(200, ContactSchema)
def update_contact(data, contact_id):
    """Correct a contact."""
    row, org = visible_record(MobileContact, contact_id, "mobile contact", SECRETARY)
    service.update_contact(row, expect_version(row, data, "mobile contact"))
    db.session.commit()
    return _contact(row, org.name, _member_name(row.member_id))


@bp.route("/mobile-contacts/<contact_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_contact(contact_id):
    """Remove a contact recorded by mistake."""
    row, _ = visible_record(MobileContact, contact_id, "mobile contact", SECRETARY)
    service.delete(row)
    db.session.commit()
