"""The idle pairing warning (结对共建活动长期未开展).

An active pairing with no joint activity for ``days`` days (90 by default; the rule's
parameter, set per tenant) is idle — counted from its start when it has none yet, so a
pairing younger than that is not. The warning is raised on the **initiating side**
(``Pairing.org_id``: the organ, SOE or enterprise organisation), which drives the pairing
and whose secretary is expected to organise the activities; the village or community is not
warned for what its partner left undone. One warning per organisation, naming every idle
partner; it is resolved by the next sweep once each of them has a joint activity within
the period (or the pairing is dissolved).

One aggregate statement: the active pairings grouped with their last activity day.
"""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from core.db import db
from core.orgs.models import Organization
from core.pairings.models import ACTIVE, Pairing, PairingActivity
from core.tenancy import tenant_context
from core.warnings.rules import Finding, RuleContext, WarningRule

IDLE_DAYS = 90
NO_RECORD = "无记录"


def idle_pairings(ctx: RuleContext, days: int) -> list:
    """Rows ``(pairing id, org id, partner name, last activity day)`` of the idle pairings."""
    cutoff = ctx.today - timedelta(days=days)
    partner = aliased(Organization, name="partner")
    last = func.max(PairingActivity.held_on)
    stmt = (
        select(Pairing.id, Pairing.org_id, partner.name, last)
        .join(Organization, Organization.id == Pairing.org_id)
        .join(partner, partner.id == Pairing.partner_org_id)
        .outerjoin(PairingActivity, and_(PairingActivity.pairing_id == Pairing.id,
                                         PairingActivity.held_on <= ctx.today))
        .where(Pairing.status == ACTIVE, Pairing.started_on <= cutoff, Organization.status == "active")
        .group_by(Pairing.id, Pairing.org_id, partner.name)
        .having(or_(last.is_(None), last < cutoff))
        .order_by(partner.name)
    )
    return db.session.execute(stmt).all()


def check_idle(ctx: RuleContext) -> list[Finding]:
    days = ctx.params.get("days", IDLE_DAYS)
    with tenant_context(ctx.tenant_id):
        rows = idle_pairings(ctx, days)
    by_org: dict = {}
    for _pairing_id, org_id, partner_name, last in rows:
        by_org.setdefault(org_id, []).append((partner_name, last))
    findings = []
    for org_id, partners in by_org.items():
        lasts = [last for _, last in partners if last is not None]
        findings.append(Finding(org_id, figures={
            "count": len(partners), "period_days": days,
            "partners": "、".join(name for name, _ in partners),
            "last": max(lasts).isoformat() if lasts else NO_RECORD,
        }))
    return findings


def rules() -> list[WarningRule]:
    return [WarningRule(
        key="pairings.idle",
        name="结对共建活动长期未开展",
        severity="warning",
        message="有 {count} 个结对共建对象已连续 {period_days} 天以上未开展联建活动：{partners}",
        check=check_idle,
        params=Schema.from_dict({"days": fields.Int(
            load_default=IDLE_DAYS, validate=validate.Range(min=7, max=730),
            metadata={"description": "无联建活动的天数"})}, name="PairingIdleParams"),
    )]
