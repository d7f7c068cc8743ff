"""The organs sector's warning rules (预警), set-based over the whole tenant: each check runs a
fixed number of queries (the sector's organisations, then one query of records) whatever
the number of organisations, and looks only at active organisations of the sector.

"Organ organisations" are those keeping an organ's work (:mod:`plugins.organs.scope`).

* ``organs.brand_missing`` — an organ organisation has no brand (一机关一品牌).
* ``organs.brand_milestone_overdue`` — a brand's milestones are past their due day (plus
  ``grace_days``, default the setting ``brand_milestone_grace_days``) and not done: one
  warning per organisation, with the count and the most overdue milestone's title, due day
  and days; it clears when they are done (or re-planned).
* ``organs.party_staff_short`` — an organ organisation's full-time Party-work cadres fall
  short of the ratio (settings ``party_staff_ratio_percent``, ``party_staff_min_organ_size``).
* ``organs.business_goals_missing`` — after the end of month ``due_month`` (setting
  ``business_goals_due_month``, 3) an organ organisation has set no business goal for the
  year (党建与业务融合目标未制定).
* ``organs.business_goals_missed`` — goals of this year reviewed as missed: the Party
  measure did not carry the business goal; it clears when the goal is re-planned (its status
  changed) — or with the year.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.sdk import Finding, Organization, RuleContext, WarningRule, db
from plugins.organs import scope as scopes
from plugins.organs import staffing
from plugins.organs.models import MISSED, Brand, BrandMilestone, BusinessGoal
from plugins.organs.settings import PLUGIN, settings

SECTORS = (PLUGIN,)
TITLES_SHOWN = 3


def _from_settings(description: str) -> dict:
    return {"load_default": None, "allow_none": True,
            "metadata": {"description": f"{description}（不填：按插件设置）"}}


class MilestoneParams(Schema):
    grace_days = fields.Int(validate=validate.Range(min=0, max=365), **_from_settings("逾期宽限天数"))


class StaffParams(Schema):
    ratio_percent = fields.Float(validate=validate.Range(min=0, max=100),
                                 **_from_settings("专职党务干部配备比例 %"))
    min_organ_size = fields.Int(validate=validate.Range(min=1, max=1_000_000),
                                **_from_settings("在编人数达到此数须配专职党务干部"))


class GoalsDueParams(Schema):
    due_month = fields.Int(validate=validate.Range(min=1, max=12),
                           **_from_settings("当年融合目标应在此月底前制定"))


def _organ_name(row: scopes.OrgRow) -> str:
    return row.attributes.get("organ_name") or row.name


def check_brand_missing(ctx: RuleContext) -> list[Finding]:
    found = scopes.load()
    organs = scopes.active_organs(found)
    if not organs:
        return []
    with_brand = set(db.session.scalars(select(Brand.org_id).where(Brand.org_id.in_([r.id for r in organs]))))
    return [Finding(org_id=r.id, figures={"organ": _organ_name(r)})
            for r in organs if r.id not in with_brand]


def check_milestones(ctx: RuleContext) -> list[Finding]:
    grace = ctx.params["grace_days"]
    if grace is None:
        grace = settings()["brand_milestone_grace_days"]
    cutoff = ctx.today - timedelta(days=grace)
    rows = db.session.execute(
        select(Brand.org_id, Brand.name, BrandMilestone.title, BrandMilestone.due_on)
        .join(Brand, Brand.id == BrandMilestone.brand_id)
        .join(Organization, Organization.id == Brand.org_id)
        .where(Organization.status == "active", Organization.sector == PLUGIN,
               BrandMilestone.done_on.is_(None), BrandMilestone.due_on < cutoff)
        .order_by(Brand.org_id, BrandMilestone.due_on, BrandMilestone.title)
    ).all()
    by_org: dict = {}
    for org_id, brand, title, due_on in rows:
        entry = by_org.get(org_id)
        if entry is None:  # ordered by due day: the first is the most overdue
            by_org[org_id] = entry = {"brand": brand, "count": 0, "title": title,
                                      "due_on": due_on.isoformat(), "days": (ctx.today - due_on).days}
        entry["count"] += 1
    return [Finding(org_id=org_id, figures=figures) for org_id, figures in by_org.items()]


def check_staff(ctx: RuleContext) -> list[Finding]:
    ratio, size = staffing.rules(ctx.params)
    found = scopes.load()
    organs = scopes.active_organs(found)
    if not organs:
        return []
    units = staffing.unit_staff([r.id for r in organs])
    findings = []
    for row in organs:
        figures = staffing.of(row.attributes, units.get(row.id), ratio, size)
        if figures.known and not figures.ratio_met:
            findings.append(Finding(org_id=row.id, figures={
                "organ": _organ_name(row), "staff": figures.staff, "full_time": figures.full_time,
                "part_time": figures.part_time, "required": figures.required, "ratio": f"{ratio:g}"}))
    return findings


def check_goals_missing(ctx: RuleContext) -> list[Finding]:
    month = ctx.params["due_month"] or settings()["business_goals_due_month"]
    year = ctx.today.year
    due = date(year, month, calendar.monthrange(year, month)[1])
    if ctx.today <= due:
        return []
    found = scopes.load()
    organs = scopes.active_organs(found)
    if not organs:
        return []
    with_goals = set(db.session.scalars(select(BusinessGoal.org_id).where(
        BusinessGoal.org_id.in_([r.id for r in organs]), BusinessGoal.year == year).distinct()))
    return [Finding(org_id=r.id, figures={"organ": _organ_name(r), "year": year, "due": due.isoformat()})
            for r in organs if r.id not in with_goals]


def check_goals_missed(ctx: RuleContext) -> list[Finding]:
    year = ctx.today.year
    rows = db.session.execute(
        select(BusinessGoal.org_id, BusinessGoal.business_goal)
        .join(Organization, Organization.id == BusinessGoal.org_id)
        .where(Organization.status == "active", Organization.sector == PLUGIN,
               BusinessGoal.year == year, BusinessGoal.status == MISSED)
        .order_by(BusinessGoal.org_id, BusinessGoal.reviewed_on, BusinessGoal.business_goal)
    ).all()
    by_org: dict = {}
    for org_id, goal in rows:
        by_org.setdefault(org_id, []).append(goal)
    return [Finding(org_id=org_id, figures={"year": year, "count": len(goals),
                                            "goals": "、".join(goals[:TITLES_SHOWN])})
            for org_id, goals in by_org.items()]


def rules() -> list[WarningRule]:
    return [
        WarningRule(
            key="organs.brand_missing", name="未创建机关党建品牌", severity="warning",
            message="{organ}尚未创建党建品牌。按照“一机关一品牌”要求，请结合本机关职能确定党建主题，"
                    "制定品牌创建计划（推进措施、运行机制和创建节点）。",
            check=check_brand_missing, sectors=SECTORS,
        ),
        WarningRule(
            key="organs.brand_milestone_overdue", name="党建品牌创建节点逾期", severity="warning",
            message="党建品牌“{brand}”有 {count} 个创建节点逾期未完成，其中“{title}”"
                    "（计划 {due_on} 完成）已逾期 {days} 天，请抓紧推进并上传佐证。",
            check=check_milestones, params=MilestoneParams, sectors=SECTORS,
        ),
        WarningRule(
            key="organs.party_staff_short", name="机关专职党务干部配备不足", severity="warning",
            message="{organ}在编 {staff} 人，专职党务干部 {full_time} 人（兼职 {part_time} 人），"
                    "按 {ratio}% 的比例应配备 {required} 人，请配齐配强机关党务干部。",
            check=check_staff, params=StaffParams, sectors=SECTORS,
        ),
        WarningRule(
            key="organs.business_goals_missing", name="未制定党建与业务融合目标", severity="warning",
            message="{organ}{year} 年的党建与业务融合目标应于 {due} 前制定，目前尚未录入，"
                    "请围绕中心工作确定业务目标及对应的党建举措。",
            check=check_goals_missing, params=GoalsDueParams, sectors=SECTORS,
        ),
        WarningRule(
            key="organs.business_goals_missed", name="党建与业务融合目标未完成", severity="info",
            message="{year} 年有 {count} 项党建与业务融合目标未完成（{goals}），请分析原因，调整党建举措。",
            check=check_goals_missed, sectors=SECTORS,
        ),
    ]
