"""The demo city's year of work: meetings with attendance, dues and their 会计/出纳, member
points, the warnings these raise, the standards, an evaluated and published star-rating cycle,
and a problem to rectify — so every part of the
assessment can be seen (and tried) right after ``dangjian demo``.

Branches differ on purpose (some meet every month, some skip), so the star rating has
something to tell apart. Everything goes through the slices' services, as a user's actions
would, and is added only once: a second ``dangjian demo`` finds it and adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.assessment import cycles, registry, standards
from core.assessment.evaluate import run as run_cycle
from core.assessment.models.cycles import Cycle
from core.db import db
from core.dues import finance
from core.dues import service as dues
from core.dues.models import DuesPayment, FinanceRole
from core.life import service as life
from core.life.models import Meeting
from core.members.models import Member
from core.orgs import posts
from core.orgs.models import Organization, OrgPost
from core.points import ledger
from core.problems import service as problems
from core.problems.models import Problem
from core.warnings.engine import sweep

STANDARD_NAME = "党支部标准化规范化建设（示范市）"
TEMPLATE = "core.branch_standard"
ROOT_CODE = "SZ"
BRANCH_KINDS = ("branch", "joint_branch")

# How diligent each branch is (share of the expected meetings it holds), by code; others 0.8.
DILIGENCE = {"SZ-QS-TY-01": 1.0, "SZ-QS-TY-02": 0.45, "SZ-QS-XF-01-1": 0.9}
# A diligent branch that missed last month's 主题党日: its warning is open whatever the day of
# the month the demo is made, for the secretary to clear by recording one.
THEME_DAY_DUE = "SZ-QS-TY-01"
COMMITTEE_POSTS = ("secretary", "organisation_member", "propaganda_member")
MONTHLY = ("committee_meeting", "theme_day")
QUARTERLY = ("general_meeting", "party_lecture")
TOPICS = {
    "committee_meeting": "支委会：研究本月党建工作",
    "theme_day": "主题党日：学习党的二十届四中全会精神",
    "general_meeting": "支部党员大会：通报季度工作",
    "party_lecture": "党课：坚定理想信念 践行初心使命",
    "life_meeting": "年度组织生活会：对照检查、开展批评和自我批评",
    "member_review": "民主评议党员",
}


def _branches() -> list[Organization]:
    return list(db.session.scalars(
        select(Organization)
        .where(Organization.kind.in_(BRANCH_KINDS), Organization.status == "active")
        .order_by(Organization.code)
    ))


def _members_of(branch: Organization) -> list[Member]:
    return list(db.session.scalars(
        select(Member)
        .where(Member.org_id == branch.id, Member.status.in_(("full", "probationary")))
        .order_by(Member.joined_on, Member.name)
    ))


def ensure_committees(today: date) -> int:
    """A secretary for every branch, a committee where 7 or more full members require one,
    and the current term's start (once: a branch with posts is left alone)."""
    if db.session.scalar(select(func.count()).select_from(OrgPost)):
        return 0
    added = 0
    for branch in _branches():
        people = [m for m in _members_of(branch) if m.status == "full"]
        wanted = COMMITTEE_POSTS if len(people) >= 7 else COMMITTEE_POSTS[:1]
        started = date(today.year - 1, 3, 1)
        for post, member in zip(wanted, people, strict=False):
            posts.start(branch, post=post, started_on=started, member_id=member.id)
            added += 1
        if branch.term_started_on is None:
            branch.term_started_on = started  # the term's length is the sector's
    db.session.flush()
    return added


def ensure_finance_roles(today: date) -> int:
    """An accountant and a cashier (会计、出纳: two different, qualified members) for every
    branch with enough full members, except the less diligent ones (once)."""
    if db.session.scalar(select(func.count()).select_from(FinanceRole)):
        return 0
    added = 0
    for branch in _branches():
        people = [m for m in _members_of(branch) if m.status == "full"]
        if len(people) < 3 or DILIGENCE.get(branch.code, 0.8) < 0.5:
            continue
        since = date(today.year - 1, 3, 1)
        for role, member in zip(("accountant", "cashier"), people[1:3], strict=True):
            finance.assign(branch, role=role, since=since, member_id=member.id, qualified=True,
                           qualification_note="经上级党委组织部党费管理培训")
            added += 1
    db.session.flush()
    return added


def ensure_dues(today: date) -> int:
    """Every member's pay base and this year's dues, month by month, paid on time — except in
    branches that slip (the less diligent a branch, the more months it misses)."""
    if db.session.scalar(select(func.count()).select_from(DuesPayment)):
        return 0
    paid = 0
    for branch in _branches():
        rng = random.Random(f"dues:{branch.code}")
        diligence = DILIGENCE.get(branch.code, 0.8)
        for member in _members_of(branch):
            first = max(date(today.year, 1, 1), member.joined_on.replace(day=1))
            dues.set_base(member, effective_from=first, base=Decimal(rng.choice((2800, 4200, 6500))))
            for month in range(first.month, today.month):
                if first.year == today.year and rng.random() <= min(1.0, diligence + 0.15):
                    paid_on = date(today.year, month, 15)
                    dues.record_payments(member, month=date(today.year, month, 1),
                                         channel="wechat", paid_on=paid_on, today=paid_on)
                    paid += 1
    db.session.flush()
    return paid


def _record(branch: Organization, kind: str, held_on: date, rng: random.Random) -> bool:
    # Who is expected depends on the kind (a 支委会 is for the committee).
    expected = sorted(life.eligible_members(branch, kind, held_on))
    if not expected:
        return False
    present = [m for m in expected if rng.random() < 0.85] or expected[:1]
    data = {
        "kind": kind, "held_on": held_on, "topic": TOPICS[kind], "location": "党员活动室",
        "present_member_ids": present,
        "absences": [{"member_id": m, "reason": "外出务工"} for m in expected if m not in present],
    }
    if kind == "member_review":
        data["grades"] = [{"member_id": m, "grade": "excellent" if n % 4 == 0 else "qualified"}
                          for n, m in enumerate(present)]
    life.record_meeting(branch, data)
    return True


def ensure_meetings(today: date) -> int:
    """This year's 三会一课 for every branch, up to last month (once)."""
    if db.session.scalar(select(func.count()).select_from(Meeting)):
        return 0
    added = 0
    for branch in _branches():
        rng = random.Random(branch.code)
        diligence = DILIGENCE.get(branch.code, 0.8)
        for month in range(1, today.month):
            kinds = list(MONTHLY) + (list(QUARTERLY) if month % 3 == 0 else [])
            for kind in kinds:
                if rng.random() <= diligence:
                    held_on = date(today.year, month, rng.randint(5, 25))
                    if branch.code == THEME_DAY_DUE and kind == "theme_day" and month == today.month - 1:
                        continue
                    added += _record(branch, kind, held_on, rng)
        if diligence >= 0.8 and today.month > 2:  # the yearly ones, early in the year
            added += _record(branch, "life_meeting", date(today.year, 2, 20), rng)
            added += _record(branch, "member_review", date(today.year, 2, 21), rng)
    db.session.flush()
    return added


def ensure_standard():
    """The demo city's own copies of the default standards (once each): core's, and every
    enabled sector plugin's (so each sector's organisations are rated by their own)."""
    have = {standard.name for standard in standards.list_standards()}
    if STANDARD_NAME not in have:
        standards.copy_template(TEMPLATE, name=STANDARD_NAME)
    for key, template in registry.tenant_templates().items():
        if key != TEMPLATE and template.name not in have:
            standards.copy_template(key, name=template.name)


def ensure_cycle(today: date):
    """This year's star rating, evaluated and published (once)."""
    name = f"{today.year} 年度党支部评星定级"
    existing = db.session.scalar(select(Cycle).where(Cycle.name == name))
    if existing is not None:
        return existing
    root = db.session.scalar(select(Organization).where(Organization.code == ROOT_CODE))
    cycle = cycles.open_cycle(name=name, period="year", year=today.year, root_org=root)
    run_cycle(cycle)
    cycles.publish(cycle)
    return cycle


def ensure_problem(today: date) -> bool:
    """A rectification problem for the branch that met least often (once)."""
    if db.session.scalar(select(func.count()).select_from(Problem)):
        return False
    branch = db.session.scalar(select(Organization).where(Organization.code == "SZ-QS-TY-02"))
    if branch is None:
        return False
    problems.create_problem(branch, {
        "source": "assessment", "category": "组织生活", "severity": "general",
        "title": "三会一课落实不经常", "found_on": today,
        "description": "年度评星定级发现：支委会、主题党日多月未召开，党员大会不足每季度一次。",
        "deadline": today + timedelta(days=30), "responsible_name": "李家村党支部书记",
    })
    return True


def ensure_year_of_work(today: date) -> int:
    """The committees, finance roles, dues and this year's meetings, in that order (a
    meeting's attendance and the 支委会 follow the committees): what the assessment and the
    plugins' demo data build on. Returns the meetings added."""
    ensure_committees(today)
    ensure_finance_roles(today)
    ensure_dues(today)
    return ensure_meetings(today)


def ensure_assessment(today: date | None = None) -> dict:
    """Everything above, in order; returns what was added."""
    today = today or date.today()
    meetings = ensure_year_of_work(today)
    collected = ledger.collect(date(today.year, 1, 1), today)["added"]
    warnings = sweep(today).totals()["opened"]  # so the demo opens with its warnings raised
    ensure_standard()
    db.session.flush()
    ensure_cycle(today)
    problem = ensure_problem(today)
    db.session.flush()
    return {"meetings": meetings, "points": collected, "problem": problem, "warnings": warnings}
