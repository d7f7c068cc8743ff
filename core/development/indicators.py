"""The development slice's assessment indicators (发展党员).

* ``development.recruited`` — people admitted as probationary members (step 17, 上级党委审批)
  by the organisation in the ``years`` (3) years up to the end of the period; threshold ≥ 1.
  A branch that recruits nobody for years loses its points (the sector plugins may add
  their own stricter rule, e.g. villages).
* ``development.breaches`` — steps recorded in the period despite a rule of the 细则 (an
  org_manager's override, :mod:`core.development.rules`); each costs ``per_unit`` (2) points.

One aggregate query each, outer-joined from the organisations of the cycle.
"""

from __future__ import annotations

from datetime import date, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, case, distinct, func, select

from core.assessment.indicators import Indicator, Measurement
from core.dates import add_months
from core.db import db
from core.development import steps as S
from core.development.models import DevelopmentPerson, DevelopmentStep
from core.orgs.models import Organization


class RecruitedParams(Schema):
    target = fields.Int(load_default=1, validate=validate.Range(min=0, max=1000),
                        metadata={"description": "近若干年至少发展党员人数"})
    years = fields.Int(load_default=3, validate=validate.Range(min=1, max=10),
                       metadata={"description": "统计的年数（截至周期末）"})


class BreachParams(Schema):
    per_unit = fields.Float(load_default=2, validate=validate.Range(min=0, max=100),
                            metadata={"description": "每个违规步骤扣分"})


def admissions(orgs, since: date | None, until: date) -> dict:
    """``{org_id: (people admitted, last admission day or None)}`` for every organisation of
    ``orgs`` (a SELECT of ids): people admitted as probationary members (step 17, 上级党委审批)
    from ``since`` (None: ever) to ``until``, both included. One query."""
    window = [DevelopmentStep.done_on <= until]
    if since is not None:
        window.append(DevelopmentStep.done_on >= since)
    stmt = (
        select(Organization.id, func.count(distinct(DevelopmentStep.person_id)),
               func.max(DevelopmentStep.done_on))
        .outerjoin(DevelopmentPerson, DevelopmentPerson.org_id == Organization.id)
        .outerjoin(DevelopmentStep, and_(
            DevelopmentStep.person_id == DevelopmentPerson.id,
            DevelopmentStep.code == S.APPROVAL, *window,
        ))
        .where(Organization.id.in_(orgs))
        .group_by(Organization.id)
    )
    return {org_id: (int(n), last) for org_id, n, last in db.session.execute(stmt)}


def measure_recruited(ctx) -> dict:
    years = ctx.params["years"]
    since = add_months(ctx.end, -12 * years) + timedelta(days=1)
    return {
        org_id: Measurement(n, evidence={"people": n, "years": years, "since": since.isoformat()})
        for org_id, (n, _last) in admissions(ctx.orgs, since, ctx.end).items()
    }


def measure_breaches(ctx) -> dict:
    stmt = (
        select(Organization.id, func.count(DevelopmentStep.id),
               func.sum(case((DevelopmentStep.flagged_for_review.is_(True), 1), else_=0)))
        .outerjoin(DevelopmentPerson, DevelopmentPerson.org_id == Organization.id)
        .outerjoin(DevelopmentStep, and_(
            DevelopmentStep.person_id == DevelopmentPerson.id,
            DevelopmentStep.override.is_(True),
            DevelopmentStep.done_on >= ctx.start, DevelopmentStep.done_on <= ctx.end,
        ))
        .where(Organization.id.in_(ctx.orgs))
        .group_by(Organization.id)
    )
    return {
        org_id: Measurement(int(n), evidence={"steps": int(n), "unreviewed": int(open_ or 0)})
        for org_id, n, open_ in db.session.execute(stmt)
    }


def indicators() -> list[Indicator]:
    return [
        Indicator(
            key="development.recruited",
            name="近年发展党员",
            scoring="threshold",
            max_points=5,
            measure=measure_recruited,
            params=RecruitedParams,
            unit="名",
            reads="发展党员记录（上级党委审批）",
            description="截至周期末的若干年内（默认 3 年）发展党员人数达到要求即得分",
            explain="近 {years} 年（{since} 起）发展党员 {value} 名",
        ),
        Indicator(
            key="development.breaches",
            name="发展党员程序违规",
            scoring="deduction",
            max_points=5,
            measure=measure_breaches,
            params=BreachParams,
            unit="个",
            reads="发展党员步骤记录（违反细则经强制通过的）",
            description="周期内违反发展党员工作细则、经强制通过的程序步骤，每个扣分",
            explain="周期内违反细则、经强制通过的发展程序步骤 {value} 个（其中待审核 {unreviewed} 个）",
        ),
    ]
