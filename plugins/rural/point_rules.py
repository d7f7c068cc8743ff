"""The rural sector's member point rules (党员积分).

* ``rural.duty_taken`` (collected) — a member takes a duty post (无职党员设岗定责): points on the
  day the post starts, one entry per post (``source_ref`` ``"rural_member_duties:<id>"``).
* ``rural.duty_service`` (hand-recorded) — a member does the work of their post (履职: a
  dispute mediated, a policy explained door to door, a village-affairs check); the secretary
  records it with evidence, capped per year.
* ``rural.mobile_report`` (collected) — a mobile member reports in to the village
  organisation of their own accord (流动党员主动报告: ``initiated_by: member`` in the contacts),
  one entry per report (``"rural_mobile_contacts:<id>"``), capped at four a year.

Collectors are set-based: one query each for the whole tenant and period.
"""

from __future__ import annotations

from sqlalchemy import select

from core.sdk import CollectContext, Deed, PointRule, db
from plugins.rural.models import MemberDuty, MobileContact


def collect_duties(ctx: CollectContext) -> list[Deed]:
    rows = db.session.execute(
        select(MemberDuty.id, MemberDuty.member_id, MemberDuty.started_on, MemberDuty.duty)
        .where(MemberDuty.started_on >= ctx.start, MemberDuty.started_on <= ctx.end)
    )
    return [Deed(member_id=member_id, occurred_on=started_on,
                 source_ref=f"rural_member_duties:{duty_id}", evidence={"duty": duty})
            for duty_id, member_id, started_on, duty in rows]


def collect_reports(ctx: CollectContext) -> list[Deed]:
    rows = db.session.execute(
        select(MobileContact.id, MobileContact.member_id, MobileContact.contacted_on,
               MobileContact.channel)
        .where(MobileContact.initiated_by == "member", MobileContact.contacted_on >= ctx.start,
               MobileContact.contacted_on <= ctx.end)
    )
    return [Deed(member_id=member_id, occurred_on=contacted_on,
                 source_ref=f"rural_mobile_contacts:{contact_id}", evidence={"channel": channel})
            for contact_id, member_id, contacted_on, channel in rows]


def point_rules() -> list[PointRule]:
    return [
        PointRule(
            key="rural.duty_taken", name="认领岗位（设岗定责）", points=3, category="volunteering",
            yearly_cap=6, collect=collect_duties,
            description="无职党员认领政策宣传、纠纷调解、村务监督等岗位，每个岗位记 3 分，"
                        "每年最多 6 分（按设岗定责记录自动计分）。",
        ),
        PointRule(
            key="rural.duty_service", name="设岗定责履职", points=2, category="volunteering",
            yearly_cap=24, evidence_required=True,
            description="按所设岗位履职（调解一起纠纷、入户宣传政策、参与村务监督等），每次记 2 分，"
                        "每年最多 24 分，须附佐证材料。",
        ),
        PointRule(
            key="rural.mobile_report", name="流动党员主动报告", points=2, category="other",
            yearly_cap=8, collect=collect_reports,
            description="流动党员主动向村党组织报告思想、工作和生活情况，每次记 2 分，"
                        "每年最多 8 分（按流动党员联系记录自动计分）。",
        ),
    ]
