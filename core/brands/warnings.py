"""The brands slice's warning rule (预警), set-based over a whole tenant.

* ``brands.review_due`` — an awarded model site's yearly re-review (复核) is due within N
  (30) days or already past due and not done: the level above should review it before the
  title lapses. One warning per organisation, naming the nearest due re-review; it clears
  when the re-review is recorded (or lapses and the title is withdrawn).
"""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, fields
from marshmallow.validate import Range
from sqlalchemy import select

from core.brands.models import AWARDED, DUE, LEVEL_LABELS, ModelSite, SiteReview
from core.db import db
from core.orgs.models import Organization
from core.warnings.rules import Finding, RuleContext, WarningRule


class ReviewDueParams(Schema):
    days_before = fields.Int(load_default=30, validate=Range(min=0, max=365))


def check_review_due(ctx: RuleContext) -> list[Finding]:
    """Active organisations with an awarded title whose due re-review falls within the
    window (or has passed): one query, the nearest per organisation kept."""
    horizon = ctx.today + timedelta(days=ctx.params["days_before"])
    rows = db.session.execute(
        select(ModelSite.org_id, ModelSite.title, ModelSite.level, SiteReview.year, SiteReview.due_on)
        .join(ModelSite, ModelSite.id == SiteReview.site_id)
        .join(Organization, Organization.id == ModelSite.org_id)
        .where(Organization.status == "active", ModelSite.status == AWARDED,
               SiteReview.status == DUE, SiteReview.due_on <= horizon)
        .order_by(ModelSite.org_id, SiteReview.due_on)
    ).all()
    found: dict = {}
    for org_id, title, level, year, due_on in rows:
        if org_id not in found:
            found[org_id] = {"title": title or LEVEL_LABELS.get(level, level), "year": year,
                             "due_on": due_on.isoformat(), "days": (due_on - ctx.today).days}
    return [Finding(org_id=org_id, figures=figures) for org_id, figures in found.items()]


def rules() -> list[WarningRule]:
    return [
        WarningRule(
            key="brands.review_due", name="示范点年度复核到期", severity="warning",
            message="“{title}”的 {year} 年度复核须在 {due_on} 前完成（剩余 {days} 天），"
                    "逾期未复核将撤销称号。",
            check=check_review_due, params=ReviewDueParams,
        ),
    ]
