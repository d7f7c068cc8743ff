"""The transfer API (``/api/v1/transfers``).

* ``POST ""`` issues a letter for a member (``branch_secretary`` or higher on the member's
  organisation): to ``to_org_id`` of this tenant, or to ``to_tenant`` (another city).
* ``GET ""`` / ``GET /<id>`` list and read the letters whose sending or receiving organisation
  the user sees; reading a pending letter first applies the receiver's answer, if any
  (the on-read half of the completion sweep). ``POST /<id>/cancel`` withdraws one.
* ``GET /incoming`` lists letters other tenants addressed to this one (``org_manager``): the
  person's name and masked ID number, who sends them, the code.
* ``POST /incoming/<code>/accept`` and ``/refuse``: the receiving side answers a letter —
  an internal one or another tenant's — by its code. The code is on the paper letter handed
  to the member; asking for it (rather than an id) means only someone who holds the letter, or
  sees this tenant's incoming list, can answer it. A wrong code is a 404.

Another tenant's letters are 404 here like unknown ids, and so are organisations the user
cannot see.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from core.api import Blueprint, abort
from core.api.smorest import parse_id
from core.auth.permissions import (
    has_role,
    require_org_access,
    roles_required,
    visible_orgs_clause,
)
from core.db import db
from core.members.masking import mask_id_number
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.tenancy.models import Tenant
from core.tenancy.resolve import tenant_by_slug
from core.transfers import codes, exchange, service
from core.transfers.models import PENDING, TransferLetter
from core.transfers.schemas import (
    AcceptSchema,
    EnvelopeQuerySchema,
    EnvelopeSchema,
    IssueSchema,
    LetterQuerySchema,
    LetterSchema,
    RefuseSchema,
)

log = logging.getLogger(__name__)

bp = Blueprint("transfers", __name__, description="Organisational relationship transfers (组织关系转接).")

KEEPER = "branch_secretary"  # the lowest role that keeps a register, and so moves members


def _commit() -> None:
    """Commit; a letter or member changed by someone else meanwhile is a 409, not a 500."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        abort(409, "The letter or the member was changed at the same time; try again.")


def _org(org_id) -> Organization | None:
    return orgs.get(org_id) if org_id is not None else None


def _visible_letters():
    """Letters whose sending or receiving organisation the user sees."""
    visible = select(Organization.id).where(visible_orgs_clause())
    return or_(TransferLetter.from_org_id.in_(visible), TransferLetter.to_org_id.in_(visible))


def _letter_or_404(letter_id) -> TransferLetter:
    parsed = parse_id(letter_id)
    letter = service.get(parsed) if parsed is not None else None
    if letter is None or not any(
        org is not None and has_role("member", org)
        for org in (_org(letter.from_org_id), _org(letter.to_org_id))
    ):
        abort(404, f"transfer letter {letter_id} not found")
    return letter


def _views(letters: list[TransferLetter]) -> list[dict]:
    """Letters as answered (the exchange state and the other tenant in one query each)."""
    states = exchange.states_of([lt.code for lt in letters if lt.kind != "internal"])
    tenant_ids = {lt.peer_tenant_id for lt in letters if lt.peer_tenant_id is not None}
    tenants = (
        {t.id: t for t in db.session.scalars(select(Tenant).where(Tenant.id.in_(tenant_ids)))}
        if tenant_ids else {}
    )
    views = []
    for letter in letters:
        peer = tenants.get(letter.peer_tenant_id)
        views.append({
            "id": letter.id,
            "code": codes.display(letter.code),
            "kind": letter.kind,
            "status": letter.status,
            "exchange_state": states.get(letter.code),
            "member_id": letter.member_id,
            "member_name": (letter.snapshot or {}).get("name"),
            "from_org_id": letter.from_org_id,
            "to_org_id": letter.to_org_id,
            "peer_tenant": peer.slug if peer else None,
            "peer_tenant_name": peer.name if peer else None,
            "peer_org": letter.peer_org,
            "reason": letter.reason,
            "issued_on": letter.issued_on,
            "expires_on": letter.expires_on,
            "refusal_reason": letter.refusal_reason,
            "issued_by": letter.issued_by,
            "closed_by": letter.closed_by,
            "closed_at": letter.closed_at,
            "created_at": letter.created_at,
            "updated_at": letter.updated_at,
        })
    return views


def _settle_on_read(letter: TransferLetter) -> TransferLetter:
    """Apply the receiver's answer (or the expiry) to a pending letter before showing it. A
    failure here is logged, not answered: the letter is shown as it stands."""
    if letter.status != PENDING:
        return letter
    letter_id = letter.id
    try:
        if exchange.settle(letter) is not None:
            db.session.commit()
    except Exception:  # noqa: BLE001 - the sweep will try again
        db.session.rollback()
        log.exception("transfer %s: settling on read failed", letter_id)
    return service.get(letter_id)


@bp.route("", methods=["POST"])
@roles_required(KEEPER)
@bp.arguments(IssueSchema)
@bp.response(201, LetterSchema)
def issue(data):
    """Issue a transfer letter (介绍信). The member stays in this register until the receiving
    side accepts the letter's code."""
    member = db.session.scalar(select(Member).where(Member.id == data["member_id"]))
    org = _org(member.org_id) if member is not None else None
    if member is None or org is None or not has_role("member", org):
        abort(404, f"member {data['member_id']} not found")
    require_org_access(org, role=KEEPER)
    to_org = to_tenant = None
    if data["to_org_id"] is not None:
        to_org = _org(data["to_org_id"])
        if to_org is None:
            abort(404, f"organization {data['to_org_id']} not found",
                  {"to_org_id": ["Unknown organization."]})
    else:
        to_tenant = tenant_by_slug(data["to_tenant"])
        if to_tenant is None or not to_tenant.is_active:
            abort(404, f"tenant {data['to_tenant']!r} not found",
                  {"to_tenant": ["Unknown tenant."]})
    letter = service.issue(
        member, reason=data["reason"], to_org=to_org, to_tenant=to_tenant,
        to_org_code=data["to_org_code"], expires_on=data["expires_on"],
    )
    letter_id = letter.id
    _commit()
    return _views([service.get(letter_id)])[0]


@bp.route("", methods=["GET"])
@roles_required(KEEPER)
@bp.arguments(LetterQuerySchema, location="query")
@bp.response(200, LetterSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_letters(filters, pagination_parameters):
    """Letters of the organisations the user sees, newest first; filter by ``status``,
    ``kind``, ``member_id``."""
    conditions = [_visible_letters()]
    for name in ("status", "kind", "member_id"):
        if filters[name] is not None:
            conditions.append(getattr(TransferLetter, name) == filters[name])
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(TransferLetter).where(*conditions)
    )
    letters = db.session.scalars(
        select(TransferLetter)
        .where(*conditions)
        .order_by(TransferLetter.created_at.desc(), TransferLetter.id.desc())
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    ).all()
    return _views(list(letters))


@bp.route("/<letter_id>", methods=["GET"])
@roles_required(KEEPER)
@bp.response(200, LetterSchema)
def get_letter(letter_id):
    """One letter (404 when unknown, another tenant's, or outside the user's scope)."""
    letter = _settle_on_read(_letter_or_404(letter_id))
    return _views([letter])[0]


@bp.route("/<letter_id>/cancel", methods=["POST"])
@roles_required(KEEPER)
@bp.response(200, LetterSchema)
def cancel(letter_id):
    """Withdraw a pending letter (the sending organisation's keeper). 409 once the receiving
    side has answered it."""
    letter = _letter_or_404(letter_id)
    if letter.kind == "incoming":
        abort(409, "A letter received from another tenant cannot be cancelled here.")
    require_org_access(_org(letter.from_org_id), role=KEEPER)
    letter = _settle_on_read(letter)
    service.cancel(letter)
    _commit()
    return _views([service.get(letter.id)])[0]


@bp.route("/incoming", methods=["GET"])
@roles_required("org_manager")
@bp.arguments(EnvelopeQuerySchema, location="query")
@bp.response(200, EnvelopeSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_incoming(filters, pagination_parameters):
    """Letters other tenants addressed to this one (default: those waiting for an answer)."""
    query = exchange.incoming_query(None if filters["state"] == "all" else filters["state"])
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.execute(
        query.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
    ).all()
    views = []
    for envelope, sender in rows:
        payload = envelope.payload
        person = payload["member"]
        views.append({
            "code": codes.display(envelope.code),
            "state": envelope.state,
            "name": person["name"],
            "gender": person.get("gender"),
            "id_number": mask_id_number(person["id_number"]),
            "from_tenant": sender.slug,
            "from_tenant_name": sender.name,
            "from_org": payload["from_org"]["name"],
            "to_org": payload.get("to_org"),
            "reason": payload["reason"],
            "issued_on": envelope.issued_on,
            "expires_on": envelope.expires_on,
        })
    return views


def _code_or_404(raw: str) -> str:
    code = codes.normalize(raw)
    if code is None:
        abort(404, f"transfer letter {raw} not found")
    return code


@bp.route("/incoming/<code>/accept", methods=["POST"])
@roles_required(KEEPER)
@bp.arguments(AcceptSchema)
@bp.response(200, LetterSchema)
def accept(data, code):
    """Accept a letter by its code into ``org_id`` (a keeper of that organisation). The
    member appears here only now. Accepting an accepted letter again changes nothing."""
    code = _code_or_404(code)
    letter = service.by_code(code)
    if letter is not None and letter.kind == "internal":
        addressed = _org(letter.to_org_id)
        if data["org_id"] is None and (addressed is None or not has_role("member", addressed)):
            # the answer to a wrong code: never the id of an organisation the user can't see
            abort(404, f"transfer letter {codes.display(code)} not found")
        target = _org(data["org_id"] or letter.to_org_id)
        if target is None:
            abort(404, f"organization {data['org_id']} not found",
                  {"org_id": ["Unknown organization."]})
        require_org_access(target, role=KEEPER)
        if addressed is None or not target.path.startswith(addressed.path):
            message = "Not the organization the letter is addressed to, or one below it."
            abort(422, message, {"org_id": [message]})
        letter_id = letter.id
        service.accept_internal(letter, target)
        _commit()
        return _views([service.get(letter_id)])[0]
    if letter is not None and letter.kind == "outgoing":
        abort(404, f"transfer letter {codes.display(code)} not found")  # our own, not to us
    if data["org_id"] is None:
        abort(422, "Name the organisation taking the member in.",
              {"org_id": ["Missing data for required field."]})
    target = _org(data["org_id"])
    if target is None:
        abort(404, f"organization {data['org_id']} not found",
              {"org_id": ["Unknown organization."]})
    require_org_access(target, role=KEEPER)
    try:
        received = exchange.accept(code, target)
    except StaleDataError:
        db.session.rollback()
        abort(409, "The member was changed at the same time; try again.")
    return _views([service.get(received.id)])[0]


@bp.route("/incoming/<code>/refuse", methods=["POST"])
@roles_required(KEEPER)
@bp.arguments(RefuseSchema)
@bp.response(200, LetterSchema)
def refuse(data, code):
    """Decline a letter by its code, with a reason: an internal one (a keeper of the
    organisation it is addressed to) or another tenant's (an ``org_manager``). The member
    stays where they are; the sender's letter shows the refusal."""
    code = _code_or_404(code)
    letter = service.by_code(code)
    if letter is not None and letter.kind == "internal":
        addressed = _org(letter.to_org_id)
        if addressed is None or not has_role("member", addressed):
            # the answer to a wrong code: never the id of an organisation the user can't see
            abort(404, f"transfer letter {codes.display(code)} not found")
        require_org_access(addressed, role=KEEPER)
        letter_id = letter.id
        service.refuse_internal(letter, data["reason"])
        _commit()
        return _views([service.get(letter_id)])[0]
    if letter is not None and letter.kind == "outgoing":
        abort(404, f"transfer letter {codes.display(code)} not found")  # our own, not to us
    if letter is not None:
        abort(409, "This letter was accepted here already.", {"code": ["Already accepted."]})
    if not has_role("org_manager"):
        abort(403, "Refusing another tenant's letter needs the org_manager role.")
    found = exchange.refuse(code, data["reason"])
    return _envelope_as_letter(found)


def _envelope_as_letter(found) -> dict:
    """A refused envelope in the letter shape (this tenant keeps no letter for it)."""
    sender = db.session.get(Tenant, found.from_tenant_id)
    payload = found.payload
    return {
        "code": codes.display(found.code),
        "kind": "incoming",
        "status": "refused",
        "exchange_state": found.state,
        "member_name": payload["member"]["name"],
        "peer_tenant": sender.slug,
        "peer_tenant_name": sender.name,
        "peer_org": f"{payload['from_org']['name']} ({payload['from_org']['code']})",
        "reason": payload["reason"],
        "issued_on": found.issued_on,
        "expires_on": found.expires_on,
        "refusal_reason": found.refusal_reason,
        "issued_by": payload["issued_by"],
        "closed_at": found.closed_at,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
    }
