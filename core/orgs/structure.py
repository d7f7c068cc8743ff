"""Structure checks (组织设置): does each branch have the size and committee the rules ask?

National defaults (DESIGN.md, 支部工作条例):

* a branch needs ≥ 3 full members; fewer → join others in a joint branch, or merge
  (``branch_too_small``; a joint branch with fewer is as short);
* ≥ 7 full members → a branch committee (支委会) of 3–5 (``committee_missing`` when fewer
  than 3 people hold current posts; ``committee_size`` when a committee has more than 5);
* a branch is generally ≤ 50 members: > 50 suggests a general branch
  (``suggest_general_branch``), > 100 a primary committee (``suggest_committee``, also for
  a general branch).

The checks read **one set-based query** over the whole tenant (or ``root``'s subtree) — the
organisations, their rolled-up member figures and the committee sizes as flat parts of one
UNION ALL, merged by key in Python (see :func:`figures` for why not joined), read once for
all five in a sweep — and return :class:`Finding` rows; the warnings slice turns them into warnings. Member figures
count the organisation's whole subtree (a branch's groups included), active members only.

Who counts as a *full member*: status ``full``, and also a ``mobile`` or ``lost_contact``
member whose ``full_on`` is on or before ``as_of`` — mobility and lost contact say where a
member is, not their 党籍, and the rule counts 正式党员. *Committee size* is the number of
distinct people (a register member or a named outsider) holding a current post; one person
with two posts counts once, so a secretary who is also the 组织委员 does not make a committee.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    Integer,
    String,
    Uuid,
    and_,
    case,
    distinct,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from core.db import db
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization, OrgPost
from core.orgs.service import subtree_filter
from core.orgs.tree import rollup

BRANCH_TOO_SMALL = "branch_too_small"
COMMITTEE_MISSING = "committee_missing"
COMMITTEE_SIZE = "committee_size"
SUGGEST_GENERAL_BRANCH = "suggest_general_branch"
SUGGEST_COMMITTEE = "suggest_committee"
RULES = (BRANCH_TOO_SMALL, COMMITTEE_MISSING, COMMITTEE_SIZE, SUGGEST_GENERAL_BRANCH,
         SUGGEST_COMMITTEE)

BRANCH_KINDS = ("branch", "joint_branch")


@dataclass(frozen=True)
class Thresholds:
    """The numbers of the rules (national defaults; a tenant may configure others)."""

    min_full_members: int = 3
    committee_from_full_members: int = 7
    committee_min: int = 3
    committee_max: int = 5
    general_branch_over: int = 50
    committee_over: int = 100


DEFAULT = Thresholds()


@dataclass(frozen=True)
class Finding:
    """One organisation breaking (or outgrowing) one rule, with the figures that show it."""

    org_id: uuid.UUID
    rule: str
    figures: dict = field(default_factory=dict, hash=False)


def full_member_condition(as_of: date):
    """SQL condition: the member counts as a full member (正式党员) on ``as_of``."""
    return or_(
        Member.status == "full",
        and_(
            Member.status.in_(("mobile", "lost_contact")),
            Member.full_on.is_not(None),
            Member.full_on <= as_of,
        ),
    )


def _member_figures(root: Organization | None, as_of: date):
    """Subquery ``(path, members, full_members)`` over each organisation's subtree."""
    direct = (
        select(
            Member.org_id.label("org_id"),
            func.count().label("members"),
            func.sum(case((full_member_condition(as_of), 1), else_=0)).label("full_members"),
        )
        .where(Member.status.in_(ACTIVE_STATUSES))
        .group_by(Member.org_id)
        .subquery("direct")
    )
    return rollup(direct, root)


def _committee(as_of: date):
    """Subquery ``(org_id, committee_size)``: distinct people holding a current post."""
    return (
        select(
            OrgPost.org_id.label("org_id"),
            (func.count(distinct(OrgPost.member_id)) + func.count(distinct(OrgPost.person_name)))
            .label("committee_size"),
        )
        .where(
            OrgPost.started_on <= as_of,
            or_(OrgPost.ended_on.is_(None), OrgPost.ended_on > as_of),
        )
        .group_by(OrgPost.org_id)
        .subquery("committee")
    )


@dataclass(frozen=True)
class Figures:
    """What every structure check reads, in one statement: the active organisations of
    the checked kinds ``(org_id, path, kind)`` in path order, the rolled-up member figures
    by path and the committee sizes by organisation. A sweep reads it once for all five
    rules (:meth:`core.warnings.rules.RuleContext.once`)."""

    orgs: list[tuple]
    members_of: dict
    committee_of: dict


CHECKED_KINDS = (*BRANCH_KINDS, "general_branch")


def figures(root: Organization | None = None, as_of: date | None = None) -> Figures:
    """One statement of three flat parts glued by UNION ALL — the organisations, the
    rolled-up member figures by path and the committee sizes by organisation — merged here
    by key, rather than the aggregates joined in SQL: joined, PostgreSQL without fresh
    statistics estimates one row per aggregate and picks a nested loop that re-aggregates
    the posts once per branch (18 s for 5,000 branches); glued, each part has a single plan
    and the merge is a dictionary lookup per branch."""
    as_of = as_of or date.today()
    conditions = [Organization.kind.in_(CHECKED_KINDS), Organization.status == "active"]
    if root is not None:
        conditions.append(subtree_filter(root.path))
    no_id, no_path, zero = null().cast(Uuid), null().cast(String), literal(0, Integer)
    rolled = _member_figures(root, as_of)
    committee = _committee(as_of)
    stmt = union_all(
        select(literal("o", String).label("part"), Organization.id.label("org_id"),
               Organization.path.label("path"), Organization.kind.label("kind"),
               zero.label("a"), zero.label("b"))
        .where(*conditions),
        select(literal("m", String), no_id, rolled.c.path, null().cast(String),
               rolled.c.members, rolled.c.full_members),
        select(literal("c", String), committee.c.org_id, no_path, null().cast(String),
               committee.c.committee_size, zero),
    )
    found = Figures([], {}, {})
    for part, org_id, path, kind, a, b in db.session.execute(stmt.order_by(stmt.selected_columns.path)):
        if part == "o":
            found.orgs.append((org_id, path, kind))
        elif part == "m":
            found.members_of[path] = (int(a or 0), int(b or 0))
        else:
            found.committee_of[org_id] = int(a or 0)
    return found


def _run(rule: str, kinds, root, as_of, condition_of, with_committee: bool,
         known: Figures | None = None) -> list[Finding]:
    """The organisations of ``kinds`` (in ``root``'s subtree) whose figures meet
    ``condition_of(figures)``, in path order (``known``: figures already read)."""
    known = known or figures(root, as_of)
    findings = []
    for org_id, path, kind in known.orgs:
        if kind not in kinds:
            continue
        members, full = known.members_of.get(path, (0, 0))
        columns = {"members": members, "full_members": full}
        if with_committee:
            columns["committee_size"] = known.committee_of.get(org_id, 0)
        if condition_of(columns):
            findings.append(Finding(org_id, rule, columns))
    return findings


def branches_too_small(root: Organization | None = None, as_of: date | None = None,
                       thresholds: Thresholds = DEFAULT, known: Figures | None = None) -> list[Finding]:
    """Branches and joint branches with fewer than 3 full members."""
    return _run(BRANCH_TOO_SMALL, BRANCH_KINDS, root, as_of,
                lambda c: c["full_members"] < thresholds.min_full_members, False, known)


def committees_missing(root: Organization | None = None, as_of: date | None = None,
                       thresholds: Thresholds = DEFAULT, known: Figures | None = None) -> list[Finding]:
    """Branches with ≥ 7 full members but fewer than 3 people holding current posts."""
    return _run(
        COMMITTEE_MISSING, BRANCH_KINDS, root, as_of,
        lambda c: (c["full_members"] >= thresholds.committee_from_full_members
                   and c["committee_size"] < thresholds.committee_min),
        True, known,
    )


def committee_sizes(root: Organization | None = None, as_of: date | None = None,
                    thresholds: Thresholds = DEFAULT, known: Figures | None = None) -> list[Finding]:
    """Branches whose committee (≥ 3 post holders) is larger than 5."""
    return _run(
        COMMITTEE_SIZE, BRANCH_KINDS, root, as_of,
        lambda c: (c["committee_size"] >= thresholds.committee_min
                   and c["committee_size"] > thresholds.committee_max),
        True, known,
    )


def general_branch_suggested(root: Organization | None = None, as_of: date | None = None,
                             thresholds: Thresholds = DEFAULT, known: Figures | None = None) -> list[Finding]:
    """Branches with more than 50 (and at most 100) members: a general branch fits."""
    return _run(
        SUGGEST_GENERAL_BRANCH, BRANCH_KINDS, root, as_of,
        lambda c: (c["members"] > thresholds.general_branch_over
                   and c["members"] <= thresholds.committee_over),
        False, known,
    )


def committee_suggested(root: Organization | None = None, as_of: date | None = None,
                        thresholds: Thresholds = DEFAULT, known: Figures | None = None) -> list[Finding]:
    """Branches and general branches with more than 100 members: a committee fits."""
    return _run(
        SUGGEST_COMMITTEE, (*BRANCH_KINDS, "general_branch"), root, as_of,
        lambda c: c["members"] > thresholds.committee_over,
        False, known,
    )


CHECKS = {
    BRANCH_TOO_SMALL: branches_too_small,
    COMMITTEE_MISSING: committees_missing,
    COMMITTEE_SIZE: committee_sizes,
    SUGGEST_GENERAL_BRANCH: general_branch_suggested,
    SUGGEST_COMMITTEE: committee_suggested,
}


def check_all(root: Organization | None = None, as_of: date | None = None,
              thresholds: Thresholds = DEFAULT) -> list[Finding]:
    """Every structure check (one query for all), findings grouped by rule."""
    known = figures(root, as_of)
    findings: list[Finding] = []
    for check in CHECKS.values():
        findings.extend(check(root, as_of, thresholds, known))
    return findings
