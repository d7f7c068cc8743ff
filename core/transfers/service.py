"""Letters inside one tenant: issuing (internal or to another tenant), accepting and refusing
an internal letter, cancelling. The caller commits: each of these is one transaction with its
effects, which is what keeps a letter and the register in step.

The cross-tenant half (the receiver's accept and refusal, the sender's follow-up) is in
:mod:`core.transfers.exchange`.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.dates import add_months
from core.db import db, new_id
from core.db.mixins import utcnow
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization
from core.tenancy import current_tenant_id
from core.tenancy.models import Tenant
from core.transfers import codes, register
from core.transfers.models import (
    CANCELLED,
    COMPLETED,
    OFFERED,
    PENDING,
    REFUSED,
    TransferEnvelope,
    TransferLetter,
)

VALIDITY_MONTHS = 3
MAX_VALIDITY_DAYS = 366
_CODE_ATTEMPTS = 5


def today() -> date:
    return date.today()


def actor_label() -> str:
    actor = current_actor()
    return actor.label if actor is not None else "system"


def default_expiry(issued_on: date) -> date:
    """The last day a letter issued on ``issued_on`` can be accepted: three months later.

    In practice an introduction letter (组织关系介绍信) is valid for a limited period, printed
    on it: the member must report to the receiving organisation within it. A letter nobody
    used must not stay usable forever — the person may have gone elsewhere, the record it
    carries grows stale — so an expired letter is closed and a new one issued if still
    needed. Three months is the period commonly printed for a move to another city; the issuer
    may choose another date (up to a year).
    """
    return add_months(issued_on, VALIDITY_MONTHS)


def get(letter_id: uuid.UUID) -> TransferLetter | None:
    return db.session.scalar(select(TransferLetter).where(TransferLetter.id == letter_id))


def by_code(code: str) -> TransferLetter | None:
    """The current tenant's letter with this canonical code."""
    return db.session.scalar(select(TransferLetter).where(TransferLetter.code == code))


def open_letter(member_id: uuid.UUID) -> TransferLetter | None:
    """The member's pending letter, if any (there is at most one)."""
    return db.session.scalar(
        select(TransferLetter).where(
            TransferLetter.member_id == member_id, TransferLetter.status == PENDING
        )
    )


def member_of(letter: TransferLetter) -> Member:
    return db.session.scalar(select(Member).where(Member.id == letter.member_id))


def _unused_code() -> str:
    """A fresh code used by no envelope (any tenant) and no letter of this tenant. The unique
    constraints stay the last word; at 60 random bits this loop all but never turns twice."""
    for _ in range(_CODE_ATTEMPTS):
        code = codes.new_code()
        if db.session.get(TransferEnvelope, code) is None and by_code(code) is None:
            return code
    raise RuntimeError("could not draw an unused transfer code")  # a broken random source


def close(letter: TransferLetter, status: str, *, refusal_reason: str | None = None) -> None:
    """End a pending letter; ``version`` makes the write fail if someone else ended it first."""
    letter.status = status
    letter.closed_at = utcnow()
    letter.closed_by = actor_label()
    if refusal_reason is not None:
        letter.refusal_reason = refusal_reason


def _check_expiry(issued_on: date, expires_on: date | None) -> date:
    if expires_on is None:
        return default_expiry(issued_on)
    if expires_on <= issued_on:
        message = "The letter must be valid after the day it is issued."
    elif (expires_on - issued_on).days > MAX_VALIDITY_DAYS:
        message = "A letter can be valid for a year at most."
    else:
        return expires_on
    raise ApiError(422, message, {"expires_on": [message]})


def issue(
    member: Member,
    *,
    reason: str,
    to_org: Organization | None = None,
    to_tenant: Tenant | None = None,
    to_org_code: str | None = None,
    expires_on: date | None = None,
) -> TransferLetter:
    """Issue a letter for ``member``: to ``to_org`` of this tenant (internal), or to
    ``to_tenant`` (outgoing; ``to_org_code`` names the receiving organisation as the sender
    knows it). An outgoing letter's envelope is added in the same transaction. The member is
    not changed until the receiving side accepts. The caller commits."""
    if (to_org is None) == (to_tenant is None):
        message = "Give either to_org_id (this tenant) or to_tenant (another tenant)."
        raise ApiError(422, message, {"to_org_id": [message], "to_tenant": [message]})
    if member.status not in ACTIVE_STATUSES:
        message = f"A member with status {member.status!r} cannot be transferred."
        raise ApiError(409, message, {"member_id": [message]})
    pending = open_letter(member.id)
    if pending is not None:
        message = f"The member already has a pending transfer letter ({codes.display(pending.code)})."
        raise ApiError(409, message, {"member_id": [message]})
    tenant_id = current_tenant_id()
    if to_org is not None and to_org.id == member.org_id:
        message = "The member already belongs to this organization."
        raise ApiError(422, message, {"to_org_id": [message]})
    if to_tenant is not None and to_tenant.id == tenant_id:
        message = "For a transfer inside this tenant, give to_org_id."
        raise ApiError(422, message, {"to_tenant": [message]})
    issued_on = today()
    expires_on = _check_expiry(issued_on, expires_on)
    snapshot = register.snapshot_of(member)
    letter = TransferLetter(
        id=new_id(),
        code=_unused_code(),
        kind="internal" if to_org is not None else "outgoing",
        status=PENDING,
        member_id=member.id,
        from_org_id=member.org_id,
        to_org_id=to_org.id if to_org is not None else None,
        peer_tenant_id=to_tenant.id if to_tenant is not None else None,
        peer_org=to_org_code if to_tenant is not None else None,
        reason=reason,
        issued_on=issued_on,
        expires_on=expires_on,
        issued_by=actor_label(),
        snapshot=snapshot,
    )
    db.session.add(letter)
    if to_tenant is not None:
        from_org = db.session.scalar(select(Organization).where(Organization.id == member.org_id))
        db.session.add(
            TransferEnvelope(
                code=letter.code,
                from_tenant_id=tenant_id,
                to_tenant_id=to_tenant.id,
                state=OFFERED,
                payload={
                    "member": snapshot,
                    "from_org": {"code": from_org.code, "name": from_org.name},
                    "to_org": to_org_code,
                    "reason": reason,
                    "issued_by": letter.issued_by,
                },
                issued_on=issued_on,
                expires_on=expires_on,
            )
        )
    return letter


def accept_internal(letter: TransferLetter, org: Organization) -> TransferLetter:
    """The receiving organisation takes in the member of an internal letter: the move, its
    event and the letter's completion in one transaction (the caller commits). Accepting a
    letter already completed changes nothing."""
    if letter.status == COMPLETED:
        return letter
    _require_open(letter)
    member = member_of(letter)
    register.move(
        member, org, occurred_on=today(), reason=letter.reason,
        details={"transfer_code": letter.code},
    )
    letter.to_org_id = org.id
    close(letter, COMPLETED)
    return letter


def refuse_internal(letter: TransferLetter, reason: str) -> TransferLetter:
    """The receiving organisation declines an internal letter; the member is untouched."""
    _require_open(letter)
    close(letter, REFUSED, refusal_reason=reason)
    return letter


def cancel(letter: TransferLetter) -> TransferLetter:
    """The sender withdraws a pending letter. An outgoing one is withdrawn only if the
    receiver has not answered it yet: the envelope's compare-and-set decides (409 otherwise).
    The caller commits."""
    if letter.status != PENDING:
        raise not_pending(letter)
    if letter.kind == "outgoing":
        from core.transfers.exchange import compare_and_set

        if not compare_and_set(letter.code, OFFERED, CANCELLED):
            message = "The receiving side has already answered this letter."
            raise ApiError(409, message, {"code": [message]})
    close(letter, CANCELLED)
    return letter


def not_pending(letter: TransferLetter) -> ApiError:
    message = f"The letter is {letter.status}, not pending."
    return ApiError(409, message, {"code": [message]})


def _require_open(letter: TransferLetter) -> None:
    if letter.status != PENDING:
        raise not_pending(letter)
    if letter.expires_on < today():
        message = f"The letter expired on {letter.expires_on.isoformat()}."
        raise ApiError(409, message, {"code": [message]})
