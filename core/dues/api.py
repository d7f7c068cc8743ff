"""The dues API (``/api/v1/dues``): rates, bases, payments, arrears and finance roles.

* Rates: anyone signed in reads them; only a tenant administrator overrides them.
* A member's base (their pay) is personal: read and written with ``branch_secretary`` on
  the member's organisation. Payments and arrears show names and amounts, never pay.
* Payments and finance roles are written with ``branch_secretary`` on the organisation;
  back-payments beyond the window need ``tenant_admin`` and a reason.
* Anything outside the user's scope is a 404, like an unknown or another tenant's id.
"""

from __future__ import annotations

from datetime import date

from flask import request
from sqlalchemy import func, select

from core.api import Blueprint, abort
from core.api.smorest import json_body, parse_id, settings_docs
from core.auth.permissions import has_role, login_required, visible_orgs_clause, visible_record
from core.db import db
from core.db.versioning import check_version, pop_version
from core.dues import finance, rates, service
from core.dues.models import DuesPayment, FinanceRole
from core.dues.rates import DuesRatesSchema
from core.dues.schemas import (
    ArrearsQuerySchema,
    ArrearsSchema,
    BaseInputSchema,
    FinanceRoleEndSchema,
    FinanceRoleInputSchema,
    FinanceRoleQuerySchema,
    FinanceRoleSchema,
    MemberBasesSchema,
    PaymentInputSchema,
    PaymentQuerySchema,
    PaymentSchema,
)
from core.members import service as members
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization

bp = Blueprint("dues", __name__, description="Party dues (党费).")

WRITE_ROLE = "branch_secretary"


def _visible_org(org_id, role: str = "member") -> Organization:
    parsed = parse_id(org_id)
    org = orgs.get(parsed) if parsed is not None else None
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")
    if not has_role(role, org):
        abort(403, f"This needs the {role} role on this organization.")
    return org


def _member(member_id, role: str = "member") -> tuple[Member, Organization]:
    parsed = parse_id(member_id)
    member = members.get_member(parsed) if parsed is not None else None
    org = orgs.get(member.org_id) if member is not None else None
    if member is None or org is None or not has_role("member", org):
        abort(404, f"member {member_id} not found")
    if not has_role(role, org):
        abort(403, f"This needs the {role} role on the member's organization.")
    return member, org


# -- rates ---------------------------------------------------------------------------------


def _rates_body() -> dict:
    row = rates._settings_row()
    body = DuesRatesSchema().dump(rates.effective_rates())
    body["overridden"] = sorted((row.overrides or {}).keys()) if row is not None else []
    body["version"] = rates.rates_version()
    return body


SETTINGS_CHANGE, SETTINGS_ANSWER = settings_docs(DuesRatesSchema, overridden=True)


@bp.route("/rates", methods=["GET"])
@login_required
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def get_rates():
    """The effective rates: national defaults with the tenant's overrides (``overridden``
    lists the keys the tenant changed). Rates are percent; upper bounds inclusive."""
    return _rates_body()


@bp.route("/rates", methods=["PUT"])
@login_required
@bp.doc(requestBody=json_body(SETTINGS_CHANGE))
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_rates():
    """Replace the tenant's overrides (tenant administrators): keys not sent return to the
    national defaults. Validated as a whole; 422 names the field. ``version`` beside them is
    the one you read (0: never overridden): a stale one is a 409 naming it."""
    if not has_role("tenant_admin"):
        abort(403, "Only a tenant administrator can change the dues rates.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(422, "Send a JSON object of rate overrides.", {"json": ["Not a JSON object."]})
    expected = pop_version(body)
    rates.set_overrides(body, expected_version=expected)
    db.session.commit()
    return _rates_body()


# -- bases ---------------------------------------------------------------------------------


def _bases_body(member: Member) -> dict:
    month = rates.month_start(date.today())
    base = service.base_for(member.id, month)
    fixed = base is not None and base.fixed_amount is not None
    kind = rates.category(member, fixed=fixed)
    amount = None
    if not rates.needs_base(kind) or (base is not None and base.base is not None):
        amount = service.compute_monthly(member, month, base=base)
    return {"member_id": member.id, "name": member.name, "category": kind, "month": month,
            "amount": amount, "bases": service.bases_of(member.id)}


@bp.route("/bases/<member_id>", methods=["GET"])
@login_required
@bp.response(200, MemberBasesSchema)
def get_bases(member_id):
    """A member's dues bases and this month's amount (``branch_secretary``: pay is personal)."""
    member, _org = _member(member_id, WRITE_ROLE)
    return _bases_body(member)


@bp.route("/bases/<member_id>", methods=["PUT"])
@login_required
@bp.arguments(BaseInputSchema)
@bp.response(200, MemberBasesSchema)
def put_base(data, member_id):
    """Record a member's base from month ``effective_from`` (replacing that month's)."""
    member, _org = _member(member_id, WRITE_ROLE)
    service.set_base(member, expected_version=data.pop("version", None), **data)
    db.session.commit()
    return _bases_body(member)


# -- payments ------------------------------------------------------------------------------


def _present_payment(row: DuesPayment, name: str) -> dict:
    values = {key: getattr(row, key) for key in PaymentSchema().fields if hasattr(row, key)}
    values["member_name"] = name
    return values


@bp.route("/payments", methods=["GET"])
@login_required
@bp.arguments(PaymentQuerySchema, location="query")
@bp.response(200, PaymentSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_payments(filters, pagination_parameters):
    """Payments recorded in organisations the user sees, newest month first. Filters:
    ``member_id``, ``subtree_of``, ``month_from``/``month_to`` (inclusive)."""
    conditions = [visible_orgs_clause()]
    if filters["member_id"] is not None:
        conditions.append(DuesPayment.member_id == filters["member_id"])
    if filters["subtree_of"] is not None:
        conditions.append(orgs.subtree_filter(_visible_org(filters["subtree_of"]).path))
    if filters["month_from"] is not None:
        conditions.append(DuesPayment.month >= filters["month_from"])
    if filters["month_to"] is not None:
        conditions.append(DuesPayment.month <= filters["month_to"])
    base = (select(DuesPayment, Member.name)
            .join(Organization, Organization.id == DuesPayment.org_id)
            .join(Member, Member.id == DuesPayment.member_id)
            .where(*conditions))
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(
        base.order_by(DuesPayment.month.desc(), Member.name, DuesPayment.id)
        .offset(pagination_parameters.first_item).limit(pagination_parameters.page_size))
    return [_present_payment(row, name) for row, name in rows]


@bp.route("/payments", methods=["POST"])
@login_required
@bp.arguments(PaymentInputSchema)
@bp.response(201, PaymentSchema(many=True))
def create_payments(data):
    """Record a member's dues for ``month`` (through ``through``: one payment per month,
    for advance or back-payments). 409 naming ``month`` when a month is already paid; 422
    naming ``month`` for a month older than the back-payment window unless a tenant
    administrator gives ``override_reason``."""
    member, _org = _member(data.pop("member_id"), WRITE_ROLE)
    data["paid_on"] = data["paid_on"] or date.today()
    rows = service.record_payments(member, may_override=has_role("tenant_admin"), **data)
    db.session.commit()
    return [_present_payment(row, member.name) for row in rows]


# -- arrears -------------------------------------------------------------------------------


@bp.route("/arrears", methods=["GET"])
@login_required
@bp.arguments(ArrearsQuerySchema, location="query")
@bp.response(200, ArrearsSchema)
def get_arrears(args):
    """Unpaid months per member (those with any) and per organisation, for the user's
    organisations or ``subtree_of``, as of ``as_of`` (today)."""
    as_of = args["as_of"] or date.today()
    condition = visible_orgs_clause()
    if args["subtree_of"] is not None:
        condition = condition & orgs.subtree_filter(_visible_org(args["subtree_of"]).path)
    found = service.member_arrears(condition, as_of=as_of)
    names = dict(db.session.execute(
        select(Organization.id, Organization.name).where(
            Organization.id.in_({row.org_id for row in found}))).all()) if found else {}
    branches: dict = {}
    for row in found:
        entry = branches.setdefault(row.org_id, {"org_id": row.org_id, "org_name": names.get(row.org_id, ""),
                                                 "members": 0, "members_in_arrears": 0, "months_unpaid": 0})
        entry["members"] += 1
        if row.months_unpaid:
            entry["members_in_arrears"] += 1
            entry["months_unpaid"] += row.months_unpaid
    return {
        "as_of": as_of,
        "members": [row.__dict__ for row in found if row.months_unpaid],
        "branches": sorted(branches.values(), key=lambda b: (-b["months_unpaid"], b["org_name"])),
        "months_unpaid": sum(row.months_unpaid for row in found),
    }


# -- finance roles -------------------------------------------------------------------------


def _present_role(row: FinanceRole, name: str) -> dict:
    values = {key: getattr(row, key) for key in FinanceRoleSchema().fields if hasattr(row, key)}
    values["holder_name"] = name
    return values


@bp.route("/finance-roles", methods=["GET"])
@login_required
@bp.arguments(FinanceRoleQuerySchema, location="query")
@bp.response(200, FinanceRoleSchema(many=True))
def list_finance_roles(filters):
    """Accountants and cashiers of the organisations the user sees (current ones, or the
    history with ``include_ended``); filters ``org_id``, ``subtree_of``."""
    conditions = [visible_orgs_clause()]
    if filters["org_id"] is not None:
        conditions.append(Organization.id == _visible_org(filters["org_id"]).id)
    if filters["subtree_of"] is not None:
        conditions.append(orgs.subtree_filter(_visible_org(filters["subtree_of"]).path))
    if not filters["include_ended"]:
        conditions.extend(finance.current_condition(date.today()))
    rows = db.session.execute(
        select(FinanceRole, Member.name)
        .join(Organization, Organization.id == FinanceRole.org_id)
        .outerjoin(Member, Member.id == FinanceRole.member_id)
        .where(*conditions)
        .order_by(Organization.path, FinanceRole.role, FinanceRole.since))
    return [_present_role(row, name or row.person_name or "") for row, name in rows]


@bp.route("/finance-roles", methods=["POST"])
@login_required
@bp.arguments(FinanceRoleInputSchema)
@bp.response(201, FinanceRoleSchema)
def create_finance_role(data):
    """Appoint an organisation's accountant or cashier (``branch_secretary`` on it). 409
    when the role is held, or when the person holds the other role."""
    org = _visible_org(data.pop("org_id"), WRITE_ROLE)
    if data["member_id"] is not None:
        member = members.get_member(data["member_id"])
        if member is not None and member.org_id != org.id:
            other = orgs.get(member.org_id)
            if other is None or not has_role("member", other):
                abort(404, f"member {data['member_id']} not found")
    data["since"] = data["since"] or date.today()
    row = finance.assign(org, **data)
    db.session.commit()
    return _present_role(row, _holder_name(row))


def _holder_name(row: FinanceRole) -> str:
    if row.member_id is None:
        return row.person_name or ""
    return db.session.scalar(select(Member.name).where(Member.id == row.member_id)) or ""


@bp.route("/finance-roles/<role_id>/end", methods=["POST"])
@login_required
@bp.arguments(FinanceRoleEndSchema)
@bp.response(200, FinanceRoleSchema)
def end_finance_role(data, role_id):
    """End an accountant's or cashier's term on ``until`` (today)."""
    # one 404 for an unknown role and one kept by an organisation the user does not see
    row, _org = visible_record(FinanceRole, role_id, "finance role", role=WRITE_ROLE)
    check_version(row, data.get("version"), "finance role")
    finance.end(row, data["until"] or date.today())
    db.session.commit()
    return _present_role(row, _holder_name(row))
