"""The rural sector's assessment indicators (指标), each measured for every organisation of a
cycle with a few aggregate queries, whatever their number.

* ``rural.collective_income`` (threshold) — the village collective's operating income
  (经营性收入) in the year of the cycle's end, in 万元; target: the tenant's setting
  ``collective_income_target_wan`` (5). No record for the year is "no data" (never met).
* ``rural.service_centre`` (checklist) — the 党群服务中心 from the organisation's attributes:
  the area reaches ``min_area_m2`` (200 m²), and each required function is offered. Nothing
  recorded about the centre is "no data".
* ``rural.first_secretary`` (checklist) — for a key village (``key_village``): a 第一书记
  stationed for at least ``min_coverage`` % (80) of the period, and at least
  ``min_team_members`` (2) 驻村工作队员 at its end. A village that is not a key one needs
  neither: both items are met.
* ``rural.recruitment`` (threshold) — people recruited in the ``years`` (the setting
  ``no_recruit_years_warning``, 3) years up to the period's end: admissions recorded by the
  development process (step 17), or members of the village's register who joined the Party
  then (records imported from the national system have no development steps); the larger
  of the two counts. Target 1.
* ``rural.duty_share`` (proportional) — of the village's full and probationary members who
  hold no committee post at the period's end (无职党员), the share holding a duty post then
  (设岗定责), in %; target 80. A village whose members all hold posts scores 100.
* ``rural.mobile_contact`` (proportional) — of the village's mobile members (流动党员), the
  share contacted often enough in the period: ``per_year`` (4) times a year, pro rata for
  the months they were away (at least once); target 100. No mobile member: 100.

Members count for a village when registered in it, its 党小组 or the branches below it
(:func:`plugins.rural.villages.holders`).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, or_, select

from core.sdk import (
    Indicator,
    Measurement,
    Member,
    Organization,
    OrgPost,
    add_months,
    admissions,
    db,
    posts_held_on,
)
from plugins.rural.attributes import ATTRIBUTE_KINDS, SERVICE_CENTRE_FUNCTIONS
from plugins.rural.models import (
    FIRST_SECRETARY,
    TEAM_MEMBER,
    CollectiveIncome,
    MemberDuty,
    MobileContact,
    Stationing,
)
from plugins.rural.settings import PLUGIN, settings
from plugins.rural.villages import holders

SECTORS = (PLUGIN,)
DEFAULT_REQUIRED_FUNCTIONS = ("党员活动", "便民服务", "群众说事", "文化活动")
AREA_ITEM = "场所面积达标"
FUNCTION_ITEMS = {name: f"{name}功能" for name in SERVICE_CENTRE_FUNCTIONS}
STATIONED_ITEM = "第一书记在岗"
TEAM_ITEM = "驻村工作队配备"
DUTY_STATUSES = ("full", "probationary")


def _weights(items) -> fields.Dict:
    allowed = tuple(items)

    def known(value: dict) -> None:
        unknown = [k for k in value if k not in allowed]
        if unknown:
            raise ValidationError(f"Unknown items {unknown}; items are {', '.join(allowed)}.")

    return fields.Dict(keys=fields.Str(), values=fields.Float(validate=validate.Range(min=0, max=100)),
                       load_default=dict, validate=known,
                       metadata={"description": f"各项权重（默认均为 1），项：{'、'.join(allowed)}"})


def _org_rows(ctx):
    return db.session.execute(
        select(Organization.id, Organization.attributes).where(Organization.id.in_(ctx.orgs))
    ).all()


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else "无"


# -- collective income --------------------------------------------------------------------------


class IncomeParams(Schema):
    target = fields.Float(
        load_default=lambda: settings()["collective_income_target_wan"],
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": "经营性收入目标（万元），默认取插件设置 collective_income_target_wan"})


def measure_income(ctx) -> dict:
    year = ctx.end.year
    rows = db.session.execute(
        select(CollectiveIncome.org_id, CollectiveIncome.operating_income_wan,
               CollectiveIncome.total_income_wan)
        .where(CollectiveIncome.org_id.in_(ctx.orgs), CollectiveIncome.year == year)
    ).all()
    return {
        org_id: Measurement(value=operating, evidence={
            "year": year,
            "total": f"{float(total):g} 万元" if total is not None else "未填报"})
        for org_id, operating, total in rows
    }


# -- service centre -----------------------------------------------------------------------------


class CentreParams(Schema):
    min_area_m2 = fields.Float(load_default=200, validate=validate.Range(min=0, max=100_000),
                               metadata={"description": "党群服务中心面积下限（平方米）"})
    required_functions = fields.List(
        fields.Str(validate=validate.OneOf(SERVICE_CENTRE_FUNCTIONS)),
        load_default=lambda: list(DEFAULT_REQUIRED_FUNCTIONS), validate=validate.Length(max=20),
        metadata={"description": f"必备功能，可选：{'、'.join(SERVICE_CENTRE_FUNCTIONS)}"})
    weights = _weights((AREA_ITEM, *FUNCTION_ITEMS.values()))


def measure_centre(ctx) -> dict:
    p = ctx.params
    found = {}
    for org_id, attributes in _org_rows(ctx):
        attributes = attributes or {}
        area = attributes.get("service_centre_area_m2")
        offered = attributes.get("service_centre_functions")
        if area is None and offered is None:
            continue  # nothing recorded about the centre: no data
        offered = list(offered or [])
        items = {AREA_ITEM: area is not None and area >= p["min_area_m2"]}
        for name in p["required_functions"]:
            items[FUNCTION_ITEMS[name]] = name in offered
        found[org_id] = Measurement(
            value=sum(1 for ok in items.values() if ok), items=items,
            evidence={"area": f"{area:g} 平方米" if area is not None else "未填报",
                      "functions": "、".join(offered) or "无"})
    return found


# -- first secretary and work team ----------------------------------------------------------------


class FirstSecretaryParams(Schema):
    min_coverage = fields.Float(load_default=80, validate=validate.Range(min=0, max=100),
                                metadata={"description": "第一书记在岗天数占考核期的最低比例（%）"})
    min_team_members = fields.Int(load_default=2, validate=validate.Range(min=0, max=50),
                                  metadata={"description": "期末驻村工作队员（不含第一书记）最少人数"})
    weights = _weights((STATIONED_ITEM, TEAM_ITEM))


def _covered_days(periods, start: date, end: date) -> int:
    """Days of ``[start, end]`` covered by any of ``periods`` (``(from, to or None)``)."""
    days = 0
    cursor = start
    for begin, finish in sorted(periods):
        begin = max(begin, cursor)
        finish = min(finish or end, end)
        if finish >= begin:
            days += (finish - begin).days + 1
            cursor = finish + timedelta(days=1)
    return days


def measure_first_secretary(ctx) -> dict:
    p = ctx.params
    rows = db.session.execute(
        select(Stationing.org_id, Stationing.role, Stationing.person_name, Stationing.started_on,
               Stationing.ended_on)
        .where(Stationing.org_id.in_(ctx.orgs), Stationing.started_on <= ctx.end,
               or_(Stationing.ended_on.is_(None), Stationing.ended_on >= ctx.start))
        .order_by(Stationing.started_on)
    ).all()
    secretaries: dict = {}
    team: dict = {}
    for r in rows:
        if r.role == FIRST_SECRETARY:
            secretaries.setdefault(r.org_id, []).append(r)
        elif r.role == TEAM_MEMBER and r.started_on <= ctx.end and (
                r.ended_on is None or r.ended_on >= ctx.end):
            team[r.org_id] = team.get(r.org_id, 0) + 1
    period_days = (ctx.end - ctx.start).days + 1
    found = {}
    for org_id, attributes in _org_rows(ctx):
        names = "、".join(r.person_name for r in secretaries.get(org_id, [])) or "无"
        covered = _covered_days([(r.started_on, r.ended_on) for r in secretaries.get(org_id, [])],
                                ctx.start, ctx.end)
        coverage = round(covered * 100 / period_days, 1)
        coverage = int(coverage) if coverage == int(coverage) else coverage
        members = team.get(org_id, 0)
        key = bool((attributes or {}).get("key_village"))
        if key:
            items = {STATIONED_ITEM: coverage >= p["min_coverage"],
                     TEAM_ITEM: members >= p["min_team_members"]}
        else:
            items = {STATIONED_ITEM: True, TEAM_ITEM: True}
        found[org_id] = Measurement(
            value=sum(1 for ok in items.values() if ok), items=items,
            evidence={"key_village": "重点村" if key else "非重点村（不要求选派）",
                      "names": names, "coverage": coverage, "team": members})
    return found


# -- recruitment --------------------------------------------------------------------------------------


class RecruitmentParams(Schema):
    target = fields.Int(load_default=1, validate=validate.Range(min=0, max=1000),
                        metadata={"description": "统计年限内至少发展党员人数"})
    years = fields.Int(load_default=lambda: settings()["no_recruit_years_warning"],
                       validate=validate.Range(min=1, max=10),
                       metadata={"description": "统计的年数（截至周期末），默认取插件设置 "
                                                "no_recruit_years_warning"})


def recruitment(orgs, since: date | None, until: date) -> dict:
    """``{org_id: (admitted, joined, last day or None)}`` for ``orgs`` (a SELECT of ids) from
    ``since`` (None: ever) to ``until``: people admitted by the village (its register's
    organisations) through the development process, and members of its register who joined
    the Party in that time. Three queries."""
    sub = holders(orgs)
    village_of: dict = {}
    for holder_id, org_id in db.session.execute(select(sub.c.holder_id, sub.c.org_id)):
        village_of.setdefault(holder_id, []).append(org_id)
    result = {org_id: [0, 0, None] for ids in village_of.values() for org_id in ids}

    def later(a, b):
        return b if a is None or (b is not None and b > a) else a

    for holder_id, (n, last) in admissions(select(sub.c.holder_id), since, until).items():
        for org_id in village_of.get(holder_id, ()):
            entry = result[org_id]
            entry[0] += n
            entry[2] = later(entry[2], last)
    window = [Member.joined_on <= until]
    if since is not None:
        window.append(Member.joined_on >= since)
    joined = db.session.execute(
        select(sub.c.org_id, func.count(Member.id), func.max(Member.joined_on))
        .select_from(sub).join(Member, Member.org_id == sub.c.holder_id)
        .where(*window).group_by(sub.c.org_id)
    ).all()
    for org_id, n, last in joined:
        entry = result[org_id]
        entry[1] += int(n)
        entry[2] = later(entry[2], last)
    return {org_id: tuple(entry) for org_id, entry in result.items()}


def measure_recruitment(ctx) -> dict:
    years = ctx.params["years"]
    since = add_months(ctx.end, -12 * years) + timedelta(days=1)
    return {
        org_id: Measurement(value=max(admitted, joined), evidence={
            "years": years, "since": since.isoformat(), "admitted": admitted, "joined": joined,
            "last": _iso(last)})
        for org_id, (admitted, joined, last) in recruitment(ctx.orgs, since, ctx.end).items()
    }


# -- duty posts -----------------------------------------------------------------------------------------


class DutyParams(Schema):
    target = fields.Float(load_default=80, validate=validate.Range(min=1, max=100),
                          metadata={"description": "无职党员设岗定责比例目标（%）"})


def measure_duties(ctx) -> dict:
    sub = holders(ctx.orgs)
    posted = (select(OrgPost.member_id).where(OrgPost.member_id.is_not(None), *posts_held_on(ctx.end))
              .distinct().subquery("rural_posted"))
    dutied = (select(MemberDuty.member_id)
              .where(MemberDuty.started_on <= ctx.end,
                     or_(MemberDuty.ended_on.is_(None), MemberDuty.ended_on >= ctx.end))
              .distinct().subquery("rural_dutied"))
    rows = db.session.execute(
        select(sub.c.org_id, func.count(Member.id), func.count(posted.c.member_id),
               func.count(dutied.c.member_id))
        .select_from(sub).join(Member, Member.org_id == sub.c.holder_id)
        .outerjoin(posted, posted.c.member_id == Member.id)
        .outerjoin(dutied, (dutied.c.member_id == Member.id) & posted.c.member_id.is_(None))
        .where(Member.status.in_(DUTY_STATUSES), Member.joined_on <= ctx.end)
        .group_by(sub.c.org_id)
    ).all()
    found = {}
    for org_id, members, with_post, with_duty in rows:
        without_post = int(members) - int(with_post)
        share = round(int(with_duty) * 100 / without_post, 2) if without_post else 100.0
        found[org_id] = Measurement(value=share, evidence={
            "members": int(members), "without_post": without_post, "with_duty": int(with_duty)})
    return found


# -- contacts with mobile members ------------------------------------------------------------------


class MobileParams(Schema):
    target = fields.Float(load_default=100, validate=validate.Range(min=1, max=100),
                          metadata={"description": "按要求联系的流动党员比例目标（%）"})
    per_year = fields.Int(load_default=4, validate=validate.Range(min=1, max=52),
                          metadata={"description": "每名流动党员每年至少联系次数（默认每季度一次）"})


def _months(first: date, last: date) -> int:
    """Calendar months from ``first``'s month to ``last``'s, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def measure_mobile(ctx) -> dict:
    sub = holders(ctx.orgs)
    mobile = db.session.execute(
        select(sub.c.org_id, Member.id, Member.mobile_since)
        .select_from(sub).join(Member, Member.org_id == sub.c.holder_id)
        .where(Member.status == "mobile",
               or_(Member.mobile_since.is_(None), Member.mobile_since <= ctx.end))
    ).all()
    mobile_ids = select(Member.id).select_from(sub).join(Member, Member.org_id == sub.c.holder_id).where(
        Member.status == "mobile")
    contacts = dict(db.session.execute(
        select(MobileContact.member_id, func.count(MobileContact.id))
        .where(MobileContact.member_id.in_(mobile_ids), MobileContact.contacted_on >= ctx.start,
               MobileContact.contacted_on <= ctx.end)
        .group_by(MobileContact.member_id)
    ).all())
    per_org: dict = {org_id: [0, 0] for org_id in db.session.scalars(ctx.orgs)}
    for org_id, member_id, since in mobile:
        away_from = max(ctx.start, since) if since is not None else ctx.start
        needed = max(1, math.ceil(ctx.params["per_year"] * _months(away_from, ctx.end) / 12))
        entry = per_org.setdefault(org_id, [0, 0])
        entry[0] += 1
        entry[1] += int(contacts.get(member_id, 0) >= needed)
    return {
        org_id: Measurement(
            value=round(done * 100 / total, 2) if total else 100.0,
            evidence={"mobile": total, "contacted": done})
        for org_id, (total, done) in per_org.items()
    }


def indicators() -> list[Indicator]:
    common = {"sectors": SECTORS, "kinds": ATTRIBUTE_KINDS}
    return [
        Indicator(
            key="rural.collective_income", name="村级集体经济经营性收入", scoring="threshold",
            max_points=10, measure=measure_income, params=IncomeParams, unit="万元",
            reads="村级集体经济收入台账",
            description="考核期所在年度的村级集体经济经营性收入达到目标（默认 5 万元）即得分；未填报不得分。",
            explain="{year} 年村级集体经济经营性收入 {value} 万元（总收入：{total}）", **common,
        ),
        Indicator(
            key="rural.service_centre", name="党群服务中心建设", scoring="checklist",
            max_points=5, measure=measure_centre, params=CentreParams, unit="项",
            reads="党组织属性（党群服务中心面积、功能）",
            description="党群服务中心面积达到要求（默认 200 平方米），必备功能（党员活动、便民服务、"
                        "群众说事、文化活动）齐全。",
            explain="党群服务中心面积 {area}，功能：{functions}", **common,
        ),
        Indicator(
            key="rural.first_secretary", name="第一书记和驻村工作队", scoring="checklist",
            max_points=5, measure=measure_first_secretary, params=FirstSecretaryParams, unit="项",
            reads="第一书记和驻村工作队选派记录、重点村标注",
            description="重点村：第一书记在岗时间不少于考核期的 80%，期末驻村工作队员不少于 2 人；"
                        "非重点村不要求选派，视为达标。",
            explain="{key_village}；第一书记：{names}，在岗 {coverage}% 的时间；期末驻村工作队员 {team} 人",
            **common,
        ),
        Indicator(
            key="rural.recruitment", name="近年发展党员（村）", scoring="threshold",
            max_points=5, measure=measure_recruitment, params=RecruitmentParams, unit="名",
            reads="发展党员记录（上级党委审批）和党员名册（入党日期）",
            description="截至考核期末的若干年内（默认 3 年）村里发展党员人数达到要求即得分，"
                        "防止出现“3年以上未发展党员村”。",
            explain="近 {years} 年（{since} 起）发展党员 {value} 名（发展记录 {admitted} 名，"
                    "名册中新入党 {joined} 名），最近一次：{last}", **common,
        ),
        Indicator(
            key="rural.duty_share", name="无职党员设岗定责", scoring="proportional",
            max_points=5, measure=measure_duties, params=DutyParams, unit="%",
            reads="设岗定责记录、委员任职记录和党员名册",
            description="期末不担任支委职务的正式、预备党员中，认领了岗位（政策宣传、纠纷调解、"
                        "村务监督等）的比例。",
            explain="无职党员 {without_post} 名，其中设岗定责 {with_duty} 名，占 {value}{unit}", **common,
        ),
        Indicator(
            key="rural.mobile_contact", name="流动党员联系", scoring="proportional",
            max_points=5, measure=measure_mobile, params=MobileParams, unit="%",
            reads="流动党员联系记录和党员名册",
            description="流动党员中考核期内按要求（默认每季度一次）与党组织保持联系的比例；"
                        "无流动党员的按 100% 计。",
            explain="流动党员 {mobile} 名，按要求联系 {contacted} 名，占 {value}{unit}", **common,
        ),
    ]
