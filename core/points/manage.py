"""Changing the tenant's point rules, partners and offers: what the API and the web pages
both call, so the rules of what may change live in one place.

Input is already loaded by the schemas of :mod:`core.points.schemas`; refusals are
:class:`~core.api.errors.ApiError` naming the field (409 for a taken key or name, 422 for a
change a plugin's rule does not take). The caller commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from core.api.errors import ApiError
from core.db import db
from core.points import redemption, registry
from core.points.models import Offer, Partner, PointRuleOverride, TenantPointRule
from core.points.registry import EffectiveRule

PLUGIN_RULE_FIELDS = {"active", "points", "yearly_cap", "reset"}


def create_rule(data: dict) -> EffectiveRule:
    """Add a tenant rule (key ``tenant.<slug>``), switched on; 409 naming ``key`` if taken."""
    if db.session.scalar(select(TenantPointRule.id).where(TenantPointRule.key == data["key"])):
        raise ApiError(409, f"key: {data['key']} already exists.", {"key": ["Already exists."]})
    row = TenantPointRule(active=True, **data)
    db.session.add(row)
    db.session.flush()
    return registry.effective_tenant_rule(row)


def update_rule(rule: EffectiveRule, data: dict) -> EffectiveRule:
    """Change ``rule``. A tenant rule: any field. A plugin rule: ``active``, ``points``
    (keeping its sign), ``yearly_cap`` (None: no cap), or ``reset`` (back to the plugin's
    numbers, switched on)."""
    key = rule.key
    if rule.source == "tenant":
        if "reset" in data:
            raise ApiError(422, "reset: only for a plugin's rule.", {"reset": ["Only for a plugin's rule."]})
        row = db.session.scalar(select(TenantPointRule).where(TenantPointRule.key == key))
        for name, value in data.items():
            setattr(row, name, value)
        db.session.flush()
        return registry.effective_tenant_rule(row)
    refused = sorted(set(data) - PLUGIN_RULE_FIELDS)
    if refused:
        raise ApiError(422, f"{', '.join(refused)}: a plugin's rule only takes active, points, "
                            "yearly_cap or reset.",
                       {f: ["Not changeable on a plugin's rule."] for f in refused})
    if "points" in data and (data["points"] > 0) != (rule.default_points > 0):
        raise ApiError(422, "points: must keep the rule's sign.", {"points": ["Must keep the rule's sign."]})
    row = db.session.scalar(select(PointRuleOverride).where(PointRuleOverride.rule_key == key))
    if data.get("reset"):
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        row = None
    changes = {k: v for k, v in data.items() if k != "reset"}
    if changes:
        if row is None:
            row = PointRuleOverride(rule_key=key, active=True, cap_overridden=False)
            db.session.add(row)
        if "active" in changes:
            row.active = changes["active"]
        if "points" in changes:
            row.points = changes["points"]
        if "yearly_cap" in changes:
            row.cap_overridden = True
            row.yearly_cap = changes["yearly_cap"]
    db.session.flush()
    return registry.get_rule(key)


def _name_free(name: str, own: uuid.UUID | None = None) -> None:
    clash = db.session.scalar(select(Partner.id).where(Partner.name == name))
    if clash is not None and clash != own:
        raise ApiError(409, f"name: a partner named {name!r} exists.", {"name": ["Already exists."]})


def create_partner(data: dict) -> tuple[Partner, str]:
    """Add a partner; returns it with its verification key (shown to the user only once)."""
    _name_free(data["name"])
    partner = Partner(**data)
    key = redemption.new_partner_key(partner)
    db.session.add(partner)
    db.session.flush()
    return partner, key


def update_partner(partner: Partner, data: dict) -> Partner:
    if "name" in data:
        _name_free(data["name"], partner.id)
    for name, value in data.items():
        setattr(partner, name, value)
    db.session.flush()
    return partner


def rotate_key(partner: Partner) -> str:
    """A new verification key for ``partner`` (the old one stops working)."""
    return redemption.new_partner_key(partner)


def create_offer(data: dict) -> tuple[Offer, Partner]:
    """Add an offer of ``data["partner_id"]``; 422 naming ``partner_id`` if unknown."""
    partner = db.session.scalar(select(Partner).where(Partner.id == data["partner_id"]))
    if partner is None:
        raise ApiError(422, "partner_id: unknown partner.", {"partner_id": ["Unknown partner."]})
    offer = Offer(**data)
    db.session.add(offer)
    db.session.flush()
    return offer, partner


def update_offer(offer: Offer, data: dict) -> Offer:
    for name, value in data.items():
        setattr(offer, name, value)
    db.session.flush()
    return offer
