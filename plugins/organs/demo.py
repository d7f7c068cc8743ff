"""Demo data for the organs sector (``dangjian demo``): the demo city's organ organisation (市财政局
机关党支部 under 市直机关工委) gets its Party-work staffing, the brand “财政为民·红色账本” with a plan
and milestones (one overdue, so the warning shows), a 模范机关 self-assessment that misses one
criterion, and the year's business goals with their Party measures (one missed).

Everything goes through :mod:`plugins.organs.service` and ``set_org_attributes``, and each
part is added only when missing, so a second run adds nothing. Dates follow the demo's
``today``. The demo tree has one organ organisation: the second organ a city would compare it
with is not there (core's tree is not ours to change); the organisation falls short on some
indicators and meets others instead.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.sdk import MEMBER_ACTIVE_STATUSES, Member, Organization, db, set_org_attributes
from plugins.organs import scope, service
from plugins.organs.models import BusinessGoal, ModelAssessment

ATTRIBUTES = {
    "organ_name": "示范市财政局", "staff_total": 86, "party_office_full_time": 1,
    "party_office_part_time": 3, "party_office_head": "周海燕",
}
BRAND = {
    "name": "财政为民·红色账本", "slogan": "算好民生账 守好百姓钱",
    "description": "以“红色账本”记录党员为民理财的承诺与实绩，把党建融入预算编制、国库支付、惠企资金直达等财政主业。",
    "plan": "推进措施：设立党员先锋岗、编印政策明白账、开展“红色账本”进社区进企业；"
            "运行机制：支部每季度晾晒一次账本，年底评估成效并申报示范品牌。",
    "status": "active",
}
GOALS = (
    ("预算执行进度不低于序时进度", "党员先锋岗领办预算执行攻坚，支委会每月研判进度", "on_track", None),
    ("惠企资金直达率达到 100%", "“红色账本”进企业专题服务，党员包联重点企业", "done", "直达资金全部在规定时限内拨付到位。"),
    ("政府采购营商环境评价进入全省前列", "采购窗口党员亮身份、作承诺，开展“码上评”", "on_track", None),
    ("行政事业单位国有资产清查全覆盖", "支部结对共建清查小组", "missed", "部分下属单位资产底数未清，结转下年续查。"),
)


def _organ() -> Organization | None:
    """The demo's first active organ organisation of the sector."""
    found = scope.load()
    organs = sorted(scope.active_organs(found), key=lambda r: r.path)
    if not organs:
        return None
    return db.session.scalar(select(Organization).where(Organization.id == organs[0].id))


def _member(org: Organization):
    return db.session.scalar(
        select(Member.id).where(Member.org_id == org.id, Member.status.in_(MEMBER_ACTIVE_STATUSES))
        .order_by(Member.joined_on, Member.name).limit(1))


def _milestones(today: date, member_id) -> list[dict]:
    return [
        {"title": "制定“红色账本”品牌创建方案", "due_on": date(today.year - 1, 4, 30),
         "done_on": date(today.year - 1, 4, 20), "evidence": "支委会审议通过创建方案（会议纪要）。"},
        {"title": "设立“红色账本”党员先锋岗（国库支付窗口）", "due_on": today - timedelta(days=150),
         "done_on": today - timedelta(days=155), "evidence": "先锋岗挂牌照片及岗位职责。",
         "responsible_member_id": member_id},
        {"title": "编印《惠民政策明白账》进社区宣讲", "due_on": today - timedelta(days=60),
         "done_on": today - timedelta(days=62), "evidence": "宣讲 6 场，发放明白账 1200 份。",
         "responsible_member_id": member_id},
        {"title": "“红色账本”进企业：惠企资金直达专题服务", "due_on": today - timedelta(days=20)},
        {"title": "品牌创建成效评估，申报市级示范品牌", "due_on": today + timedelta(days=90)},
    ]


def ensure(today: date) -> str | None:
    org = _organ()
    if org is None:
        return None
    added = []
    if not (org.attributes or {}).get("organ_name"):
        set_org_attributes(org, ATTRIBUTES)
        added.append("staffing")
    if service.brand_of(org.id) is None:
        brand = service.create_brand(org, {**BRAND, "started_on": date(today.year - 1, 3, 1)})
        member_id = _member(org)
        for milestone in _milestones(today, member_id):
            service.add_milestone(brand, org, milestone)
        added.append(f"brand “{brand.name}” with milestones")
    if not db.session.scalar(select(func.count()).select_from(ModelAssessment).where(
            ModelAssessment.org_id == org.id, ModelAssessment.year == today.year)):
        criteria = service.criteria()
        service.create_assessment(org, {
            "year": today.year, "assessed_on": today,
            "criteria": {c: c != "制度建设" for c in criteria},
            "note": "制度建设方面，党建工作责任清单尚未覆盖全部处室，正在完善。",
        })
        added.append("模范机关 self-assessment")
    if not db.session.scalar(select(func.count()).select_from(BusinessGoal).where(
            BusinessGoal.org_id == org.id, BusinessGoal.year == today.year)):
        reviewed = max(date(today.year, 1, 1), today - timedelta(days=10))
        for goal, measure, status, result in GOALS:
            service.create_goal(org, {
                "year": today.year, "business_goal": goal, "party_measure": measure, "status": status,
                "result": result, "reviewed_on": reviewed if status in ("done", "missed") else None,
            })
        added.append(f"{len(GOALS)} business goals")
    db.session.flush()
    return f"{org.name}: {', '.join(added)}" if added else None
