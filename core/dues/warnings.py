"""The dues slice's warning rules (预警), set-based over a whole tenant.

* ``dues.unpaid_3_months`` — a member has not paid for N (3) completed months in a row.
* ``dues.unpaid_6_months`` — N (6) months in a row: the situation 党章 treats as 自行脱党
  when it comes with no organisational life and no assigned work. It is a serious warning
  and a case for the branch to verify — never an automatic removal. Both rules are
  independent (each has its own threshold), so a member 6 months behind shows both.
* ``dues.finance_roles_conflict`` — the accountant and the cashier are the same person, or
  a holder is not qualified (warning).
* ``dues.finance_roles_missing`` — an active branch-level organisation has no accountant or
  no cashier (info: small branches often keep dues at the committee above; a tenant may
  disable the rule or change the kinds it checks).

The current month is never overdue while it lasts: runs end with the previous month.
"""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range
from sqlalchemy import select

from core.db import db
from core.dues import finance
from core.dues.service import members_behind
from core.orgs.models import BRANCH_LEVEL_KINDS, KINDS, Organization
from core.warnings.rules import Finding, RuleContext, WarningRule

ROLE_LABELS = {"accountant": "会计", "cashier": "出纳"}


class Unpaid3Params(Schema):
    months = fields.Int(load_default=3, validate=Range(min=1, max=60))


class Unpaid6Params(Schema):
    months = fields.Int(load_default=6, validate=Range(min=1, max=60))


class MissingParams(Schema):
    kinds = fields.List(fields.Str(validate=OneOf(KINDS)), load_default=lambda: list(BRANCH_LEVEL_KINDS),
                        validate=Length(min=1))


def _behind(ctx: RuleContext, threshold: int):
    """The members at least ``threshold`` months behind. Read once per sweep for both
    rules: the first asks with its threshold, a later one with a threshold as large or
    larger keeps those of the first's members far enough behind (a member's figures do not
    depend on the threshold asked)."""
    key = ("dues.members_behind", ctx.today)
    known = ctx.shared.get(key)
    if known is None or known[0] > threshold:
        known = (threshold, members_behind(threshold, Organization.status == "active", as_of=ctx.today))
        ctx.shared[key] = known
    return [row for row in known[1] if row.consecutive_unpaid >= threshold]


def _holders(ctx: RuleContext):
    """The finance roles held today with the holders' names, read once per sweep."""
    return ctx.once(("dues.finance_holders", ctx.today), lambda: finance.current_holders(as_of=ctx.today))


def _unpaid(ctx: RuleContext) -> list[Finding]:
    threshold = ctx.params["months"]
    found = []
    for row in _behind(ctx, threshold):
        if row.consecutive_unpaid >= threshold:
            found.append(Finding(
                org_id=row.org_id, subject_id=row.member_id,
                figures={"name": row.name, "months": row.consecutive_unpaid,
                         "last_paid": f"{row.last_paid_month:%Y-%m}" if row.last_paid_month else "无"},
            ))
    return found


def check_finance_conflict(ctx: RuleContext) -> list[Finding]:
    """Branches whose accountant and cashier are one person, or with an unqualified holder."""
    active = set(db.session.scalars(select(Organization.id).where(Organization.status == "active")))
    by_org: dict = {}
    for row, name in _holders(ctx):
        if row.org_id in active:
            by_org.setdefault(row.org_id, []).append((row, name))
    found = []
    for org_id, holders in by_org.items():
        problems = []
        accountants = {finance.identity(r.member_id, r.person_name): n
                       for r, n in holders if r.role == "accountant"}
        for r, n in holders:
            if r.role == "cashier" and finance.identity(r.member_id, r.person_name) in accountants:
                problems.append(f"会计与出纳由同一人（{n}）兼任")
        for r, n in sorted(holders, key=lambda h: h[0].role):
            if not r.qualified:
                problems.append(f"{ROLE_LABELS[r.role]}{n}不具备财务从业资格")
        if problems:
            found.append(Finding(org_id=org_id, figures={"problems": "；".join(problems)}))
    return found


def check_finance_missing(ctx: RuleContext) -> list[Finding]:
    """Active organisations of the checked kinds without a current accountant or cashier."""
    orgs = set(db.session.scalars(select(Organization.id).where(
        Organization.status == "active", Organization.kind.in_(ctx.params["kinds"]))))
    held: dict = {}
    for row, _name in _holders(ctx):
        held.setdefault(row.org_id, set()).add(row.role)
    found = []
    for org_id in orgs:
        missing = [ROLE_LABELS[r] for r in ("accountant", "cashier") if r not in held.get(org_id, set())]
        if missing:
            found.append(Finding(org_id=org_id, figures={"missing": "、".join(missing)}))
    return found


def rules() -> list[WarningRule]:
    return [
        WarningRule(
            key="dues.unpaid_3_months", name="连续3个月未交纳党费", severity="warning",
            message="{name}已连续{months}个月未交纳党费（最近一次交纳：{last_paid}），请督促按月交纳。",
            check=_unpaid, params=Unpaid3Params, subject="member",
        ),
        WarningRule(
            key="dues.unpaid_6_months", name="连续6个月未交纳党费", severity="serious",
            message="{name}已连续{months}个月未交纳党费（最近一次交纳：{last_paid}），"
                    "按自行脱党处理的情形需核实：请支部核实其组织生活和所分配工作情况，"
                    "经集体研究后按规定处理，系统不会自动除名。",
            check=_unpaid, params=Unpaid6Params, subject="member",
        ),
        WarningRule(
            key="dues.finance_roles_conflict", name="党费会计出纳配备不合规", severity="warning",
            message="{problems}。会计和出纳应由具备财务资格的不同人员担任。",
            check=check_finance_conflict,
        ),
        WarningRule(
            key="dues.finance_roles_missing", name="未配备党费会计或出纳", severity="info",
            message="未配备党费{missing}。",
            check=check_finance_missing, params=MissingParams,
        ),
    ]
