"""The development slice's national warning rules, one finding per person (``subject="person"``).

Each check is **one** query over the tenant's pipeline; cut-off days are computed in Python
(the same SQL on SQLite and PostgreSQL), and only the probation rule finishes in Python, over
the rows already narrowed by the plain probation length (an extension only lengthens it).

* 谈话超期: an applicant whose application (step 1) is older than a month, with no talk (step 2).
* 积极分子考察超期: an activist with no review (step 6) — or designation (step 3) — for 6 months.
* 预审后未按期召开支部大会: pre-review (13) over a month ago, no branch meeting (15).
* 支部大会后未按期审批: branch meeting (15) over 3 months ago, no approval (17).
* 预备期满未转正: probationary, probation (1 year from step 15 plus any recorded extension) over
  and no conversion approval (24). The members slice's ``members.probation_overdue`` sees only
  the register (no extensions); this one knows them.
* 转正申请后未按期讨论 / 讨论转正后未按期审批: 1 and 3 months after steps 22 / 23.
* 发展程序违规待审核: steps recorded out of order or despite a rule (overridden), not yet
  reviewed; cleared by the review (``POST /api/v1/development/violations/<id>/review``).

"3 years without recruiting" is the rural plugin's rule.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from core.db import db
from core.development import steps as S
from core.development.models import DevelopmentPerson, DevelopmentStep
from core.development.rules import add_months
from core.warnings.rules import Finding, RuleContext, WarningRule

P = DevelopmentPerson


def _months(default: int, description: str):
    return fields.Int(load_default=default, validate=validate.Range(min=1, max=120),
                      metadata={"description": description})


def _params(name: str, default: int, description: str) -> type[Schema]:
    return Schema.from_dict({"months": _months(default, description)}, name=name)


TalkParams = _params("TalkParams", 1, "months after the application by which the talk is due")
ReviewParams = _params("ReviewParams", 6, "months between activist reviews")
BranchMeetingParams = _params("BranchMeetingParams", 1, "months after pre-review")
ApprovalParams = _params("ApprovalParams", 3, "months after the branch meeting")
ConversionVoteParams = _params("ConversionVoteParams", 1, "months after the conversion application")
ConversionApprovalParams = _params("ConversionApprovalParams", 3, "months after the conversion meeting")


class ProbationParams(Schema):
    probation_months = _months(12, "probation length in months (预备期一年)")


def _step(code: int):
    alias = aliased(DevelopmentStep)
    return alias, and_(alias.tenant_id == P.tenant_id, alias.person_id == P.id, alias.code == code)


def _lacks(code: int):
    later = aliased(DevelopmentStep)
    return ~exists().where(later.tenant_id == P.tenant_id, later.person_id == P.id, later.code == code)


def _pending(ctx: RuleContext, done: int, missing: int) -> list[Finding]:
    """Active people with step ``done`` older than ``months`` and no step ``missing``."""
    months = ctx.params["months"]
    cutoff = add_months(ctx.today, -months)
    step, on = _step(done)
    rows = db.session.execute(
        select(P.id, P.org_id, P.name, func.min(step.done_on).label("since"))
        .join(step, on)
        .where(P.status == "active", _lacks(missing))
        .group_by(P.id, P.org_id, P.name)
        .having(func.min(step.done_on) < cutoff)
    )
    findings = []
    for r in rows:
        due = add_months(r.since, months)
        findings.append(Finding(r.org_id, r.id, {
            "name": r.name, "since": r.since.isoformat(), "due_on": due.isoformat(),
            "days_overdue": (ctx.today - due).days, "months": months,
        }))
    return findings


def talk_overdue(ctx):
    return _pending(ctx, S.APPLICATION, S.TALK)


def branch_meeting_overdue(ctx):
    return _pending(ctx, S.PRE_REVIEW, S.BRANCH_MEETING)


def approval_overdue(ctx):
    return _pending(ctx, S.BRANCH_MEETING, S.APPROVAL)


def conversion_vote_overdue(ctx):
    return _pending(ctx, S.CONVERSION_APPLICATION, S.CONVERSION_MEETING)


def conversion_approval_overdue(ctx):
    return _pending(ctx, S.CONVERSION_MEETING, S.CONVERSION_APPROVAL)


def activist_review_overdue(ctx: RuleContext) -> list[Finding]:
    months = ctx.params["months"]
    cutoff = add_months(ctx.today, -months)
    step = aliased(DevelopmentStep)
    last = func.max(step.done_on)
    rows = db.session.execute(
        select(P.id, P.org_id, P.name, last.label("last"))
        .join(step, and_(step.tenant_id == P.tenant_id, step.person_id == P.id,
                         step.code.in_((S.ACTIVIST, S.ACTIVIST_REVIEW))))
        .where(P.status == "active", P.stage == "activist")
        .group_by(P.id, P.org_id, P.name)
        .having(last < cutoff)
    )
    return [
        Finding(r.org_id, r.id, {"name": r.name, "last": r.last.isoformat(),
                                 "days": (ctx.today - r.last).days, "months": months})
        for r in rows
    ]


def probation_overdue(ctx: RuleContext) -> list[Finding]:
    months = ctx.params["probation_months"]
    step, on = _step(S.BRANCH_MEETING)
    rows = db.session.execute(
        select(P.id, P.org_id, P.name, P.extension_months, step.done_on.label("joined_on"))
        .join(step, on)
        .where(P.status == "active", P.stage == "probationary",
               step.done_on < add_months(ctx.today, -months), _lacks(S.CONVERSION_APPROVAL))
    )
    findings = []
    for r in rows:
        due = add_months(r.joined_on, months + (r.extension_months or 0))
        if due < ctx.today:
            findings.append(Finding(r.org_id, r.id, {
                "name": r.name, "joined_on": r.joined_on.isoformat(), "due_on": due.isoformat(),
                "days_overdue": (ctx.today - due).days,
                "extension_months": r.extension_months or 0,
            }))
    return findings


def flagged_steps(ctx: RuleContext) -> list[Finding]:
    step = aliased(DevelopmentStep)
    rows = db.session.execute(
        select(P.id, P.org_id, P.name, func.count(step.id).label("count"),
               func.min(step.code).label("first_code"))
        .join(step, and_(step.tenant_id == P.tenant_id, step.person_id == P.id))
        .where(step.flagged_for_review.is_(True))
        .group_by(P.id, P.org_id, P.name)
    )
    return [
        Finding(r.org_id, r.id, {"name": r.name, "count": r.count, "first_code": r.first_code,
                                 "first_name": S.step(r.first_code).name})
        for r in rows
    ]


RULES = [
    WarningRule(
        key="development.talk_overdue", name="入党申请人谈话超期", severity="warning",
        message="入党申请人 {name} 于 {since} 递交入党申请书，应在 {due_on} 前派人谈话，已超期 {days_overdue} 天",
        check=talk_overdue, params=TalkParams, subject="person",
    ),
    WarningRule(
        key="development.activist_review_overdue", name="入党积极分子考察超期", severity="warning",
        message="入党积极分子 {name} 自 {last} 起已 {days} 天未进行培养教育考察（应每 {months} 个月一次）",
        check=activist_review_overdue, params=ReviewParams, subject="person",
    ),
    WarningRule(
        key="development.branch_meeting_overdue", name="预审后未按期召开支部大会", severity="warning",
        message="发展对象 {name} 于 {since} 通过上级党委预审，应在 {due_on} 前召开支部大会讨论，已超期 {days_overdue} 天",
        check=branch_meeting_overdue, params=BranchMeetingParams, subject="person",
    ),
    WarningRule(
        key="development.approval_overdue", name="支部大会后未按期审批", severity="warning",
        message="{name} 于 {since} 经支部大会讨论通过，上级党委应在 {due_on} 前审批，已超期 {days_overdue} 天",
        check=approval_overdue, params=ApprovalParams, subject="person",
    ),
    WarningRule(
        key="development.probation_overdue", name="预备期满未转正", severity="warning",
        message="预备党员 {name} 于 {joined_on} 入党，预备期（含延长 {extension_months} 个月）已于 {due_on} 届满，超期 {days_overdue} 天未转正",
        check=probation_overdue, params=ProbationParams, subject="person",
    ),
    WarningRule(
        key="development.conversion_vote_overdue", name="转正申请后未按期讨论", severity="warning",
        message="预备党员 {name} 于 {since} 提出转正申请，应在 {due_on} 前召开支部大会讨论，已超期 {days_overdue} 天",
        check=conversion_vote_overdue, params=ConversionVoteParams, subject="person",
    ),
    WarningRule(
        key="development.conversion_approval_overdue", name="讨论转正后未按期审批", severity="warning",
        message="预备党员 {name} 于 {since} 经支部大会讨论转正，上级党委应在 {due_on} 前审批，已超期 {days_overdue} 天",
        check=conversion_approval_overdue, params=ConversionApprovalParams, subject="person",
    ),
    WarningRule(
        key="development.flagged_steps", name="发展程序违规待审核", severity="serious",
        message="{name} 有 {count} 个发展步骤违反规定或未按顺序办理（首个：第 {first_code} 步 {first_name}），待审核",
        check=flagged_steps, subject="person",
    ),
]
