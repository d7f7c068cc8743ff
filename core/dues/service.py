"""Dues bases, the monthly amount, payments and arrears (callers commit).

Payments are one row per member and month: an advance payment or a back-payment covering
several months is recorded as several rows in one call. The month of a payment must lie
between the member's dues start (the month they joined, or the tenant's ``arrears_from``
if later) and ``advance_months`` after the current month; a month more than
``back_payment_months`` before the current month needs a tenant administrator's override
with a reason. Paying a month twice is a 409 naming ``month``.

Arrears are counted set-based: one query for the members, one aggregate over payments;
the months themselves are arithmetic, never a row per month.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.db import db, versioning
from core.dues import rates as dues_rates
from core.dues.models import CHANNELS, DuesBase, DuesPayment
from core.dues.rates import add_months, month_start, months_between
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization


def _refuse(field: str, message: str, status: int = 422):
    raise ApiError(status, f"{field}: {message}", {field: [message]})


# -- bases and the monthly amount ----------------------------------------------------------


def bases_of(member_id: uuid.UUID) -> list[DuesBase]:
    """A member's bases, oldest first."""
    return list(db.session.scalars(
        select(DuesBase).where(DuesBase.member_id == member_id).order_by(DuesBase.effective_from)
    ))


def base_for(member_id: uuid.UUID, month: date) -> DuesBase | None:
    """The base in force in ``month``: the latest one effective from that month or before."""
    return db.session.scalar(
        select(DuesBase)
        .where(DuesBase.member_id == member_id, DuesBase.effective_from <= month_start(month))
        .order_by(DuesBase.effective_from.desc())
        .limit(1)
    )


def set_base(member: Member, *, effective_from: date, base: Decimal | None = None,
             fixed_amount: Decimal | None = None, fixed_reason: str | None = None,
             expected_version: int | None = None) -> DuesBase:
    """Record ``member``'s base from month ``effective_from`` (replacing one for the same
    month). A fixed amount needs a reason; a base is needed unless an amount is fixed.

    ``expected_version`` is the version of that month's base the caller read (0: none yet);
    another one is a 409 naming ``version``, as is a concurrent first base for the month.
    Flushes; the caller commits."""
    fixed_reason = (fixed_reason or "").strip() or None
    if base is None and fixed_amount is None:
        _refuse("base", "Give the monthly after-tax pay, or a fixed amount with a reason.")
    if base is not None and base < 0:
        _refuse("base", "Must not be negative.")
    if fixed_amount is not None:
        if fixed_amount < 0:
            _refuse("fixed_amount", "Must not be negative.")
        if fixed_reason is None:
            _refuse("fixed_reason", "A fixed amount needs the reason for it.")
    month = month_start(effective_from)
    row = db.session.scalar(
        select(DuesBase).where(DuesBase.member_id == member.id, DuesBase.effective_from == month)
    )
    versioning.check_row_version(row, expected_version, "dues base")
    if row is None:
        row = DuesBase(member_id=member.id, effective_from=month)
        db.session.add(row)
    row.base = base
    row.fixed_amount = fixed_amount
    row.fixed_reason = fixed_reason if fixed_amount is not None else None
    versioning.flush_first_write("dues base")
    return row


def compute_monthly(member: Member, month: date, *, rates: dict | None = None,
                    base: DuesBase | None = None) -> Decimal:
    """The dues ``member`` owes for ``month`` (a ``Decimal`` rounded to the fen).

    ``rates`` (the tenant's effective rates) and ``base`` (the base in force that month)
    are looked up when not given. A 422 naming ``base`` when the member's category needs a
    base (in service, retired) and none is recorded for that month.
    """
    rates = rates if rates is not None else dues_rates.effective_rates()
    if base is None:
        base = base_for(member.id, month)
    fixed = base is not None and base.fixed_amount is not None
    kind = dues_rates.category(member, fixed=fixed)
    if dues_rates.needs_base(kind) and (base is None or base.base is None):
        _refuse("base", f"No dues base recorded for {member.name} in {month:%Y-%m}.")
    return dues_rates.amount(kind, base.base if base is not None else None, rates,
                             base.fixed_amount if fixed else None)


# -- payments ------------------------------------------------------------------------------


def dues_start(member: Member, rates: dict) -> date:
    """The first month ``member`` owes dues: the month they joined, or the tenant's
    ``arrears_from`` when that is later."""
    start = month_start(member.joined_on)
    if rates.get("arrears_from") is not None and rates["arrears_from"] > start:
        start = rates["arrears_from"]
    return start


def record_payments(member: Member, *, month: date, through: date | None = None,
                    channel: str, paid_on: date, amount: Decimal | None = None,
                    today: date | None = None, may_override: bool = False,
                    override_reason: str | None = None, note: str | None = None,
                    ) -> list[DuesPayment]:
    """Record ``member``'s dues for ``month`` (through ``through``, inclusive: one row per
    month). ``amount`` is per month; by default each month's computed amount.

    Refused, naming the field: an unknown channel; ``through`` before ``month``; a month
    before the member's dues start or further ahead than ``advance_months``; a month older
    than ``back_payment_months`` unless ``may_override`` (a tenant administrator) and an
    ``override_reason`` are given; a month already paid (409).
    """
    today = today or date.today()
    rates = dues_rates.effective_rates()
    if channel not in CHANNELS:
        _refuse("channel", f"Must be one of {', '.join(CHANNELS)}.")
    if amount is not None and amount < 0:
        _refuse("amount", "Must not be negative.")
    if member.status not in ACTIVE_STATUSES:
        _refuse("member_id", f"The member's status is {member.status}.")
    first = month_start(month)
    last = month_start(through) if through is not None else first
    if last < first:
        _refuse("through", "Must not be before month.")
    current = month_start(today)
    start = dues_start(member, rates)
    if first < start:
        _refuse("month", f"Dues for this member start in {start:%Y-%m}.")
    if months_between(current, last) > rates["advance_months"]:
        field = "through" if through is not None else "month"
        _refuse(field, f"At most {rates['advance_months']} months may be paid in advance.")
    override_reason = (override_reason or "").strip() or None
    if months_between(first, current) > rates["back_payment_months"]:
        if not may_override:
            _refuse("month", f"Back-payments go at most {rates['back_payment_months']} months "
                             "back; older months need a tenant administrator's override.")
        if override_reason is None:
            _refuse("override_reason", "An override of the back-payment window needs a reason.")
    months = [add_months(first, i) for i in range(months_between(first, last) + 1)]
    taken = set(db.session.scalars(
        select(DuesPayment.month).where(DuesPayment.member_id == member.id,
                                        DuesPayment.month.in_(months))
    ))
    if taken:
        listed = ", ".join(f"{m:%Y-%m}" for m in sorted(taken))
        _refuse("month", f"Already paid: {listed}.", 409)
    bases = bases_of(member.id)
    actor = current_actor()
    rows = []
    for m in months:
        if amount is None:
            in_force = [b for b in bases if b.effective_from <= m]
            due = compute_monthly(member, m, rates=rates, base=in_force[-1] if in_force else None)
        else:
            due = amount
        row = DuesPayment(
            member_id=member.id, org_id=member.org_id, month=m, amount=due, channel=channel,
            paid_on=paid_on, note=note,
            override_reason=override_reason if months_between(m, current) > rates["back_payment_months"] else None,
            recorded_by=actor.label if actor else "system",
            recorded_by_user_id=actor.user_id if actor else None,
        )
        db.session.add(row)
        rows.append(row)
    _flush_payments(member, months)
    return rows


def _flush_payments(member: Member, months: list[date]) -> None:
    """Write the payments now: a concurrent request that paid one of these months first
    (between the check above and this write) meets the unique key (member, month) — a
    409 naming ``month``, nothing of this request written — instead of a second payment
    for the month or a 500."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # this request writes nothing
        taken = sorted(db.session.scalars(
            select(DuesPayment.month).where(DuesPayment.member_id == member.id,
                                            DuesPayment.month.in_(months))
        ))
        if not taken:
            raise  # another constraint: not a month paid twice
        _refuse("month", f"Already paid: {', '.join(f'{m:%Y-%m}' for m in taken)}.", 409)


# -- arrears -------------------------------------------------------------------------------


@dataclass
class MemberArrears:
    member_id: uuid.UUID
    name: str
    org_id: uuid.UUID
    months_due: int  # months from the dues start through the month of as_of
    months_paid: int  # of those, paid
    months_unpaid: int
    consecutive_unpaid: int  # unpaid months in a row, ending with the last month before as_of's
    last_paid_month: date | None


def member_arrears(org_filter=None, as_of: date | None = None,
                   member_ids: list[uuid.UUID] | None = None) -> list[MemberArrears]:
    """Arrears of every active member (of the organisations ``org_filter`` selects, a WHERE
    clause on :class:`Organization`; or of ``member_ids``), as of ``as_of`` (today).

    Two queries: the members, and per member the count of paid months in their dues period
    and the latest paid month before the current one. A month counts as due from the
    member's dues start through ``as_of``'s month; the consecutive run counts completed
    months only (the current month is not overdue while it lasts).
    """
    as_of = as_of or date.today()
    current = month_start(as_of)
    rates = dues_rates.effective_rates()
    stmt = (
        select(Member.id, Member.name, Member.org_id, Member.joined_on)
        .join(Organization, Organization.id == Member.org_id)
        .where(Member.status.in_(ACTIVE_STATUSES))
    )
    if org_filter is not None:
        stmt = stmt.where(org_filter)
    if member_ids is not None:
        stmt = stmt.where(Member.id.in_(member_ids))
    members = db.session.execute(stmt.order_by(Member.org_id, Member.name)).all()
    if not members:
        return []
    floor = rates.get("arrears_from")
    paid_stmt = select(
        DuesPayment.member_id,
        func.count(),
        func.max(DuesPayment.month).filter(DuesPayment.month < current),
    ).where(DuesPayment.month <= current).group_by(DuesPayment.member_id)
    if floor is not None:
        paid_stmt = paid_stmt.where(DuesPayment.month >= floor)
    if member_ids is not None or org_filter is not None:
        paid_stmt = paid_stmt.where(DuesPayment.member_id.in_(
            stmt.with_only_columns(Member.id).order_by(None).scalar_subquery()))
    paid = {mid: (count, last) for mid, count, last in db.session.execute(paid_stmt)}
    return [_arrears(member_id, name, org_id, joined_on, *paid.get(member_id, (0, None)),
                     current=current, floor=floor)
            for member_id, name, org_id, joined_on in members]


def _arrears(member_id, name, org_id, joined_on: date, count: int, last: date | None, *,
             current: date, floor: date | None) -> MemberArrears:
    """One member's figures from their paid-month count and last paid month (month
    arithmetic only)."""
    start = month_start(joined_on)
    if floor is not None and floor > start:
        start = floor
    due = max(0, months_between(start, current) + 1)
    previous = add_months(current, -1)
    run_from = max(add_months(last, 1) if last is not None else start, start)
    run = max(0, months_between(run_from, previous) + 1)
    return MemberArrears(member_id, name, org_id, due, min(count, due), max(0, due - count), run, last)


def members_behind(months: int, org_filter=None, as_of: date | None = None) -> list[MemberArrears]:
    """The active members whose ``consecutive_unpaid`` is at least ``months`` — what the
    3- and 6-month warnings need — found by one query that returns only them.

    ``consecutive_unpaid ≥ n`` ⇔ the run of unpaid months starts at or before ``cutoff`` =
    the current month − n: the member's dues start is at or before ``cutoff``, and their last
    paid month before the current one (if any) is before it. The figures of each member found
    are those :func:`member_arrears` gives (``months_paid`` included), computed only for them.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    as_of = as_of or date.today()
    current = month_start(as_of)
    cutoff = add_months(current, -months)
    floor = dues_rates.effective_rates().get("arrears_from")
    if floor is not None and floor > cutoff:
        return []  # nobody's dues period is long enough yet
    paid = select(
        DuesPayment.member_id.label("member_id"),
        func.count().label("count"),
        func.max(DuesPayment.month).filter(DuesPayment.month < current).label("last"),
    ).where(DuesPayment.month <= current)
    if floor is not None:
        paid = paid.where(DuesPayment.month >= floor)
    paid = paid.group_by(DuesPayment.member_id).subquery("paid")
    stmt = (
        select(Member.id, Member.name, Member.org_id, Member.joined_on,
               func.coalesce(paid.c.count, 0), paid.c.last)
        .join(Organization, Organization.id == Member.org_id)
        .outerjoin(paid, paid.c.member_id == Member.id)
        .where(Member.status.in_(ACTIVE_STATUSES),
               Member.joined_on < add_months(cutoff, 1),  # dues start ≤ cutoff
               (paid.c.last.is_(None)) | (paid.c.last < cutoff))
        .order_by(Member.org_id, Member.name)
    )
    if org_filter is not None:
        stmt = stmt.where(org_filter)
    found = (_arrears(*row, current=current, floor=floor) for row in db.session.execute(stmt))
    return [row for row in found if row.consecutive_unpaid >= months]
