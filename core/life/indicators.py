"""The life slice's assessment indicators: 三会一课 and the rest of organisational life.

National frequencies (支部工作条例) give the default targets for a **yearly** cycle; a
standard for a half-year or a quarter sets its own targets:

=====================  ===================  ===============  ==========
indicator              meetings             default target   scoring
=====================  ===================  ===============  ==========
支部党员大会             general_meeting      4 (quarterly)     proportional
支委会                  committee_meeting    12 (monthly)      proportional
党小组会                group_meeting        12 per 党小组      proportional
党课                    party_lecture        4 (quarterly)     proportional
主题党日                theme_day            12 (monthly)      proportional
组织生活会               life_meeting         1 (yearly)        threshold
民主评议党员             member_review        1 (yearly)        threshold
平均出席率               attendance           90 %             proportional
=====================  ===================  ===============  ==========

A branch without a committee (fewer than ``committee_min_size`` people in posts at the end
of the period) is not expected to hold 支委会, and a branch without 党小组 no 党小组会: the
item is not applicable and scores full points, and the explanation says so.

Every measure is one or two aggregate queries over all the organisations of the cycle
(outer joins from the organisations, so each one gets its figure, zeros included).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import aliased

from core.assessment.indicators import Indicator, Measurement
from core.db import db
from core.life.models import KIND_LABELS, KINDS, Meeting, counted_meetings
from core.orgs.indicators import org_and_groups
from core.orgs.models import BRANCH_LEVEL_KINDS, Organization, OrgPost
from core.orgs.posts import current_condition

ATTENDANCE_KINDS = ("general_meeting", "party_lecture", "theme_day", "life_meeting", "member_review")
COMMITTEE_MIN_SIZE = 3
GROUP = aliased(Organization, name="grp")  # an organisation's 党小组


def _target(default: int):
    return fields.Int(load_default=default, validate=validate.Range(min=0, max=1000),
                      metadata={"description": "周期内应召开的次数"})


def _in_period(ctx):
    return and_(Meeting.held_on >= ctx.start, Meeting.held_on <= ctx.end)


def _counts(ctx, kind: str) -> dict:
    """Meetings of ``kind`` held in the period by each organisation (zeros included); a
    joint meeting counts for each organisation it is credited to (:func:`counted_meetings`)."""
    held = counted_meetings()
    stmt = (
        select(Organization.id, func.count(held.id))
        .outerjoin(held, and_(held.org_id == Organization.id, held.kind == kind,
                              held.held_on >= ctx.start, held.held_on <= ctx.end))
        .where(Organization.id.in_(ctx.orgs))
        .group_by(Organization.id)
    )
    return {org_id: int(n) for org_id, n in db.session.execute(stmt)}


def _count_measure(kind: str):
    def measure(ctx) -> dict:
        return {org_id: Measurement(n, evidence={"meetings": n})
                for org_id, n in _counts(ctx, kind).items()}

    measure.__name__ = f"measure_{kind}"
    return measure


def measure_committee_meetings(ctx) -> dict:
    """支委会 held; organisations without a committee at the end of the period are not
    applicable (full points)."""
    minimum = ctx.params["committee_min_size"]
    sizes = dict(db.session.execute(
        select(OrgPost.org_id,
               func.count(distinct(OrgPost.member_id)) + func.count(distinct(OrgPost.person_name)))
        .where(OrgPost.org_id.in_(ctx.orgs), *current_condition(ctx.end))
        .group_by(OrgPost.org_id)
    ).all())
    found = {}
    for org_id, n in _counts(ctx, "committee_meeting").items():
        size = int(sizes.get(org_id) or 0)
        if size >= minimum:
            summary = f"周期内召开支委会 {n} 次"
            found[org_id] = Measurement(n, evidence={"meetings": n, "committee_size": size,
                                                     "summary": summary})
        else:
            summary = f"未设支委会（在任委员 {size} 人，不足 {minimum} 人），此项不适用，按满分计"
            found[org_id] = Measurement(ctx.params["target"], evidence={
                "meetings": n, "committee_size": size, "not_applicable": True, "summary": summary})
    return found


def measure_group_meetings(ctx) -> dict:
    """党小组会 held by each organisation's 党小组, averaged per active 党小组."""
    holders = org_and_groups(ctx.orgs)
    meetings = dict(db.session.execute(
        select(holders.c.org_id, func.count(Meeting.id))
        .select_from(holders)
        .join(Meeting, and_(Meeting.org_id == holders.c.holder_id,
                            Meeting.kind == "group_meeting", _in_period(ctx)))
        .group_by(holders.c.org_id)
    ).all())
    rows = db.session.execute(
        select(Organization.id, func.count(GROUP.id))
        .outerjoin(GROUP, and_(GROUP.parent_id == Organization.id, GROUP.kind == "group",
                               GROUP.status == "active"))
        .where(Organization.id.in_(ctx.orgs))
        .group_by(Organization.id)
    )
    found = {}
    for org_id, groups in rows:
        groups, n = int(groups), int(meetings.get(org_id) or 0)
        if groups:
            average = (Decimal(n) / groups).quantize(Decimal("0.01"), ROUND_HALF_UP)
            summary = f"党小组 {groups} 个，周期内共召开党小组会 {n} 次，平均每个党小组 {average:f} 次"
            found[org_id] = Measurement(average, evidence={"groups": groups, "meetings": n,
                                                           "summary": summary})
        else:
            found[org_id] = Measurement(ctx.params["target"], evidence={
                "groups": 0, "meetings": n, "not_applicable": True,
                "summary": "未设党小组，此项不适用，按满分计"})
    return found


def measure_attendance(ctx) -> dict:
    """Present ÷ eligible over the period's meetings of the chosen kinds, in %."""
    stmt = (
        select(Organization.id, func.count(Meeting.id), func.sum(Meeting.eligible_count),
               func.sum(Meeting.present_count))
        .outerjoin(Meeting, and_(Meeting.org_id == Organization.id,
                                 Meeting.kind.in_(ctx.params["kinds"]),
                                 Meeting.eligible_count > 0, _in_period(ctx)))
        .where(Organization.id.in_(ctx.orgs))
        .group_by(Organization.id)
    )
    found = {}
    for org_id, meetings, eligible, present in db.session.execute(stmt):
        eligible, present = int(eligible or 0), int(present or 0)
        rate = None
        if eligible:
            rate = (Decimal(present) * 100 / eligible).quantize(Decimal("0.1"), ROUND_HALF_UP)
        found[org_id] = Measurement(rate, evidence={
            "meetings": int(meetings), "eligible": eligible, "present": present})
    return found


class CommitteeParams(Schema):
    target = _target(12)
    committee_min_size = fields.Int(
        load_default=COMMITTEE_MIN_SIZE, validate=validate.Range(min=1, max=15),
        metadata={"description": "在任委员少于此数视为未设支委会（此项不适用）"})


class AttendanceParams(Schema):
    target = fields.Float(load_default=90, validate=validate.Range(min=0, max=100),
                          metadata={"description": "目标出席率（%）"})
    kinds = fields.List(
        fields.Str(validate=validate.OneOf([k for k in KINDS if k != "talk"])),
        load_default=lambda: list(ATTENDANCE_KINDS), validate=validate.Length(min=1),
        metadata={"description": "计入出席率的会议类型"})


def _params(name: str, default: int) -> type[Schema]:
    return Schema.from_dict({"target": _target(default)}, name=name)


GeneralMeetingParams = _params("GeneralMeetingParams", 4)
GroupMeetingParams = _params("GroupMeetingParams", 12)
PartyLectureParams = _params("PartyLectureParams", 4)
ThemeDayParams = _params("ThemeDayParams", 12)
LifeMeetingParams = _params("LifeMeetingParams", 1)
MemberReviewParams = _params("MemberReviewParams", 1)

_READS = "三会一课及组织生活记录"
VERBS = {"general_meeting": "召开", "party_lecture": "开展", "theme_day": "开展",
         "life_meeting": "召开", "member_review": "开展"}


def _count_indicator(key: str, kind: str, scoring: str, points: int, params, description: str):
    return Indicator(
        key=key, name=KIND_LABELS[kind], scoring=scoring, max_points=points,
        measure=_count_measure(kind), params=params, kinds=BRANCH_LEVEL_KINDS, unit="次",
        reads=_READS, description=description,
        explain=f"周期内{VERBS[kind]}{KIND_LABELS[kind]} {{value}} 次",
    )


def indicators() -> list[Indicator]:
    return [
        _count_indicator("life.general_meetings", "general_meeting", "proportional", 8,
                         GeneralMeetingParams, "支部党员大会一般每季度召开一次，按完成比例得分"),
        Indicator(
            key="life.committee_meetings", name="支委会", scoring="proportional", max_points=8,
            measure=measure_committee_meetings, params=CommitteeParams, kinds=BRANCH_LEVEL_KINDS,
            unit="次", reads=_READS,
            description="支部委员会一般每月召开一次，按完成比例得分；未设支委会的支部不适用",
            explain="{summary}",
        ),
        Indicator(
            key="life.group_meetings", name="党小组会", scoring="proportional", max_points=5,
            measure=measure_group_meetings, params=GroupMeetingParams, kinds=BRANCH_LEVEL_KINDS,
            unit="次", reads=_READS,
            description="党小组会一般每月召开一次，按各党小组平均次数的完成比例得分；未设党小组的不适用",
            explain="{summary}",
        ),
        _count_indicator("life.party_lectures", "party_lecture", "proportional", 8,
                         PartyLectureParams, "党课一般每季度至少一次，按完成比例得分"),
        _count_indicator("life.theme_days", "theme_day", "proportional", 8, ThemeDayParams,
                         "主题党日一般每月开展一次，按完成比例得分"),
        _count_indicator("life.life_meeting", "life_meeting", "threshold", 6, LifeMeetingParams,
                         "每年至少召开一次组织生活会，召开即得分"),
        _count_indicator("life.member_review", "member_review", "threshold", 6, MemberReviewParams,
                         "每年开展一次民主评议党员，开展即得分"),
        Indicator(
            key="life.attendance_rate", name="组织生活平均出席率", scoring="proportional",
            max_points=6, measure=measure_attendance, params=AttendanceParams,
            kinds=BRANCH_LEVEL_KINDS, unit="%", reads="会议考勤记录",
            description="支部党员大会、党课、主题党日等会议的实到人次占应到人次的比例",
            explain="周期内有考勤的会议 {meetings} 次，应到 {eligible} 人次，实到 {present} 人次，"
                    "平均出席率 {value}%",
        ),
    ]
