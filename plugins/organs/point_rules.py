"""The organs sector's member point rules (党员积分规则).

* ``organs.brand_milestone`` (牵头完成品牌创建节点) — collected: the member who led a brand
  milestone (``responsible_member_id``) done on time (by its due day plus the setting
  ``brand_milestone_grace_days``) in the period; one entry per milestone (``source_ref``
  ``"organs_brand_milestones:<id>"``), so collecting twice adds nothing.
* ``organs.vanguard_post`` (党员先锋岗/示范岗) — recorded by hand, with evidence: a member
  named to a 党员先锋岗 or 示范岗 in the organ (窗口服务、业务攻坚…).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.sdk import CollectContext, Deed, PointRule, db
from plugins.organs.models import BrandMilestone
from plugins.organs.settings import settings


def collect_milestones(ctx: CollectContext) -> list[Deed]:
    """Milestones done on time in the period with a responsible member: one query."""
    grace = timedelta(days=settings()["brand_milestone_grace_days"])
    rows = db.session.execute(
        select(BrandMilestone.id, BrandMilestone.responsible_member_id, BrandMilestone.title,
               BrandMilestone.due_on, BrandMilestone.done_on)
        .where(BrandMilestone.responsible_member_id.is_not(None),
               BrandMilestone.done_on >= ctx.start, BrandMilestone.done_on <= ctx.end)
    )
    return [
        Deed(member_id=member_id, occurred_on=done_on, source_ref=f"organs_brand_milestones:{milestone_id}",
             evidence={"milestone_id": str(milestone_id), "title": title, "due_on": due_on.isoformat()})
        for milestone_id, member_id, title, due_on, done_on in rows
        if done_on <= due_on + grace
    ]


def point_rules() -> list[PointRule]:
    return [
        PointRule(
            key="organs.brand_milestone", name="牵头完成品牌创建节点", points=3, category="other",
            yearly_cap=12, collect=collect_milestones,
            description="牵头负责的机关党建品牌创建节点按期完成，每个记 3 分，每年最多 12 分（按品牌创建台账自动计分）。",
        ),
        PointRule(
            key="organs.vanguard_post", name="党员先锋岗/示范岗", points=5, category="other",
            yearly_cap=10, evidence_required=True,
            description="在机关设立的党员先锋岗、示范岗（窗口服务、业务攻坚等）履职突出，经支部认定，每次记 5 分，"
                        "每年最多 10 分；须注明认定依据。",
        ),
    ]
