"""The rural records' operations: collective incomes, stationings (第一书记、驻村工作队), duty
posts (设岗定责) and contacts with mobile members (流动党员联系).

Every function works in the current tenant, checks everything before it changes anything (a
refusal writes nothing) and leaves the commit to its caller. Errors are
:class:`core.sdk.ApiError` naming the field: 422 for invalid input, 409 for a clash with
what is recorded (a year already recorded, a first secretary already stationed, a duty the
member already holds).

Records belong to a *village* organisation (:func:`plugins.rural.attributes.is_village`),
active, of the rural sector. A member named in a record must count for that village (the
organisation, its 党小组 or its branches and their groups — :func:`plugins.rural.villages.holders`).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select

from core.sdk import ApiError, Member, Organization, db
from plugins.rural.attributes import is_village
from plugins.rural.models import (
    FIRST_SECRETARY,
    CollectiveIncome,
    MemberDuty,
    MobileContact,
    Stationing,
)
from plugins.rural.settings import PLUGIN
from plugins.rural.villages import holder_ids

# Members who may hold a duty post: in the village (a mobile member may keep one remotely,
# e.g. 信息传递岗), not lost contact or gone.
DUTY_STATUSES = ("full", "probationary", "mobile")


def _invalid(field: str, message: str):
    raise ApiError(422, f"{field}: {message}", {field: [message]})


def _conflict(field: str, message: str):
    raise ApiError(409, f"{field}: {message}", {field: [message]})


def check_village(org: Organization) -> Organization:
    """``org`` if records of a village may be kept for it (422 naming ``org_id`` otherwise)."""
    if org.sector != PLUGIN:
        _invalid("org_id", "Not an organization of the rural sector.")
    if org.status != "active":
        _invalid("org_id", f"The organization is {org.status}.")
    if org.kind == "group" or not is_village(org.kind, org.attributes):
        _invalid("org_id", "Not a village organization (a committee that is one sets "
                           "attributes.village to true).")
    return org


def _fields(data: dict) -> dict:
    """The record's own fields (``org_id`` is the organisation checked by the caller)."""
    return {k: v for k, v in data.items() if k != "org_id"}


def _period(started_on: date, ended_on: date | None) -> None:
    if ended_on is not None and ended_on < started_on:
        _invalid("ended_on", "Must not be before started_on.")


def _overlaps(started_on: date, ended_on: date | None, model):
    """SQL: rows of ``model`` whose period shares a day with ``[started_on, ended_on]``."""
    clauses = [or_(model.ended_on.is_(None), model.ended_on >= started_on)]
    if ended_on is not None:
        clauses.append(model.started_on <= ended_on)
    return clauses


def _member_of_village(org: Organization, member_id: uuid.UUID) -> Member:
    member = db.session.scalar(select(Member).where(Member.id == member_id))
    if member is None or member.org_id not in holder_ids(org):
        _invalid("member_id", "Not a member of this village organization.")
    return member


# -- collective income -----------------------------------------------------------------------


def income_of(org_id: uuid.UUID, year: int) -> CollectiveIncome | None:
    return db.session.scalar(select(CollectiveIncome).where(
        CollectiveIncome.org_id == org_id, CollectiveIncome.year == year))


def _check_income(year: int, operating: Decimal, total: Decimal | None, today: date) -> None:
    if year > today.year:
        _invalid("year", "Must not be in the future.")
    if total is not None and total < operating:
        _invalid("total_income_wan", "The total income must not be less than the operating income.")


def record_income(org: Organization, data: dict, today: date | None = None) -> CollectiveIncome:
    """The village's income for ``data["year"]`` (409 when that year is recorded: change it)."""
    today = today or date.today()
    check_village(org)
    _check_income(data["year"], data["operating_income_wan"], data.get("total_income_wan"), today)
    if income_of(org.id, data["year"]) is not None:
        _conflict("year", "This year's income is already recorded; change it instead.")
    row = CollectiveIncome(org_id=org.id, year=data["year"],
                           operating_income_wan=data["operating_income_wan"],
                           total_income_wan=data.get("total_income_wan"), note=data.get("note"))
    db.session.add(row)
    db.session.flush()
    return row


def update_income(row: CollectiveIncome, changes: dict, today: date | None = None) -> CollectiveIncome:
    values = {"operating_income_wan": row.operating_income_wan,
              "total_income_wan": row.total_income_wan, "note": row.note, **changes}
    _check_income(row.year, values["operating_income_wan"], values["total_income_wan"],
                  today or date.today())
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.flush()
    return row


# -- stationings (第一书记、驻村工作队) ----------------------------------------------------------


def _check_stationing(org_id: uuid.UUID, role: str, started_on: date, ended_on: date | None,
                      exclude: uuid.UUID | None = None) -> None:
    _period(started_on, ended_on)
    if role != FIRST_SECRETARY:
        return
    stmt = select(Stationing).where(Stationing.org_id == org_id, Stationing.role == FIRST_SECRETARY,
                                    *_overlaps(started_on, ended_on, Stationing))
    if exclude is not None:
        stmt = stmt.where(Stationing.id != exclude)
    other = db.session.scalars(stmt.order_by(Stationing.started_on)).first()
    if other is not None:
        until = other.ended_on.isoformat() if other.ended_on else "now"
        _conflict("started_on", f"{other.person_name} is the village's first secretary from "
                                f"{other.started_on.isoformat()} to {until}: a village has one "
                                "first secretary at a time (end that stationing first).")


def station(org: Organization, data: dict) -> Stationing:
    """Someone stationed in the village from ``started_on`` (to ``ended_on``, if known)."""
    check_village(org)
    _check_stationing(org.id, data["role"], data["started_on"], data.get("ended_on"))
    row = Stationing(org_id=org.id, **_fields(data))
    db.session.add(row)
    db.session.flush()
    return row


def update_stationing(row: Stationing, changes: dict) -> Stationing:
    """Correct a stationing or end it (``ended_on``)."""
    values = {"role": row.role, "started_on": row.started_on, "ended_on": row.ended_on, **changes}
    _check_stationing(row.org_id, values["role"], values["started_on"], values["ended_on"],
                      exclude=row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.flush()
    return row


# -- duty posts (无职党员设岗定责) ------------------------------------------------------------------


def _check_duty(member: Member, duty: str, started_on: date, ended_on: date | None,
                exclude: uuid.UUID | None = None) -> None:
    _period(started_on, ended_on)
    if started_on < member.joined_on:
        _invalid("started_on", "Before the member joined the Party.")
    stmt = select(MemberDuty.id).where(MemberDuty.member_id == member.id, MemberDuty.duty == duty,
                                       *_overlaps(started_on, ended_on, MemberDuty))
    if exclude is not None:
        stmt = stmt.where(MemberDuty.id != exclude)
    if db.session.scalar(stmt.limit(1)) is not None:
        _conflict("duty", "The member already holds this duty in that period.")


def assign_duty(org: Organization, data: dict) -> MemberDuty:
    """Give a member of the village a duty post from ``started_on``."""
    check_village(org)
    member = _member_of_village(org, data["member_id"])
    if member.status not in DUTY_STATUSES:
        _invalid("member_id", f"The member's status is {member.status}.")
    _check_duty(member, data["duty"], data["started_on"], data.get("ended_on"))
    row = MemberDuty(org_id=org.id, **_fields(data))
    db.session.add(row)
    db.session.flush()
    return row


def update_duty(row: MemberDuty, changes: dict) -> MemberDuty:
    """Correct a duty post or end it (``ended_on``)."""
    member = db.session.scalar(select(Member).where(Member.id == row.member_id))
    values = {"duty": row.duty, "started_on": row.started_on, "ended_on": row.ended_on, **changes}
    _check_duty(member, values["duty"], values["started_on"], values["ended_on"], exclude=row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.flush()
    return row


# -- contacts with mobile members (流动党员联系) ------------------------------------------------------


def _check_contact(member: Member, contacted_on: date, today: date) -> None:
    if contacted_on > today:
        _invalid("contacted_on", "Must not be in the future.")
    if member.mobile_since is not None and contacted_on < member.mobile_since:
        _invalid("contacted_on", "Before the member became mobile "
                                 f"({member.mobile_since.isoformat()}).")


def record_contact(org: Organization, data: dict, today: date | None = None) -> MobileContact:
    """A contact with a mobile member of the village (status ``mobile``)."""
    today = today or date.today()
    check_village(org)
    member = _member_of_village(org, data["member_id"])
    if member.status != "mobile":
        _invalid("member_id", f"Not a mobile member (status {member.status}).")
    _check_contact(member, data["contacted_on"], today)
    row = MobileContact(org_id=org.id, **_fields(data))
    db.session.add(row)
    db.session.flush()
    return row


def update_contact(row: MobileContact, changes: dict, today: date | None = None) -> MobileContact:
    if "contacted_on" in changes:
        member = db.session.scalar(select(Member).where(Member.id == row.member_id))
        _check_contact(member, changes["contacted_on"], today or date.today())
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.flush()
    return row


def delete(row) -> None:
    """Remove a record entered by mistake (the audit log keeps what it was)."""
    db.session.delete(row)
    db.session.flush()
