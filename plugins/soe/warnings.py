"""The soe sector's warning rules (预警), set-based over a whole tenant: each check reads the
active organisations of the sector once and the records it needs with one more query.

*Enterprises* are the organisations whose attributes give an ``enterprise_level``
(:func:`plugins.soe.attributes.is_enterprise`); the regulator's committee and workshop
branches are not checked for enterprise rules.

* ``soe.charter_missing`` (serious) — an enterprise whose charter does not (or is not
  recorded to) contain Party building (党建入章). 《国有企业基层组织工作条例》 asks it of every
  SOE; the figures say whether the enterprise has a board.
* ``soe.decision_without_review`` (serious) — matters decided in the last ``lookback_days``
  (365) without the Party committee's prior study, or studied too late (after the decision,
  or fewer than the setting ``prior_review_min_days`` days before). One warning per
  organisation (a warning's subject is an organisation, a member or a person, never a
  matter) with the count and the titles; it clears when the register shows the study (a
  correction) or the matters leave the window.
* ``soe.cross_appointment_gap`` (warning) — as of today, an enterprise's leadership falls
  short of 双向进入、交叉任职: no Party committee member (besides the secretary) on the board or
  in management, the secretary not the chairman where a board exists and the setting expects
  it, no full-time deputy secretary from the headcount set.
* ``soe.performance_link_missing`` (warning) — last year's Party-building assessment was not
  linked to the enterprise's performance assessment: no record, a weight below the setting
  ``performance_link_min_weight_pct``, or (setting ``performance_link_salary_required``) not
  bearing on pay.
"""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, fields
from marshmallow.validate import Range
from sqlalchemy import or_, select

from core.sdk import Finding, Organization, RuleContext, WarningRule, db
from plugins.soe.attributes import enterprise_label, is_enterprise
from plugins.soe.checks import (
    FULL_TIME_DEPUTY,
    SECRETARY_CHAIRMAN,
    TWO_WAY,
    appointment_items,
    review_problem,
)
from plugins.soe.models import CrossAppointment, Decision, PerformanceLink
from plugins.soe.settings import PLUGIN, settings

TITLES_SHOWN = 3
SECTORS = (PLUGIN,)


class ReviewParams(Schema):
    lookback_days = fields.Int(load_default=365, validate=Range(min=1, max=3650))


def _active():
    return (Organization.status == "active", Organization.sector == PLUGIN)


def _enterprises() -> list:
    """``(id, name, attributes)`` of the sector's active enterprises: one query."""
    rows = db.session.execute(
        select(Organization.id, Organization.name, Organization.attributes)
        .where(*_active(), Organization.kind != "group")
    ).all()
    return [row for row in rows if is_enterprise(row.attributes)]


def check_charter(ctx: RuleContext) -> list[Finding]:
    found = []
    for org_id, name, attributes in _enterprises():
        written = attributes.get("charter_includes_party_building")
        if written is True:
            continue
        found.append(Finding(org_id=org_id, figures={
            "enterprise": enterprise_label(name, attributes),
            "state": "未登记是否写入" if written is None else "未写入",
            "board": "设董事会" if attributes.get("has_board") else "未设董事会",
        }))
    return found


def check_decisions(ctx: RuleContext) -> list[Finding]:
    min_days = settings()["prior_review_min_days"]
    since = ctx.today - timedelta(days=ctx.params["lookback_days"])
    rows = db.session.execute(
        select(Decision.org_id, Decision.title, Decision.party_reviewed_on, Decision.decided_on)
        .join(Organization, Organization.id == Decision.org_id)
        .where(*_active(), Decision.decided_on >= since, Decision.decided_on <= ctx.today)
        .order_by(Decision.org_id, Decision.decided_on.desc(), Decision.title)
    ).all()
    by_org: dict = {}
    for org_id, title, reviewed, decided in rows:
        problem = review_problem(reviewed, decided, min_days)
        if problem is None:
            continue
        entry = by_org.setdefault(org_id, {"count": 0, "titles": [], "latest": decided.isoformat()})
        entry["count"] += 1
        entry["titles"].append(f"“{title}”（{decided.isoformat()}，{problem}）")
    return [
        Finding(org_id=org_id, figures={
            "count": e["count"], "latest": e["latest"], "days": ctx.params["lookback_days"],
            "titles": "、".join(e["titles"][:TITLES_SHOWN]) + ("等" if e["count"] > TITLES_SHOWN else "")})
        for org_id, e in by_org.items()
    ]


def check_cross_appointments(ctx: RuleContext) -> list[Finding]:
    s = settings()
    params = {"secretary_chairman": s["secretary_chairman_same_person"],
              "full_time_deputy_from_employees": s["full_time_deputy_secretary_min_employees"],
              "min_cross_members": s["cross_appointment_min_members"]}
    enterprises = _enterprises()
    held: dict = {}
    for org_id, name, member_id, party_post, business_post in db.session.execute(
        select(CrossAppointment.org_id, CrossAppointment.person_name, CrossAppointment.member_id,
               CrossAppointment.party_post, CrossAppointment.business_post)
        .join(Organization, Organization.id == CrossAppointment.org_id)
        .where(*_active(), CrossAppointment.started_on <= ctx.today,
               or_(CrossAppointment.ended_on.is_(None), CrossAppointment.ended_on > ctx.today))
    ):
        held.setdefault(org_id, []).append((member_id or name, party_post, business_post))
    messages = {
        SECRETARY_CHAIRMAN: "党委书记、董事长未由一人担任",
        TWO_WAY: f"进入董事会、经理层的党委委员（书记以外）不足 {params['min_cross_members']} 人",
        FULL_TIME_DEPUTY: "未配备专职副书记",
    }
    found = []
    for org_id, name, attributes in enterprises:
        items = appointment_items(attributes, held.get(org_id, []), params)
        gaps = [messages[item] for item, ok in items.items() if not ok]
        if gaps:
            found.append(Finding(org_id=org_id, figures={
                "enterprise": enterprise_label(name, attributes), "problems": "；".join(gaps)}))
    return found


def check_performance_link(ctx: RuleContext) -> list[Finding]:
    s = settings()
    minimum, salary_required = s["performance_link_min_weight_pct"], s["performance_link_salary_required"]
    year = ctx.today.year - 1
    enterprises = _enterprises()
    links = {
        row.org_id: row for row in db.session.scalars(
            select(PerformanceLink).join(Organization, Organization.id == PerformanceLink.org_id)
            .where(*_active(), PerformanceLink.year == year))
    }
    found = []
    for org_id, name, attributes in enterprises:
        row = links.get(org_id)
        if row is None:
            problems = ["未登记党建考核与经营业绩考核挂钩情况"]
        else:
            problems = []
            if float(row.link_weight_pct) < minimum:
                problems.append(f"挂钩权重 {row.link_weight_pct}% 低于规定的 {minimum:g}%")
            if salary_required and not row.salary_linked:
                problems.append("考核结果未与领导人员薪酬挂钩")
        if problems:
            found.append(Finding(org_id=org_id, figures={
                "enterprise": enterprise_label(name, attributes), "year": year,
                "problems": "；".join(problems)}))
    return found


def rules() -> list[WarningRule]:
    return [
        WarningRule(
            key="soe.charter_missing", name="党建工作未写入公司章程", severity="serious",
            message="{enterprise}（{board}）公司章程{state}党建工作要求，请按规定推进党建入章。",
            check=check_charter, sectors=SECTORS,
        ),
        WarningRule(
            key="soe.decision_without_review", name="重大事项未经党委前置研究", severity="serious",
            message="近 {days} 天有 {count} 项“三重一大”事项未经党委前置研究讨论即作出决策"
                    "（最近一项决策于 {latest}）：{titles}。请规范决策程序并整改。",
            check=check_decisions, params=ReviewParams, sectors=SECTORS,
        ),
        WarningRule(
            key="soe.cross_appointment_gap", name="双向进入、交叉任职不到位", severity="warning",
            message="{enterprise}：{problems}。",
            check=check_cross_appointments, sectors=SECTORS,
        ),
        WarningRule(
            key="soe.performance_link_missing", name="党建考核未与经营业绩考核挂钩", severity="warning",
            message="{enterprise} {year} 年：{problems}。",
            check=check_performance_link, sectors=SECTORS,
        ),
    ]
