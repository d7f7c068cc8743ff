"""The soe sector's assessment indicators, each measured for every organisation of a cycle
with one to three aggregate queries, whatever their number.

Of the enterprise (its own Party organisation — ``enterprise_level`` set — usually the
committee; kinds committee, general branch, branch):

* ``soe.charter`` (checklist) — 党建入章: Party building written into the charter, the
  prior-review clause in it, the amendment date recorded (by the period's end). Read from the
  organisation's attributes as they are now (the charter keeps no history here).
* ``soe.prior_review`` (proportional, target 100 %) — of the matters decided in the period
  (三重一大, by the board, management or shareholders), the share the Party committee studied
  first, ``min_days`` (setting ``prior_review_min_days``) or more days before. No matter
  decided in the period: no data — an enterprise decides major matters every year, so an
  empty register is a gap in the register, not a clean record.
* ``soe.cross_appointment`` (checklist) — 双向进入、交叉任职 as of the period's end, from the
  appointment register: 书记、董事长一肩挑 (with a board, when expected), Party committee
  members on the board or in management, a full-time deputy secretary (from the headcount
  set). Items that do not apply are left out of the checklist.
* ``soe.performance_link`` (threshold) — the weight of the Party-building assessment in the
  performance assessment of the cycle's year (the year of its last day), ≥ the setting
  ``performance_link_min_weight_pct``; no record: no data.

Of the branch (kinds general branch, branch, joint branch):

* ``soe.vanguard_coverage`` (proportional, target 60 %) — working members (full and
  probationary, of the branch and its 党小组) holding a 先锋岗, 责任区 or 示范岗 at the
  period's end, in %; no working member: no data.
* ``soe.innovation_projects`` (threshold, ≥ 1) — 党员攻关项目, innovation results and
  合理化建议 achieved in the period.

Parameters sharing a meaning with a setting take it as their default (read when a standard
is made, and frozen in its version like any parameter).
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import and_, distinct, func, or_, select

from core.sdk import Indicator, Measurement, Member, Organization, db, org_and_groups
from plugins.soe.attributes import amended_on, enterprise_label, is_enterprise
from plugins.soe.checks import (
    APPOINTMENT_ITEMS,
    CHARTER_ITEMS,
    CHARTER_WRITTEN,
    appointment_items,
    charter_items,
    cross_count,
    review_problem,
)
from plugins.soe.models import (
    CrossAppointment,
    Decision,
    Innovation,
    InnovationMember,
    PerformanceLink,
    VanguardPost,
)
from plugins.soe.service import WORKING_STATUSES
from plugins.soe.settings import PLUGIN, setting

ENTERPRISE_KINDS = ("committee", "general_branch", "branch")
BRANCH_KINDS = ("general_branch", "branch", "joint_branch")
SECTORS = (PLUGIN,)
TITLES_SHOWN = 5
NOT_ENTERPRISE = "未登记企业层级（非企业党组织或企业信息未填写）"


def _known(items):
    def check(value):
        unknown = [k for k in value if k not in items]
        if unknown:
            raise ValidationError(f"Unknown items {unknown}; items are {', '.join(items)}.")

    return check


class CharterParams(Schema):
    weights = fields.Dict(
        keys=fields.Str(), values=fields.Float(validate=validate.Range(min=0, max=100)),
        load_default=lambda: {CHARTER_WRITTEN: 2.0},
        metadata={"description": f"各项权重（未列出的为 1），项：{'、'.join(CHARTER_ITEMS)}"})

    @validates("weights")
    def _items(self, value, **_):
        _known(CHARTER_ITEMS)(value)


class PriorReviewParams(Schema):
    target = fields.Float(load_default=100, validate=validate.Range(min=1, max=100),
                          metadata={"description": "前置研究比例目标（%）"})
    min_days = fields.Int(load_default=lambda: setting("prior_review_min_days"),
                          validate=validate.Range(min=0, max=90),
                          metadata={"description": "党委研究至少早于决策的天数（0：不晚于决策当日）"})


class CrossParams(Schema):
    weights = fields.Dict(
        keys=fields.Str(), values=fields.Float(validate=validate.Range(min=0, max=100)),
        load_default=dict,
        metadata={"description": f"各项权重（默认均为 1），项：{'、'.join(APPOINTMENT_ITEMS)}"})
    secretary_chairman = fields.Bool(
        load_default=lambda: setting("secretary_chairman_same_person"),
        metadata={"description": "设董事会的企业要求党委书记、董事长一人担任"})
    full_time_deputy_from_employees = fields.Int(
        load_default=lambda: setting("full_time_deputy_secretary_min_employees"),
        validate=validate.Range(min=0),
        metadata={"description": "职工人数达到此数须配备专职副书记"})
    min_cross_members = fields.Int(
        load_default=lambda: setting("cross_appointment_min_members"),
        validate=validate.Range(min=0, max=50),
        metadata={"description": "进入董事会、经理层的党委委员（书记以外）最少人数"})

    @validates("weights")
    def _items(self, value, **_):
        _known(APPOINTMENT_ITEMS)(value)


class LinkParams(Schema):
    target = fields.Float(load_default=lambda: setting("performance_link_min_weight_pct"),
                          validate=validate.Range(min=0, max=100),
                          metadata={"description": "挂钩权重不低于（%）"})


class VanguardParams(Schema):
    target = fields.Float(load_default=60, validate=validate.Range(min=1, max=100),
                          metadata={"description": "党员先锋岗、责任区、示范岗覆盖率目标（%）"})


class InnovationParams(Schema):
    target = fields.Int(load_default=1, validate=validate.Range(min=0, max=1000),
                        metadata={"description": "本期至少取得的攻关、创新成果数"})


def _orgs(ctx) -> list:
    return db.session.execute(
        select(Organization.id, Organization.name, Organization.attributes)
        .where(Organization.id.in_(ctx.orgs))
    ).all()


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


# -- 党建入章 ------------------------------------------------------------------------------------


def measure_charter(ctx) -> dict:
    result = {}
    for org_id, name, attributes in _orgs(ctx):
        if not is_enterprise(attributes):
            result[org_id] = Measurement(None, evidence={"enterprise": NOT_ENTERPRISE, "amended_on": "—"})
            continue
        items = charter_items(attributes, ctx.end)
        amended = amended_on(attributes)
        result[org_id] = Measurement(sum(1 for ok in items.values() if ok), items=items, evidence={
            "enterprise": enterprise_label(name, attributes),
            "amended_on": amended.isoformat() if amended else "未登记"})
    return result


# -- 前置研究讨论 ----------------------------------------------------------------------------------


def measure_prior_review(ctx) -> dict:
    min_days = ctx.params["min_days"]
    rows = db.session.execute(
        select(Decision.org_id, Decision.title, Decision.party_reviewed_on, Decision.decided_on)
        .where(Decision.org_id.in_(ctx.orgs), Decision.decided_on >= ctx.start,
               Decision.decided_on <= ctx.end)
        .order_by(Decision.org_id, Decision.decided_on, Decision.title)
    ).all()
    tally: dict = {}
    for org_id, title, reviewed, decided in rows:
        entry = tally.setdefault(org_id, {"decided": 0, "in_time": 0, "unreviewed": 0, "late": 0,
                                          "titles": []})
        entry["decided"] += 1
        if review_problem(reviewed, decided, min_days) is None:
            entry["in_time"] += 1
            continue
        entry["unreviewed" if reviewed is None else "late"] += 1
        entry["titles"].append(title)
    result = {}
    for org_id in db.session.scalars(ctx.orgs):
        entry = tally.get(org_id, {"decided": 0, "in_time": 0, "unreviewed": 0, "late": 0, "titles": []})
        titles = entry.pop("titles")
        result[org_id] = Measurement(_pct(entry["in_time"], entry["decided"]), evidence={
            **entry, "titles": "、".join(titles[:TITLES_SHOWN]) or "无",
            "note": "" if entry["decided"] else "；本期无决策事项记录，按无数据计"})
    return result


# -- 双向进入、交叉任职 ------------------------------------------------------------------------------


def measure_cross_appointment(ctx) -> dict:
    held = db.session.execute(
        select(CrossAppointment.org_id, CrossAppointment.person_name, CrossAppointment.member_id,
               CrossAppointment.party_post, CrossAppointment.business_post)
        .where(CrossAppointment.org_id.in_(ctx.orgs), CrossAppointment.started_on <= ctx.end,
               or_(CrossAppointment.ended_on.is_(None), CrossAppointment.ended_on > ctx.end))
        .order_by(CrossAppointment.org_id, CrossAppointment.started_on, CrossAppointment.person_name)
    ).all()
    posts: dict = {}
    for org_id, name, member_id, party_post, business_post in held:
        posts.setdefault(org_id, []).append((member_id or name, name, party_post, business_post))
    result = {}
    for org_id, name, attributes in _orgs(ctx):
        people = posts.get(org_id, [])
        if not is_enterprise(attributes) and not people:
            result[org_id] = Measurement(None, evidence={
                "enterprise": NOT_ENTERPRISE, "secretary": "—", "chairman": "—", "cross": 0,
                "as_of": ctx.end.isoformat()})
            continue
        rows = [(person, p, b) for person, _, p, b in people]
        items = appointment_items(attributes, rows, ctx.params)
        result[org_id] = Measurement(sum(1 for ok in items.values() if ok), items=items, evidence={
            "enterprise": enterprise_label(name, attributes),
            "secretary": next((n for _, n, p, _ in people if p == "secretary"), None) or "未登记",
            "chairman": next((n for _, n, _, b in people if b == "chairman"), None) or "未登记",
            "cross": cross_count(rows), "as_of": ctx.end.isoformat()})
    return result


# -- 党建考核与经营业绩挂钩 --------------------------------------------------------------------------


def measure_performance_link(ctx) -> dict:
    year = ctx.end.year
    links = {
        row.org_id: row for row in db.session.scalars(
            select(PerformanceLink).where(PerformanceLink.org_id.in_(ctx.orgs), PerformanceLink.year == year))
    }
    result = {}
    for org_id in db.session.scalars(ctx.orgs):
        row = links.get(org_id)
        if row is None:
            result[org_id] = Measurement(None, evidence={"year": year, "recorded": "（未登记）",
                                                         "salary": "—", "party_score": "—"})
            continue
        result[org_id] = Measurement(float(row.link_weight_pct), evidence={
            "year": year, "recorded": "",
            "salary": "是" if row.salary_linked else "否",
            "party_score": str(row.party_building_score) if row.party_building_score is not None else "未登记"})
    return result


# -- 党员先锋岗、责任区 -------------------------------------------------------------------------------


def measure_vanguard_coverage(ctx) -> dict:
    holders = org_and_groups(ctx.orgs)
    working = and_(Member.org_id == holders.c.holder_id, Member.status.in_(WORKING_STATUSES))
    members = dict(db.session.execute(
        select(holders.c.org_id, func.count(Member.id))
        .select_from(holders).outerjoin(Member, working)
        .group_by(holders.c.org_id)
    ).all())
    covered = dict(db.session.execute(
        select(holders.c.org_id, func.count(distinct(VanguardPost.member_id)))
        .select_from(holders).join(Member, working)
        .join(VanguardPost, and_(VanguardPost.member_id == Member.id,
                                 VanguardPost.org_id == holders.c.org_id,
                                 VanguardPost.started_on <= ctx.end,
                                 or_(VanguardPost.ended_on.is_(None), VanguardPost.ended_on > ctx.end)))
        .group_by(holders.c.org_id)
    ).all())
    return {
        org_id: Measurement(_pct(int(covered.get(org_id, 0)), int(total)), evidence={
            "members": int(total), "covered": int(covered.get(org_id, 0)), "as_of": ctx.end.isoformat()})
        for org_id, total in members.items()
    }


# -- 党员攻关、创新成果 -----------------------------------------------------------------------------


def measure_innovations(ctx) -> dict:
    rows = db.session.execute(
        select(Organization.id, func.count(distinct(Innovation.id)),
               func.count(distinct(InnovationMember.member_id)))
        .outerjoin(Innovation, and_(Innovation.org_id == Organization.id,
                                    Innovation.achieved_on >= ctx.start, Innovation.achieved_on <= ctx.end))
        .outerjoin(InnovationMember, InnovationMember.innovation_id == Innovation.id)
        .where(Organization.id.in_(ctx.orgs))
        .group_by(Organization.id)
    ).all()
    return {org_id: Measurement(int(n), evidence={"members": int(people)}) for org_id, n, people in rows}


def indicators() -> list[Indicator]:
    return [
        Indicator(
            key="soe.charter", name="党建工作写入公司章程", scoring="checklist", max_points=10,
            measure=measure_charter, params=CharterParams, sectors=SECTORS, kinds=ENTERPRISE_KINDS,
            unit="项", reads="企业党组织属性（公司章程）",
            description="党建工作要求写入公司章程、章程明确党委前置研究讨论程序、章程修订日期已登记"
                        "（企业党组织；未填写企业层级的按无数据计）。",
            explain="{enterprise}：公司章程最近修订 {amended_on}",
        ),
        Indicator(
            key="soe.prior_review", name="重大事项党委前置研究", scoring="proportional", max_points=12,
            measure=measure_prior_review, params=PriorReviewParams, sectors=SECTORS,
            kinds=ENTERPRISE_KINDS, unit="%", reads="党委前置研究讨论事项台账",
            description="本期董事会、经理层决策的“三重一大”事项中，经党委事先研究讨论的比例；"
                        "本期无决策记录的按无数据计。",
            explain="本期决策的“三重一大”事项 {decided} 项，经党委前置研究 {in_time} 项，"
                    "未经前置研究 {unreviewed} 项、研究晚于决策或不足规定天数 {late} 项（{titles}）{note}",
        ),
        Indicator(
            key="soe.cross_appointment", name="双向进入、交叉任职", scoring="checklist", max_points=10,
            measure=measure_cross_appointment, params=CrossParams, sectors=SECTORS,
            kinds=ENTERPRISE_KINDS, unit="项", reads="领导人员双向进入、交叉任职台账",
            description="周期末：设董事会的企业党委书记、董事长一肩挑，党委委员进入董事会、经理层，"
                        "规模以上企业配备专职副书记（不适用的项不计）。",
            explain="{enterprise}（{as_of}）：党委书记 {secretary}，董事长 {chairman}，"
                    "进入董事会、经理层的其他党委委员 {cross} 人",
        ),
        Indicator(
            key="soe.performance_link", name="党建考核与经营业绩考核挂钩", scoring="threshold",
            max_points=8, measure=measure_performance_link, params=LinkParams, sectors=SECTORS,
            kinds=ENTERPRISE_KINDS, unit="%", reads="党建考核与经营业绩挂钩登记",
            description="周期所在年度党建工作考核结果在企业经营业绩考核中的权重不低于规定比例；"
                        "未登记的按无数据计。",
            explain="{year} 年党建考核结果在经营业绩考核中的权重 {value}{unit}{recorded}，"
                    "与薪酬挂钩：{salary}，党建考核得分：{party_score}",
        ),
        Indicator(
            key="soe.vanguard_coverage", name="党员先锋岗、责任区覆盖率", scoring="proportional",
            max_points=18, measure=measure_vanguard_coverage, params=VanguardParams, sectors=SECTORS,
            kinds=BRANCH_KINDS, unit="%", reads="党员先锋岗、责任区、示范岗登记和党员名册",
            description="周期末在岗党员（正式、预备）中设立党员先锋岗、责任区或示范岗的比例。",
            explain="{as_of} 在岗党员 {members} 名，设岗定责 {covered} 名，覆盖率 {value}{unit}",
        ),
        Indicator(
            key="soe.innovation_projects", name="党员攻关和创新成果", scoring="threshold", max_points=15,
            measure=measure_innovations, params=InnovationParams, sectors=SECTORS, kinds=BRANCH_KINDS,
            unit="项", reads="党员攻关项目和创新成果登记",
            description="本期取得的党员攻关项目、创新成果、合理化建议达到要求数量即得分。",
            explain="本期取得党员攻关、创新成果 {value} 项，参与党员 {members} 名",
        ),
    ]
