"""Party dues (党费): an organisation's sheet for a month — each member's rates category,
base, rate and amount due, whether the month is paid, months in arrears — and recording
payments for one or several members at once.

The sheet is paged and costs a fixed number of queries a page (members, their bases,
the month's payments, the arrears aggregate). Payments go through
``core.dues.service.record_payments`` with the API's rules (``POST /dues/payments``): the
back-payment window, a month paid twice (409), the override for tenant administrators. If
any selected member is refused, nothing is written and the reason stands on their row.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from core.api.errors import ApiError
from core.api.smorest import parse_id
from core.auth.permissions import has_role
from core.db import db
from core.dues import rates as dues_rates
from core.dues import service as dues
from core.dues.models import DuesBase, DuesPayment
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.screens.work.common import refresh_warnings, translated, work_org

CHANNELS = (("cash", _l("Cash")), ("bank", _l("Bank transfer")), ("wechat", _l("WeChat Pay")),
            ("alipay", _l("Alipay")), ("other", _l("Other")))
CATEGORIES = {"fixed": _l("Fixed amount"), "retired": _l("Retired"), "farmer": _l("Farmer"),
              "student": _l("Student"), "unemployed": _l("Unemployed"), "in_service": _l("In service")}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PaymentForm(FlaskForm):
    channel = SelectField(_l("Paid by"), choices=CHANNELS, validators=[InputRequired()])
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(message=_l("This field is required."))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    override_reason = StringField(_l("Reason for a back-payment beyond the window"),
                                  validators=[Optional(), Length(max=500)])


def chosen_month() -> date:
    found = MONTH.match(request.args.get("month") or "")
    if found and 1 <= int(found[2]) <= 12 and int(found[1]) >= 1900:
        return date(int(found[1]), int(found[2]), 1)
    return dues_rates.month_start(date.today())


def sheet(members: list[Member], month: date) -> list[dict]:
    """Each member's line for ``month``: three queries for the whole page."""
    ids = [m.id for m in members]
    rates = dues_rates.effective_rates()
    in_force: dict = {}
    for base in db.session.scalars(select(DuesBase).where(
            DuesBase.member_id.in_(ids), DuesBase.effective_from <= month)
            .order_by(DuesBase.effective_from)):
        in_force[base.member_id] = base  # the latest one wins
    paid = {p.member_id: p for p in db.session.scalars(
        select(DuesPayment).where(DuesPayment.member_id.in_(ids), DuesPayment.month == month))}
    arrears = {a.member_id: a for a in dues.member_arrears(member_ids=ids)} if ids else {}
    lines = []
    for member in members:
        base = in_force.get(member.id)
        fixed = base is not None and base.fixed_amount is not None
        kind = dues_rates.category(member, fixed=fixed)
        pay = base.base if base is not None else None
        rate = amount = None
        if kind in ("in_service", "retired"):
            if pay is not None:
                rate = dues_rates.bracket_rate(rates[kind], Decimal(pay))
                amount = dues_rates.amount(kind, pay, rates)
        else:
            amount = dues_rates.amount(kind, pay, rates, base.fixed_amount if fixed else None)
        owed = arrears.get(member.id)
        lines.append({"member": member, "category": CATEGORIES.get(kind, kind), "base": pay,
                      "rate": rate, "amount": amount, "payment": paid.get(member.id),
                      "months_unpaid": owed.months_unpaid if owed else 0})
    return lines


def _members_of(org: Organization):
    return (select(Member).join(Organization, Organization.id == Member.org_id)
            .where(subtree_filter(org.path), Member.status.in_(ACTIVE_STATUSES)))


def _record(org: Organization, form: PaymentForm, month: date, ids: list[str]) -> dict:
    """Record the month for each selected member; ``{member id: [reasons]}`` when refused."""
    wanted = {parse_id(i) for i in ids} - {None}
    members = list(db.session.scalars(
        _members_of(org).where(Member.id.in_(wanted)).order_by(Member.name))) if wanted else []
    errors: dict = {}
    if len(members) != len(set(ids)):
        form.form_errors.append(gettext("Some chosen members are not active members here."))
        return {"": ["unknown"]}
    for member in members:
        try:
            dues.record_payments(
                member, month=month, channel=form.channel.data, paid_on=form.paid_on.data,
                may_override=has_role("tenant_admin"), note=form.note.data or None,
                override_reason=form.override_reason.data or None)
        except ApiError as exc:
            messages = exc.errors.values() if isinstance(exc.errors, dict) else [[exc.message]]
            errors[str(member.id)] = [translated(m) for group in messages for m in group]
    return errors


@bp.route("/work/<org_id>/dues", methods=["GET", "POST"])
@page
def work_dues(org_id):
    """The month's dues sheet and the payment form."""
    org = work_org(org_id)
    month = chosen_month()
    form = PaymentForm()
    if request.method == "GET":
        form.paid_on.data = date.today()
    row_errors: dict = {}
    status = 200
    if request.method == "POST":
        ids = request.form.getlist("pay")
        valid = form.validate_on_submit()
        if not ids:
            form.form_errors.append(gettext("Choose at least one member who paid."))
        elif valid:
            row_errors = _record(org, form, month, ids)
            if not row_errors:
                db.session.commit()
                flash(gettext("Dues of %(month)s recorded for %(n)s members.",
                              month=month.strftime("%Y-%m"), n=len(ids)))
                refresh_warnings(org, ("dues.",))
                return redirect(url_for("web.work_dues", org_id=org.id, month=month.strftime("%Y-%m")))
            db.session.rollback()
        status = 422
    listed = paginate(_members_of(org).order_by(Member.name, Member.id))
    previous = dues_rates.add_months(month, -1).strftime("%Y-%m")
    following = dues_rates.add_months(month, 1).strftime("%Y-%m")
    return render_template(
        "web/work/dues.html", org=org, month=month, form=form, listed=listed,
        lines=sheet(listed.items, month), row_errors=row_errors,
        chosen=set(request.form.getlist("pay")), previous=previous, following=following,
        may_override=has_role("tenant_admin"), channels=dict(CHANNELS),
    ), status
