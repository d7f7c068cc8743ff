"""QR cards: a signed link that shows a member's points and rank to whoever scans it.

The token is signed with the app's ``SECRET_KEY`` (itsdangerous, salt :data:`SALT`, used
for nothing else) and carries the tenant id, the member id and the card's ``nonce``
(random, stored in :class:`~core.points.models.MemberCard`). Reading a card needs no login
and no tenant header: the tenant comes from the signed token. A token is answered only
when its signature holds, its tenant is active, the request names no other tenant, and its
nonce is the member's current one — so rotating the card (a new nonce) or revoking it
(deleting the row) retires every old token. Every refusal is the same 404.

What a card shows is deliberately little: the name masked to its first character
(``张*``), the branch, the year, the year's points and the rank in the branch as "n/m".
"""

from __future__ import annotations

import hmac
import io
import secrets
import uuid
from datetime import date

import segno
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select

from core.auth.context import current_actor
from core.db import db
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization
from core.points.ledger import year_bounds
from core.points.models import MemberCard
from core.points.ranking import branch_of, rank_text, standing_of
from core.tenancy import current_tenant_id, current_tenant_id_or_none, tenant_context
from core.tenancy.models import Tenant

SALT = "dangjian.points.card"
MAX_TOKEN_LENGTH = 300


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(card: MemberCard) -> str:
    """The card's token (deterministic: the same card gives the same token)."""
    return _serializer().dumps({"t": current_tenant_id(), "m": card.member_id.hex, "n": card.nonce})


def card_of(member_id: uuid.UUID) -> MemberCard | None:
    return db.session.scalar(select(MemberCard).where(MemberCard.member_id == member_id))


def issue(member: Member) -> MemberCard:
    """Issue the member's card, or rotate it (a new nonce: old tokens stop working)."""
    card = card_of(member.id)
    actor = current_actor()
    if card is None:
        card = MemberCard(member_id=member.id)
        db.session.add(card)
    card.nonce = secrets.token_urlsafe(24)
    card.issued_by = actor.label if actor else "system"
    db.session.flush()
    return card


def revoke(member: Member) -> bool:
    """Revoke the member's card; False when there was none."""
    card = card_of(member.id)
    if card is None:
        return False
    db.session.delete(card)
    db.session.flush()
    return True


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def mask_name(name: str) -> str:
    """``张三`` → ``张*``, ``欧阳明华`` → ``欧***``."""
    name = (name or "").strip()
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else "*"


def _decode(token: str) -> tuple[int, uuid.UUID, str] | None:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = _serializer().loads(token)
        tenant_id, member_id, nonce = int(data["t"]), uuid.UUID(hex=data["m"]), str(data["n"])
    except (BadData, KeyError, TypeError, ValueError, AttributeError):
        return None
    return tenant_id, member_id, nonce


def public_view(token: str, today: date | None = None) -> dict | None:
    """What the card shows, or None for any token that should be a 404."""
    decoded = _decode(token)
    if decoded is None:
        return None
    tenant_id, member_id, nonce = decoded
    requested = current_tenant_id_or_none()
    if requested is not None and requested != tenant_id:
        return None
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None or not tenant.is_active:
        return None
    year = (today or date.today()).year
    with tenant_context(tenant_id):
        card = card_of(member_id)
        if card is None or not hmac.compare_digest(card.nonce.encode(), nonce.encode()):
            return None
        member = db.session.scalar(select(Member).where(Member.id == member_id))
        if member is None or member.status not in ACTIVE_STATUSES:
            return None
        org = db.session.scalar(select(Organization).where(Organization.id == member.org_id))
        branch = db.session.scalar(select(Organization).where(Organization.id == branch_of(org)))
        start, end = year_bounds(year)
        standing = standing_of(member.id, start, end, branch)
        return {
            "name": mask_name(member.name),
            "branch": branch.name,
            "year": year,
            "total": standing.total if standing else 0,
            "rank": rank_text(standing.branch_rank, standing.branch_ranked) if standing else None,
        }
