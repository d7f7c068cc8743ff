"""Transfers between tenants: the receiver's accept and refusal, and the sender's follow-up.

Each function here that commits does so because the transaction boundary *is* the protocol
(see :mod:`core.transfers`): the receiver's transaction must be finished before the sender's
begins (``tenant_context`` never lets one transaction serve two tenants), and what each side
commits is complete on its own.

Failure midway, case by case:

* the receiver's transaction fails → nothing of it exists (no member, no receipt, envelope
  still ``offered``); the accept can be tried again;
* it commits, then the sender's completion fails (or the process dies) → the member exists
  once, in the receiver's register; the envelope stays ``accepted``; the sender still lists
  the member. A retried accept finds the receipt and only re-runs the sender's completion;
  reading the letter, the ``transfers.sweep`` job and ``dangjian transfers sweep`` run it
  too. The completion is a compare-and-set on the envelope (``accepted → completed``), so
  running it twice, or twice at once, marks the member transferred out once.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from sqlalchemy import or_, select, update

from core.api.errors import ApiError
from core.auth.context import Actor, acting_as, current_actor
from core.db import db, new_id
from core.db.mixins import utcnow
from core.orgs.models import Organization
from core.tenancy import current_tenant_id, tenant_context
from core.tenancy.models import Tenant
from core.transfers import codes, register, service
from core.transfers.models import (
    ACCEPTED,
    CANCELLED,
    COMPLETED,
    EXPIRED,
    OFFERED,
    PENDING,
    REFUSED,
    TransferEnvelope,
    TransferLetter,
)

log = logging.getLogger(__name__)

SWEEP_JOB = "transfers.sweep"


# ---------------------------------------------------------------------------------------------
# the envelope


def compare_and_set(code: str, expected: str, new: str, *conditions, **values) -> bool:
    """Move envelope ``code`` from state ``expected`` to ``new`` (and set ``values``) if, and
    only if, it is still in ``expected`` (and ``conditions`` hold). True when this call made
    the change. On PostgreSQL a concurrent transaction changing the same envelope waits for
    this one and then finds the state changed; SQLite has one writer at a time."""
    stamp = {"closed_at": utcnow()} if new not in (OFFERED, ACCEPTED) else {}
    result = db.session.execute(
        update(TransferEnvelope)
        .where(TransferEnvelope.code == code, TransferEnvelope.state == expected, *conditions)
        .values(state=new, updated_at=utcnow(), **stamp, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def envelope(code: str) -> TransferEnvelope | None:
    """The envelope with this code, read afresh (its state may have changed under us)."""
    return db.session.scalar(
        select(TransferEnvelope)
        .where(TransferEnvelope.code == code)
        .execution_options(populate_existing=True)
    )


def incoming(code: str) -> TransferEnvelope | None:
    """The envelope with this code addressed to the current tenant, else ``None`` (an
    envelope for another tenant is as unknown as a wrong code)."""
    found = envelope(code)
    return found if found is not None and found.to_tenant_id == current_tenant_id() else None


def incoming_query(state: str | None = OFFERED):
    """Envelopes addressed to the current tenant (with the sending tenant), newest first:
    in ``state`` (``offered``: those that can still be answered, so not past their expiry
    even if the sender has not marked them expired yet), or all with ``None``."""
    query = (
        select(TransferEnvelope, Tenant)
        .join(Tenant, Tenant.id == TransferEnvelope.from_tenant_id)
        .where(TransferEnvelope.to_tenant_id == current_tenant_id())
        .order_by(TransferEnvelope.created_at.desc(), TransferEnvelope.code)
    )
    if state == OFFERED:
        query = query.where(TransferEnvelope.expires_on >= service.today())
    return query.where(TransferEnvelope.state == state) if state is not None else query


def states_of(codes_: list[str]) -> dict[str, str]:
    """Envelope state by code, for letters being shown (one query)."""
    if not codes_:
        return {}
    rows = db.session.execute(
        select(TransferEnvelope.code, TransferEnvelope.state).where(
            TransferEnvelope.code.in_(codes_)
        )
    )
    return dict(rows.all())


def _not_open(found: TransferEnvelope, today: date) -> ApiError:
    if found.state == OFFERED and found.expires_on < today:
        message = f"The letter expired on {found.expires_on.isoformat()}."
    elif found.state == CANCELLED:
        message = "The sending side cancelled this letter."
    else:
        message = f"The letter is already {found.state}."
    return ApiError(409, message, {"code": [message]})


# ---------------------------------------------------------------------------------------------
# the receiving side


def receipt(code: str) -> TransferLetter | None:
    """This tenant's record of having accepted the letter ``code``."""
    found = service.by_code(code)
    return found if found is not None and found.kind == "incoming" else None


def accept(code: str, org: Organization) -> TransferLetter:
    """The current (receiving) tenant accepts envelope ``code`` into ``org``; commits.

    One transaction: the envelope ``offered → accepted``, the member created (or a member who
    once left this register taken back) with a ``transfer_in`` event, and the receipt — this
    tenant's ``incoming`` letter. Then the sender's completion runs in its own transaction
    (:func:`follow_up`). Accepting again returns the receipt and creates nothing.
    404 for an unknown code or one addressed to another tenant; 409 once refused, cancelled or
    expired, or when the person is already in this register.
    """
    today = service.today()
    done = receipt(code)
    if done is not None:
        follow_up(done.peer_tenant_id, code)
        return done
    found = incoming(code)
    if found is None:
        raise ApiError(404, f"transfer letter {codes.display(code)} not found")
    won = compare_and_set(
        code, OFFERED, ACCEPTED,
        TransferEnvelope.to_tenant_id == current_tenant_id(),
        TransferEnvelope.expires_on >= today,
        accepted_at=utcnow(),
    )
    if not won:
        db.session.rollback()
        done = receipt(code)  # a concurrent accept of ours got there first
        if done is not None:
            follow_up(done.peer_tenant_id, code)
            return done
        raise _not_open(incoming(code), today)
    try:
        payload = found.payload
        sender = db.session.get(Tenant, found.from_tenant_id)
        member = register.admit(
            payload["member"], org, occurred_on=today, reason=payload["reason"],
            details={"transfer_code": code, "from_tenant": sender.slug},
        )
        from_org = payload["from_org"]
        letter = TransferLetter(
            id=new_id(),
            code=code,
            kind="incoming",
            status=COMPLETED,
            member_id=member.id,
            to_org_id=org.id,
            peer_tenant_id=found.from_tenant_id,
            peer_org=f"{from_org['name']} ({from_org['code']})"[:200],
            reason=payload["reason"],
            issued_on=found.issued_on,
            expires_on=found.expires_on,
            issued_by=f"{sender.slug}: {payload['issued_by']}"[:200],
            closed_at=utcnow(),
            closed_by=service.actor_label(),
            snapshot=payload["member"],
        )
        db.session.add(letter)
        db.session.commit()
    except Exception:
        db.session.rollback()  # the envelope is offered again; nothing of this accept remains
        raise
    follow_up(letter.peer_tenant_id, code)
    return letter


def refuse(code: str, reason: str) -> TransferEnvelope:
    """The current (receiving) tenant declines envelope ``code``; commits, then the sender's
    letter follows (:func:`follow_up`). The member stays where they are."""
    today = service.today()
    found = incoming(code)
    if found is None:
        raise ApiError(404, f"transfer letter {codes.display(code)} not found")
    won = compare_and_set(
        code, OFFERED, REFUSED,
        TransferEnvelope.to_tenant_id == current_tenant_id(),
        TransferEnvelope.expires_on >= today,
        refusal_reason=reason,
    )
    if not won:
        db.session.rollback()
        raise _not_open(incoming(code), today)
    db.session.commit()
    follow_up(found.from_tenant_id, code)
    return incoming(code)


# ---------------------------------------------------------------------------------------------
# the sending side


def follow_up(sender_tenant_id: int, code: str) -> bool:
    """Let the sending tenant apply the receiver's answer to its letter now, in its own
    transaction (the caller's must be finished). Never raises: on failure the envelope keeps
    the answer, a ``transfers.sweep`` job is started for the sender, and reading the letter
    or the next sweep applies it. True when the letter was settled here."""
    receiver = current_actor()
    here = db.session.get(Tenant, current_tenant_id())
    label = f"{here.slug}: {receiver.label if receiver else 'system'}"[:200]
    db.session.rollback()  # end the read transaction: the next one is the sender's
    try:
        with tenant_context(sender_tenant_id), acting_as(Actor(label=label)):
            letter = service.by_code(code)
            if letter is not None:
                settle(letter)
            db.session.commit()
            return True
    except Exception:  # noqa: BLE001 - the receiver's side is committed; the sweep finishes
        log.exception("transfer %s: the sending tenant's follow-up failed; the sweep will "
                      "apply it", code)
    _start_sweep(sender_tenant_id, label)
    return False


def _start_sweep(tenant_id: int, label: str) -> None:
    from core.jobs import service as jobs

    try:
        with tenant_context(tenant_id), acting_as(Actor(label=label)):
            jobs.enqueue(SWEEP_JOB)
    except Exception:  # noqa: BLE001 - the on-read and scheduled sweeps still cover it
        db.session.rollback()
        log.exception("could not start %s for tenant %s", SWEEP_JOB, tenant_id)


def settle(letter: TransferLetter, today: date | None = None) -> str | None:
    """Bring a pending letter of the current tenant up to date; the caller commits.

    Outgoing: the receiver's accept completes it (:func:`complete_sender`), its refusal
    refuses it; past ``expires_on`` an unanswered envelope expires with it. Internal: expires
    past ``expires_on``. Returns the letter's new status, or ``None`` if nothing changed.
    """
    today = today or service.today()
    if letter.status != PENDING:
        return None
    if letter.kind == "internal":
        if letter.expires_on < today:
            service.close(letter, EXPIRED)
            return EXPIRED
        return None
    if letter.kind != "outgoing":
        return None
    found = envelope(letter.code)
    if found is None or found.from_tenant_id != current_tenant_id():
        log.error("outgoing letter %s has no envelope of this tenant", letter.code)
        return None
    if found.state == OFFERED:
        if found.expires_on >= today:
            return None
        if compare_and_set(letter.code, OFFERED, EXPIRED, TransferEnvelope.expires_on < today):
            service.close(letter, EXPIRED)
            return EXPIRED
        found = envelope(letter.code)  # answered at this very moment: follow the answer
    if found.state in (ACCEPTED, COMPLETED):
        return complete_sender(letter, found)
    if found.state == REFUSED:
        service.close(letter, REFUSED, refusal_reason=found.refusal_reason)
        return REFUSED
    if found.state in (EXPIRED, CANCELLED):
        service.close(letter, found.state)
        return found.state
    return None


def complete_sender(letter: TransferLetter, found: TransferEnvelope) -> str | None:
    """The sending side of an accepted transfer: envelope ``accepted → completed``, the
    member ``transferred_out`` with a ``transfer_out`` event, the letter completed — one
    transaction of the sending tenant (the caller commits). If another run completed it
    first, the compare-and-set fails and nothing is changed (``None``)."""
    if found.state == ACCEPTED and not compare_and_set(letter.code, ACCEPTED, COMPLETED):
        return None
    member = service.member_of(letter)
    if member.status != "transferred_out":
        receiver = db.session.get(Tenant, found.to_tenant_id)
        register.mark_transferred_out(
            member, occurred_on=service.today(), reason=letter.reason,
            details={"transfer_code": letter.code, "to_tenant": receiver.slug},
        )
    service.close(letter, COMPLETED)
    return COMPLETED


def due_codes(today: date) -> list[str]:
    """Codes of the current tenant's pending letters that need settling: expired, or (for
    outgoing ones) answered by the receiver. One query; the envelope states come from an
    indexed subquery on the sender's tenant id."""
    tenant_id = current_tenant_id()
    answered = select(TransferEnvelope.code).where(
        TransferEnvelope.from_tenant_id == tenant_id, TransferEnvelope.state != OFFERED
    )
    return list(
        db.session.scalars(
            select(TransferLetter.code)
            .where(
                TransferLetter.status == PENDING,
                TransferLetter.kind.in_(("internal", "outgoing")),
                or_(TransferLetter.expires_on < today, TransferLetter.code.in_(answered)),
            )
            .order_by(TransferLetter.expires_on, TransferLetter.code)
        )
    )


def sweep(today: date | None = None) -> dict:
    """Settle every due letter of the current tenant, each in its own transaction (each
    letter's settlement is independent and idempotent, so one that fails is rolled back alone
    and retried by the next sweep). Returns counts by new status, and the codes that failed."""
    today = today or service.today()
    codes_ = due_codes(today)
    db.session.commit()
    counts: Counter = Counter()
    failed: list[str] = []
    for code in codes_:
        try:
            letter = service.by_code(code)
            status = settle(letter, today) if letter is not None else None
            db.session.commit()
        except Exception:  # noqa: BLE001 - reported in the result and the log
            db.session.rollback()
            log.exception("transfer %s: settling failed", code)
            failed.append(code)
            continue
        if status is not None:
            counts[status] += 1
    return {"settled": dict(counts), "failed": failed}


def sweep_job(ctx) -> dict:
    """``transfers.sweep``: :func:`sweep` for the job's tenant.

    Unlike most jobs it commits as it goes, letter by letter: each settlement is a complete
    unit of its own (as when a letter is read), and one letter that cannot be settled must
    not hold back the others.
    """
    ctx.progress(0, "settling transfer letters")
    return sweep()
