"""The orgs slice's assessment indicator: 组织设置 (is the branch set up as the rules ask?).

A checklist, measured at the end of the cycle's period for every organisation at once:

* 书记在任 — someone holds the secretary post;
* 按规定设立支委会 — with ≥ 7 full members, at least 3 people hold committee posts (fewer
  full members need no committee, so the item is met);
* 按期换届 — the current term (its start plus the organisation's or its sector's term
  length, :mod:`core.orgs.terms`) has not ended; an unknown term start is not met;
* 党员规模适当 — a branch has ≤ 50 members, a general branch ≤ 100.

Member figures count the organisation and its 党小组 (:func:`org_and_groups`), active
members only, full members as :func:`core.orgs.structure.full_member_condition` counts them.
Three queries whatever the number of organisations, plus one settings lookup per distinct
(sector, kind) for term lengths.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import case, distinct, func, select, union_all

from core.assessment.indicators import Indicator, Measurement
from core.db import db
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs import terms
from core.orgs.models import BRANCH_LEVEL_KINDS, Organization, OrgPost
from core.orgs.posts import current_condition
from core.orgs.structure import full_member_condition

SECRETARY = "书记在任"
COMMITTEE = "按规定设立支委会"
TERM = "按期换届"
SIZE = "党员规模适当"
ITEMS = (SECRETARY, COMMITTEE, TERM, SIZE)


def org_and_groups(orgs):
    """Subquery ``(holder_id, org_id)``: each organisation of ``orgs`` (a SELECT of ids) as
    the holder of its own records, and each of its 党小组 as a holder of records that count
    for it. Join records on ``holder_id`` and group by ``org_id``: one set-based pass."""
    own = select(Organization.id.label("holder_id"), Organization.id.label("org_id")).where(
        Organization.id.in_(orgs)
    )
    groups = select(Organization.id, Organization.parent_id).where(
        Organization.parent_id.in_(orgs), Organization.kind == "group"
    )
    return union_all(own, groups).subquery("holders")


def _count(default: int, description: str):
    return fields.Int(load_default=default, validate=validate.Range(min=0, max=100000),
                      metadata={"description": description})


class SetupParams(Schema):
    weights = fields.Dict(
        keys=fields.Str(), values=fields.Float(validate=validate.Range(min=0, max=100)),
        load_default=dict,
        metadata={"description": f"各项权重（默认均为 1），项：{'、'.join(ITEMS)}"},
    )
    committee_from_full_members = _count(7, "正式党员达到此数须设支委会")
    committee_min = _count(3, "支委会最少委员人数")
    branch_max_members = _count(50, "党支部党员人数上限")
    general_branch_max_members = _count(100, "党总支党员人数上限")

    @validates("weights")
    def _known_items(self, value, **_):
        unknown = [k for k in value if k not in ITEMS]
        if unknown:
            raise ValidationError(f"Unknown items {unknown}; items are {', '.join(ITEMS)}.")


def measure_setup(ctx) -> dict:
    p = ctx.params
    orgs = db.session.execute(
        select(Organization.id, Organization.kind, Organization.sector,
               Organization.term_started_on, Organization.term_years)
        .where(Organization.id.in_(ctx.orgs))
    ).all()
    holders = org_and_groups(ctx.orgs)
    members = {
        org_id: (int(total or 0), int(full or 0))
        for org_id, total, full in db.session.execute(
            select(holders.c.org_id, func.count(Member.id),
                   func.sum(case((full_member_condition(ctx.end), 1), else_=0)))
            .select_from(holders)
            .join(Member, Member.org_id == holders.c.holder_id)
            .where(Member.status.in_(ACTIVE_STATUSES))
            .group_by(holders.c.org_id)
        )
    }
    posts = {
        org_id: (int(size or 0), bool(secretary))
        for org_id, size, secretary in db.session.execute(
            select(OrgPost.org_id,
                   func.count(distinct(OrgPost.member_id)) + func.count(distinct(OrgPost.person_name)),
                   func.max(case((OrgPost.post == "secretary", 1), else_=0)))
            .where(OrgPost.org_id.in_(ctx.orgs), *current_condition(ctx.end))
            .group_by(OrgPost.org_id)
        )
    }
    years_of: dict[tuple, int | None] = {}
    found = {}
    for org in orgs:
        total, full = members.get(org.id, (0, 0))
        committee_size, secretary = posts.get(org.id, (0, False))
        years = org.term_years
        if years is None:
            pair = (org.sector, org.kind)
            if pair not in years_of:
                years_of[pair] = terms.sector_term_years(org.sector, org.kind)
            years = years_of[pair]
        ends = (terms.add_years(org.term_started_on, years)
                if org.term_started_on is not None and years is not None else None)
        if org.kind in ("branch", "joint_branch"):
            size_ok = total <= p["branch_max_members"]
        elif org.kind == "general_branch":
            size_ok = total <= p["general_branch_max_members"]
        else:
            size_ok = True
        items = {
            SECRETARY: secretary,
            COMMITTEE: full < p["committee_from_full_members"] or committee_size >= p["committee_min"],
            TERM: ends is not None and ends >= ctx.end,
            SIZE: size_ok,
        }
        found[org.id] = Measurement(
            value=sum(1 for ok in items.values() if ok),
            items=items,
            evidence={"members": total, "full_members": full, "committee_size": committee_size,
                      "secretary": secretary,
                      "term_ends": ends.isoformat() if ends is not None else "未录入任期"},
        )
    return found


def indicators() -> list[Indicator]:
    return [
        Indicator(
            key="orgs.setup",
            name="组织设置规范",
            scoring="checklist",
            max_points=15,
            measure=measure_setup,
            params=SetupParams,
            kinds=BRANCH_LEVEL_KINDS,
            unit="项",
            reads="党组织、委员任职和党员名册",
            description="书记在任、按规定设立支委会、按期换届、党员规模适当（周期末状况）",
            explain="党员 {members} 人（正式党员 {full_members} 人），在任委员 {committee_size} 人，"
                    "本届任期届满：{term_ends}",
        )
    ]
