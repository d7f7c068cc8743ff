"""The secretaries' review's warning rule (预警), set-based over a whole tenant.

* ``reviews.report_overdue`` — a review cycle has been in its reporting stage for more than
  N (30) days and the organisation's secretary has still not submitted the report
  (述职报告). One warning per organisation and cycle stage; it clears when the report is
  submitted (or the cycle moves on).
"""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import Range
from sqlalchemy import select

from core.db import db
from core.orgs.models import Organization
from core.reviews.models import DRAFT, REPORTING, ReviewCycle, ReviewEntry
from core.warnings.rules import Finding, RuleContext, WarningRule


class OverdueParams(Schema):
    days = fields.Int(load_default=30, validate=Range(min=1, max=365))


def check_report_overdue(ctx: RuleContext) -> list[Finding]:
    """Draft entries of cycles reporting for more than ``days`` days, of active
    organisations: one query."""
    rows = db.session.execute(
        select(ReviewEntry.org_id, ReviewCycle.name, ReviewCycle.year, ReviewCycle.reporting_at)
        .join(ReviewCycle, ReviewCycle.id == ReviewEntry.cycle_id)
        .join(Organization, Organization.id == ReviewEntry.org_id)
        .where(Organization.status == "active", ReviewCycle.state == REPORTING,
               ReviewEntry.status == DRAFT, ReviewCycle.reporting_at.is_not(None))
        .order_by(ReviewEntry.org_id, ReviewCycle.reporting_at)
    ).all()
    found = {}
    for org_id, name, year, since in rows:
        days = (ctx.today - since.date()).days
        if days > ctx.params["days"] and org_id not in found:
            found[org_id] = Finding(org_id=org_id, figures={"cycle": name, "year": year, "days": days})
    return list(found.values())


def rules() -> list[WarningRule]:
    return [
        WarningRule(
            key="reviews.report_overdue", name="书记述职报告逾期未交", severity="warning",
            message="“{cycle}”已开始述职 {days} 天，本组织书记仍未提交述职报告，请督促提交。",
            check=check_report_overdue, params=OverdueParams,
        ),
    ]
