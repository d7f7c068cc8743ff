"""Redemption (积分金银卡): partners (merchants), their offers, and members spending points.

Spending is atomic and never goes below zero, without reading the balance first: one
conditional UPDATE takes the points only when enough are left
(``SET redeemed = redeemed + cost WHERE member_id = … AND earned - redeemed >= cost``), and
one conditional UPDATE takes an item from a limited stock (``WHERE stock >= 1``). Two
redemptions racing for the same points serialise on the account row (PostgreSQL row lock;
SQLite's single writer) and the second finds too little left. The stock is taken first
(the offer row, then the account row: always in that order, so two redemptions never wait
for each other in a cycle); when the points then fall short, the stock is given back in the
same transaction, so a refusal leaves nothing written. Callers commit.

A redemption gets a code (10 characters, no 0/O/1/I) that the merchant checks and marks
used — signed in as a tenant administrator or organisation manager, or with the partner's
own key (``X-Partner-Key``), shown once when the partner is added or its key is replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.db import db
from core.db.mixins import utcnow
from core.members.models import ACTIVE_STATUSES, Member
from core.points.ledger import account, card_level
from core.points.models import Offer, Partner, PointAccount, Redemption
from core.points.registry import as_points
from core.points.settings import points_settings

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
LEVEL_NAMES = {"silver": "银卡", "gold": "金卡"}


def _conflict(message: str, field: str = "offer_id"):
    raise ApiError(409, message, {field: [message]})


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_partner_key(partner: Partner) -> str:
    """Give ``partner`` a new verification key; returns it (shown once, stored hashed)."""
    key = secrets.token_urlsafe(24)
    partner.verify_key_hash = hash_key(key)
    return key


def partner_key_matches(partner: Partner | None, key: str | None) -> bool:
    if partner is None or not key or partner.verify_key_hash is None or not partner.active:
        return False
    return hmac.compare_digest(partner.verify_key_hash, hash_key(key))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:40]


def redeem(member: Member, offer: Offer, today: date | None = None) -> Redemption:
    """Spend ``offer.cost`` of ``member``'s points on ``offer`` (caller checks who may).

    409 naming ``offer_id`` when the offer is inactive, expired, its partner inactive, its
    stock gone, its card level not reached, or the balance too small; 422 naming
    ``member_id`` for a member no longer in the register."""
    today = today or date.today()
    if member.status not in ACTIVE_STATUSES:
        raise ApiError(422, f"The member's status is {member.status}.",
                       {"member_id": [f"The member's status is {member.status}."]})
    partner = db.session.scalar(select(Partner).where(Partner.id == offer.partner_id))
    if not offer.active or partner is None or not partner.active:
        _conflict("该兑换项目已下架。")
    if offer.valid_until is not None and offer.valid_until < today:
        _conflict(f"该兑换项目已于 {offer.valid_until.isoformat()} 截止。")
    cost = as_points(offer.cost)
    settings = points_settings()
    min_earned = (Decimal(settings[f"{offer.min_level}_threshold"])
                  if offer.min_level else None)
    if offer.stock is not None:
        taken = db.session.execute(
            update(Offer)
            .where(Offer.id == offer.id, Offer.stock >= 1)
            # a new version: an administrator's edit read before this redemption cannot
            # write its older stock back over it (core.db.versioning)
            .values(stock=Offer.stock - 1, version=Offer.version + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            _conflict("该兑换项目已兑完。")
    conditions = [PointAccount.member_id == member.id,
                  PointAccount.earned - PointAccount.redeemed >= cost]
    if min_earned is not None:
        conditions.append(PointAccount.earned >= min_earned)
    spent = db.session.execute(
        update(PointAccount).where(*conditions)
        .values(redeemed=PointAccount.redeemed + cost)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not spent:
        if offer.stock is not None:  # give the item back: a refusal leaves nothing written
            db.session.execute(
                update(Offer).where(Offer.id == offer.id)
                .values(stock=Offer.stock + 1, version=Offer.version + 1)
                .execution_options(synchronize_session=False)
            )
        db.session.expire(offer)
        have = account(member.id)
        if min_earned is not None and have["earned"] < min_earned:
            level = LEVEL_NAMES[offer.min_level]
            _conflict(f"该兑换项目限{level}会员：累计积分需达到 {min_earned} 分，"
                      f"当前 {have['earned']} 分。")
        _conflict(f"积分余额不足：需要 {cost} 分，当前余额 {have['balance']} 分。")
    actor = current_actor()
    row = Redemption(
        member_id=member.id, org_id=member.org_id, offer_id=offer.id, partner_id=partner.id,
        offer_name=offer.name, cost=cost, code=new_code(), status="issued",
        redeemed_by=actor.label if actor else "system",
        redeemed_by_user_id=actor.user_id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    db.session.expire(offer)
    return row


def find_by_code(code: str) -> Redemption | None:
    code = normalise_code(code)
    if not code:
        return None
    return db.session.scalar(select(Redemption).where(Redemption.code == code))


def mark_used(redemption: Redemption, by: str | None = None) -> Redemption:
    """Mark a redemption used (once: 409 the second time, even when two race)."""
    actor = current_actor()
    label = by or (actor.label if actor else "system")
    done = db.session.execute(
        update(Redemption)
        .where(Redemption.id == redemption.id, Redemption.status == "issued")
        .values(status="used", used_at=utcnow(), used_by=label)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(redemption)
    if not done:
        raise ApiError(409, "该兑换码已使用。", {"code": ["Already used."]})
    return redemption


def level_of(member_id) -> str | None:
    return card_level(account(member_id)["earned"])
