"""Finance roles: an organisation's accountant (会计) and cashier (出纳).

The two must be different people (不相容岗位分离), and each should be qualified (会计从业资格
or equivalent financial knowledge). Holding both is refused when recorded (409) — and still
raised as a warning if it arises another way (an import, a person named twice); an
unqualified holder is allowed but raised as a warning, so the branch sees it until fixed.

A holder is a register member (``member_id``) or a named person (``person_name``); two
holders are the same person when they have the same member id or the same name.
Callers commit.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, select

from core.api.errors import ApiError
from core.db import db
from core.dues.models import FINANCE_ROLES, FinanceRole
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization


def _refuse(field: str, message: str, status: int = 422):
    raise ApiError(status, f"{field}: {message}", {field: [message]})


def current_condition(as_of: date):
    """SQL condition: the role is held on ``as_of``."""
    return (FinanceRole.since <= as_of,
            or_(FinanceRole.until.is_(None), FinanceRole.until > as_of))


def identity(member_id: uuid.UUID | None, name: str | None) -> tuple[str, str]:
    """Who a holder is, for "the same person" comparisons."""
    return ("member", str(member_id)) if member_id is not None else ("name", (name or "").strip())


def current_holders(org_ids=None, as_of: date | None = None) -> list[tuple[FinanceRole, str]]:
    """Roles held on ``as_of`` (today) with the holder's name — one query."""
    as_of = as_of or date.today()
    stmt = (select(FinanceRole, Member.name)
            .outerjoin(Member, Member.id == FinanceRole.member_id)
            .where(*current_condition(as_of)))
    if org_ids is not None:
        stmt = stmt.where(FinanceRole.org_id.in_(list(org_ids)))
    return [(row, name or row.person_name or "") for row, name in db.session.execute(stmt)]


def assign(org: Organization, *, role: str, since: date, member_id: uuid.UUID | None = None,
           person_name: str | None = None, qualified: bool = False,
           qualification_note: str | None = None) -> FinanceRole:
    """``member_id`` (or ``person_name``) becomes ``org``'s ``role`` from ``since``.

    Refused: an unknown role; an inactive organisation or member; both or neither holder;
    a current holder of the role (409: end their term first); the holder of the other
    role (409: accountant and cashier must be different people).
    """
    if role not in FINANCE_ROLES:
        _refuse("role", f"Must be one of {', '.join(FINANCE_ROLES)}.")
    if org.status != "active":
        _refuse("org_id", f"The organization is {org.status}.")
    person_name = (person_name or "").strip() or None
    if (member_id is None) == (person_name is None):
        message = "Give either member_id or person_name."
        raise ApiError(422, message, {"member_id": [message], "person_name": [message]})
    name = person_name
    if member_id is not None:
        member = db.session.scalar(select(Member).where(Member.id == member_id))
        if member is None:
            _refuse("member_id", "No such member in the register.")
        if member.status not in ACTIVE_STATUSES:
            _refuse("member_id", f"The member's status is {member.status}.")
        name = member.name
    current = [r for r, _n in current_holders([org.id], since)] + list(db.session.scalars(
        select(FinanceRole).where(FinanceRole.org_id == org.id, FinanceRole.until.is_(None),
                                  FinanceRole.since > since)))
    if any(r.role == role for r in current):
        _refuse("role", "The role has a current holder: end their term first.", 409)
    me = identity(member_id, person_name)
    if any(identity(r.member_id, r.person_name) == me for r in current):
        _refuse("member_id" if member_id is not None else "person_name",
                f"{name} already holds the other finance role: the accountant and the "
                "cashier must be different people.", 409)
    row = FinanceRole(org_id=org.id, role=role, member_id=member_id, person_name=person_name,
                      qualified=qualified, qualification_note=qualification_note, since=since)
    db.session.add(row)
    return row


def end(row: FinanceRole, until: date) -> FinanceRole:
    """End a current role on ``until`` (not before it started)."""
    if row.until is not None:
        _refuse("until", f"The role already ended on {row.until.isoformat()}.", 409)
    if until < row.since:
        _refuse("until", "Before the role started.")
    row.until = until
    return row
