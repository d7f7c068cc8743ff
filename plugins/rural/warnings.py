"""The rural sector's warning rules (预警), set-based over a whole tenant: each looks at the
active village organisations (:func:`plugins.rural.villages.active_villages`, one query) and
their records with a few aggregate queries.

* ``rural.collective_income_low`` — last year's operating income (经营性收入) is below the
  target (the setting ``collective_income_target_wan``, 5 万元), or — ``grace_days`` (90)
  after the year ended — was never recorded.
* ``rural.no_recruitment`` — nobody recruited for ``years`` (the setting
  ``no_recruit_years_warning``, 3) years or more: the seeds' “3年以上未发展党员村”. The last
  recruitment is the later of the last admission recorded by the development process and
  the latest 入党日期 in the village's register; a village founded less than ``years`` ago
  is not flagged.
* ``rural.village_committee_term`` — the villagers' committee's term (村民委员会, the
  setting ``village_committee_term_years``, 5) ends within ``days_before`` (90) days or has
  ended (换届).
* ``rural.first_secretary_missing`` — a key village (``key_village``) has no 第一书记
  stationed today.
* ``rural.first_secretary_left`` — in a village that is not marked key, the last first
  secretary's stationing ended within ``within_days`` (180) with nobody after them: mark the
  village key and send a successor, or let it be (info).
* ``rural.mobile_not_contacted`` — a mobile member (流动党员) of a village has had no
  contact with the organisation for more than ``days`` (90) days (counted from their last
  contact, or from when they left when there is none). One warning per member, on the
  nearest village organisation above them.
"""

from __future__ import annotations

from datetime import date, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.sdk import Finding, Member, RuleContext, WarningRule, add_years, db
from plugins.rural.indicators import recruitment
from plugins.rural.models import FIRST_SECRETARY, CollectiveIncome, MobileContact, Stationing
from plugins.rural.settings import PLUGIN, settings
from plugins.rural.villages import active_villages, holders, village_ids_select

SECTORS = (PLUGIN,)


def _years_setting():
    return settings()["no_recruit_years_warning"]


class IncomeLowParams(Schema):
    target = fields.Float(
        load_default=lambda: settings()["collective_income_target_wan"],
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": "经营性收入目标（万元），默认取插件设置"})
    grace_days = fields.Int(
        load_default=90, validate=validate.Range(min=0, max=365),
        metadata={"description": "上年度结束后多少天仍未填报收入即预警"})


class NoRecruitParams(Schema):
    years = fields.Int(load_default=_years_setting, validate=validate.Range(min=1, max=10),
                       metadata={"description": "多少年以上未发展党员即预警，默认取插件设置"})


class TermParams(Schema):
    days_before = fields.Int(load_default=90, validate=validate.Range(min=1, max=730),
                             metadata={"description": "任期届满前多少天开始预警"})


class LeftParams(Schema):
    within_days = fields.Int(load_default=180, validate=validate.Range(min=1, max=3650),
                             metadata={"description": "第一书记离任后多少天内提示"})


class MobileParams(Schema):
    days = fields.Int(load_default=90, validate=validate.Range(min=7, max=730),
                      metadata={"description": "流动党员超过多少天未联系即预警"})


def _wan(value) -> str:
    return f"{float(value):g}"


# -- collective income ----------------------------------------------------------------------------


def check_income_low(ctx: RuleContext) -> list[Finding]:
    year = ctx.today.year - 1
    villages = active_villages()
    incomes = dict(db.session.execute(
        select(CollectiveIncome.org_id, CollectiveIncome.operating_income_wan)
        .where(CollectiveIncome.year == year, CollectiveIncome.org_id.in_(village_ids_select()))
    ).all())
    target = ctx.params["target"]
    overdue = ctx.today > date(year, 12, 31) + timedelta(days=ctx.params["grace_days"])
    found = []
    for village in villages:
        income = incomes.get(village.id)
        if income is None and not overdue:
            continue
        if income is not None and float(income) >= target:
            continue
        found.append(Finding(village.id, figures={
            "year": year, "target": _wan(target),
            "income": f"{_wan(income)} 万元" if income is not None else "未填报"}))
    return found


# -- recruitment ---------------------------------------------------------------------------------------


def check_no_recruitment(ctx: RuleContext) -> list[Finding]:
    years = ctx.params["years"]
    cutoff = add_years(ctx.today, -years)
    villages = active_villages()
    last_of = {org_id: last for org_id, (_, _, last)
               in recruitment(village_ids_select(), None, ctx.today).items()}
    found = []
    for village in villages:
        if village.founded_on is not None and village.founded_on > cutoff:
            continue  # too young to have gone that long
        last = last_of.get(village.id)
        if last is not None and last > cutoff:
            continue
        found.append(Finding(village.id, figures={
            "years": years, "last": last.isoformat() if last is not None else "无记录"}))
    return found


# -- villagers' committee term ---------------------------------------------------------------------


def check_term(ctx: RuleContext) -> list[Finding]:
    term_years = settings()["village_committee_term_years"]
    found = []
    for village in active_villages():
        raw = village.attributes.get("village_committee_term_started_on")
        if not raw:
            continue
        started = date.fromisoformat(raw)
        ends = add_years(started, term_years)
        left = (ends - ctx.today).days
        if left > ctx.params["days_before"]:
            continue
        state = f"已届满 {-left} 天，应尽快换届" if left < 0 else (
            "今日届满" if left == 0 else f"还有 {left} 天届满，请做好换届准备")
        found.append(Finding(village.id, figures={
            "started_on": started.isoformat(), "ends_on": ends.isoformat(), "years": term_years,
            "state": state}))
    return found


# -- first secretaries ------------------------------------------------------------------------------------


def _first_secretaries(today: date) -> dict:
    """``{org_id: (current, latest ended, next)}`` stationings of first secretaries."""
    rows = db.session.execute(
        select(Stationing.org_id, Stationing.person_name, Stationing.started_on, Stationing.ended_on)
        .where(Stationing.role == FIRST_SECRETARY, Stationing.org_id.in_(village_ids_select()))
        .order_by(Stationing.started_on)
    ).all()
    found: dict = {}
    for r in rows:
        current, ended, upcoming = found.get(r.org_id, (None, None, None))
        if r.started_on > today:
            upcoming = upcoming or r
        elif r.ended_on is not None and r.ended_on < today:
            ended = r  # ordered by start: the last one wins
        else:
            current = r
        found[r.org_id] = (current, ended, upcoming)
    return found


def check_first_secretary_missing(ctx: RuleContext) -> list[Finding]:
    stationed = _first_secretaries(ctx.today)
    found = []
    for village in active_villages():
        if not village.attributes.get("key_village"):
            continue
        current, ended, upcoming = stationed.get(village.id, (None, None, None))
        if current is not None:
            continue
        before = (f"上一任第一书记{ended.person_name}已于 {ended.ended_on.isoformat()} 离任"
                  if ended is not None else "尚未选派过第一书记")
        after = (f"，{upcoming.person_name}将于 {upcoming.started_on.isoformat()} 到任"
                 if upcoming is not None else "")
        found.append(Finding(village.id, figures={"before": before, "after": after}))
    return found


def check_first_secretary_left(ctx: RuleContext) -> list[Finding]:
    stationed = _first_secretaries(ctx.today)
    since = ctx.today - timedelta(days=ctx.params["within_days"])
    found = []
    for village in active_villages():
        if village.attributes.get("key_village"):
            continue  # rural.first_secretary_missing covers key villages
        current, ended, upcoming = stationed.get(village.id, (None, None, None))
        if current is not None or upcoming is not None or ended is None or ended.ended_on < since:
            continue
        found.append(Finding(village.id, figures={
            "name": ended.person_name, "ended_on": ended.ended_on.isoformat(),
            "days": (ctx.today - ended.ended_on).days}))
    return found


# -- mobile members ----------------------------------------------------------------------------------------


def check_mobile(ctx: RuleContext) -> list[Finding]:
    villages = {v.id for v in active_villages()}
    sub = holders(village_ids_select())
    rows = db.session.execute(
        select(sub.c.org_id, sub.c.level, Member.id, Member.name, Member.mobile_since,
               Member.mobile_destination)
        .select_from(sub).join(Member, Member.org_id == sub.c.holder_id)
        .where(Member.status == "mobile")
        .order_by(Member.id, sub.c.level)
    ).all()
    mobile_ids = (select(Member.id).select_from(sub).join(Member, Member.org_id == sub.c.holder_id)
                  .where(Member.status == "mobile"))
    last_contact = dict(db.session.execute(
        select(MobileContact.member_id, func.max(MobileContact.contacted_on))
        .where(MobileContact.member_id.in_(mobile_ids), MobileContact.contacted_on <= ctx.today)
        .group_by(MobileContact.member_id)
    ).all())
    seen = set()
    found = []
    for r in rows:  # the nearest village first
        if r.org_id not in villages or r.id in seen:
            continue
        seen.add(r.id)
        last = last_contact.get(r.id)
        reference = last or r.mobile_since
        days = (ctx.today - reference).days if reference is not None else None
        if days is not None and days <= ctx.params["days"]:
            continue
        found.append(Finding(r.org_id, subject_id=r.id, figures={
            "name": r.name, "destination": r.mobile_destination or "未登记",
            "days": days, "limit": ctx.params["days"],
            "gap": f"已 {days} 天未与党组织联系" if days is not None
                   else "外出时间未登记，且没有联系记录",
            "last": last.isoformat() if last is not None else "无联系记录"}))
    return found


def rules() -> list[WarningRule]:
    common = {"sectors": SECTORS}
    return [
        WarningRule(
            key="rural.collective_income_low", name="村级集体经济收入未达标", severity="warning",
            message="{year} 年村级集体经济经营性收入{income}，未达到 {target} 万元的目标，"
                    "请乡镇党委逐村制定集体经济发展措施。",
            check=check_income_low, params=IncomeLowParams, **common,
        ),
        WarningRule(
            key="rural.no_recruitment", name="3年以上未发展党员村", severity="serious",
            message="已 {years} 年以上未发展党员（最近一次：{last}），属“{years}年以上未发展党员村”，"
                    "请乡镇党委督促落实发展党员计划。",
            check=check_no_recruitment, params=NoRecruitParams, **common,
        ),
        WarningRule(
            key="rural.village_committee_term", name="村民委员会换届", severity="warning",
            message="村民委员会本届任期自 {started_on} 起 {years} 年，{ends_on} 届满：{state}。",
            check=check_term, params=TermParams, **common,
        ),
        WarningRule(
            key="rural.first_secretary_missing", name="重点村未选派第一书记", severity="warning",
            message="重点村目前没有在岗的第一书记：{before}{after}，请及时选派。",
            check=check_first_secretary_missing, **common,
        ),
        WarningRule(
            key="rural.first_secretary_left", name="第一书记离任未接续", severity="info",
            message="第一书记{name}已于 {ended_on} 离任（{days} 天前），尚未选派接任人选；"
                    "如该村仍需第一书记，请标注为重点村并及时选派。",
            check=check_first_secretary_left, params=LeftParams, **common,
        ),
        WarningRule(
            key="rural.mobile_not_contacted", name="流动党员长期未联系", severity="warning",
            message="流动党员{name}（流向：{destination}）{gap}（最近一次：{last}），"
                    "应至少每 {limit} 天联系一次。",
            check=check_mobile, params=MobileParams, subject="member", **common,
        ),
    ]
