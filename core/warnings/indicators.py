"""The warnings slice's assessment indicator: 严重预警未解除 (a deduction).

Each warning of the chosen severity (``serious`` by default) that was open at the end of
the cycle's period — opened by then and not resolved by then — costs ``per_unit`` (2)
points. Warnings count where they were raised (a member's warning on their branch), as in
the 红黑榜. One aggregate query for all organisations of the cycle.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, func, or_, select

from core.assessment.indicators import Indicator, Measurement
from core.db import db
from core.orgs.models import Organization
from core.warnings import registry
from core.warnings.models import Warning
from core.warnings.rules import SEVERITIES


class OpenWarningParams(Schema):
    per_unit = fields.Float(load_default=2, validate=validate.Range(min=0, max=100),
                            metadata={"description": "每条预警扣分"})
    severity = fields.Str(load_default="serious", validate=validate.OneOf(SEVERITIES),
                          metadata={"description": "计入扣分的预警级别"})


SEVERITY_LABELS = {"serious": "严重", "warning": "一般", "info": "提示"}


def measure_open_warnings(ctx) -> dict:
    """Warnings open at the end of the period by organisation and rule, in one query
    (outer-joined from the organisations, so one without any is measured as 0)."""
    bound = datetime.combine(ctx.end + timedelta(days=1), time.min, tzinfo=UTC)
    stmt = (
        select(Organization.id, Warning.rule_key, func.count(Warning.id))
        .outerjoin(Warning, and_(
            Warning.org_id == Organization.id,
            registry.shown_condition(),
            Warning.severity == ctx.params["severity"],
            Warning.opened_at < bound,
            or_(Warning.resolved_at.is_(None), Warning.resolved_at >= bound),
        ))
        .where(Organization.id.in_(ctx.orgs))
        .group_by(Organization.id, Warning.rule_key)
    )
    counted: dict = {}
    for org_id, rule_key, n in db.session.execute(stmt):
        total, rules = counted.get(org_id, (0, []))
        counted[org_id] = (total + int(n), sorted([*rules, rule_key]) if rule_key else rules)
    label = SEVERITY_LABELS.get(ctx.params["severity"], ctx.params["severity"])
    return {
        org_id: Measurement(total, evidence={"warnings": total, "rules": rules, "level": label,
                                             "as_of": ctx.end.isoformat()})
        for org_id, (total, rules) in counted.items()
    }


def indicators() -> list[Indicator]:
    return [
        Indicator(
            key="warnings.open_serious",
            name="严重预警未解除",
            scoring="deduction",
            max_points=10,
            measure=measure_open_warnings,
            params=OpenWarningParams,
            unit="条",
            reads="预警记录",
            description="周期末仍未解除的严重预警，每条扣分（未解除即未整改到位）",
            explain="截至周期末（{as_of}）仍未解除的{level}预警 {value} 条",
        )
    ]
