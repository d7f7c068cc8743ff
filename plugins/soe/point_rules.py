"""The soe sector's member point rules (党员积分).

* ``soe.innovation`` (collected) — a member took part in a 党员攻关项目, an innovation result
  or a 合理化建议 of the branch: points on the day it was achieved, one entry per member and
  result (``source_ref`` ``"soe_innovations:<id>"``), capped per year. One query for the
  whole tenant and period.
* ``soe.vanguard_post`` (hand-recorded) — a member's 党员先锋岗 / 党员责任区 / 党员示范岗 was
  assessed as having done its job (践诺、评岗): the secretary records it with evidence,
  capped per year. Holding a post earns nothing by itself: the assessment does.
"""

from __future__ import annotations

from sqlalchemy import select

from core.sdk import CollectContext, Deed, PointRule, db
from plugins.soe.models import INNOVATION_LABELS, Innovation, InnovationMember


def collect_innovations(ctx: CollectContext) -> list[Deed]:
    rows = db.session.execute(
        select(Innovation.id, Innovation.title, Innovation.kind, Innovation.achieved_on,
               InnovationMember.member_id)
        .join(InnovationMember, InnovationMember.innovation_id == Innovation.id)
        .where(Innovation.achieved_on >= ctx.start, Innovation.achieved_on <= ctx.end)
    )
    return [Deed(member_id=member_id, occurred_on=achieved_on,
                 source_ref=f"soe_innovations:{innovation_id}",
                 evidence={"title": title, "kind": INNOVATION_LABELS.get(kind, kind)})
            for innovation_id, title, kind, achieved_on, member_id in rows]


def point_rules() -> list[PointRule]:
    return [
        PointRule(
            key="soe.innovation", name="党员攻关和创新成果", points=5, category="other",
            yearly_cap=20, collect=collect_innovations,
            description="参与党员攻关项目、取得创新成果或合理化建议被采纳，每项记 5 分，每年最多 20 分"
                        "（按攻关和创新成果登记自动计分）。",
        ),
        PointRule(
            key="soe.vanguard_post", name="党员先锋岗、责任区履职", points=3, category="other",
            yearly_cap=12, evidence_required=True,
            description="党员先锋岗、责任区、示范岗经评议践诺履职良好，每次记 3 分，每年最多 12 分，"
                        "须附评议或考核材料。",
        ),
    ]
