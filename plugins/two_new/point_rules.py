"""The two_new plugin's member point rules (党员积分).

* ``two_new.instructor_duty`` (collected) — a member serving as 党建指导员 or 党建第一书记 in
  non-public units (the instructors register, ``member_id`` set): 10 points per calendar year
  in post, once a year. The deed falls on the first day in post that year (1 January, or the
  day the stationing began) and is found by a collection whose period contains that day;
  ``source_ref`` is ``"two_new_instructors:<id>:<year>"``, so collecting again adds nothing.
* ``two_new.group_service`` (hand-recorded) — serving new-employment groups (暖“新”服务: a
  shift at a station for couriers and riders, a visit, help with a claim), 2 points a time,
  at most 20 a year, evidence required.
* ``two_new.show_identity`` (hand-recorded) — a member working in a non-public unit who came
  forward and transferred their organisational relation (“双找”：亮明身份、接转关系), 5 points
  once a year.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from core.sdk import CollectContext, Deed, PointRule, db
from plugins.two_new.models import INSTRUCTOR_ROLE_LABELS, TwoNewInstructor


def collect_instructor_duty(ctx: CollectContext) -> list[Deed]:
    """Instructors who are register members and in post at some point of the period: one
    query; a deed for each year whose first day in post lies in the period."""
    rows = db.session.execute(
        select(TwoNewInstructor.id, TwoNewInstructor.member_id, TwoNewInstructor.role,
               TwoNewInstructor.started_on, TwoNewInstructor.ended_on)
        .where(TwoNewInstructor.member_id.is_not(None), TwoNewInstructor.started_on <= ctx.end,
               or_(TwoNewInstructor.ended_on.is_(None), TwoNewInstructor.ended_on > ctx.start))
    ).all()
    deeds = []
    for instructor_id, member_id, role, started, ended in rows:
        for year in range(max(started.year, ctx.start.year), ctx.end.year + 1):
            first_day = max(started, date(year, 1, 1))
            in_post = ended is None or ended > first_day
            if in_post and ctx.start <= first_day <= ctx.end:
                deeds.append(Deed(
                    member_id=member_id, occurred_on=first_day,
                    source_ref=f"two_new_instructors:{instructor_id}:{year}",
                    evidence={"instructor_id": str(instructor_id), "year": year,
                              "role": INSTRUCTOR_ROLE_LABELS.get(role, role)},
                ))
    return deeds


def point_rules() -> list[PointRule]:
    return [
        PointRule(
            key="two_new.instructor_duty", name="担任两新组织党建指导员（第一书记）", points=10,
            category="other", yearly_cap=10, collect=collect_instructor_duty,
            description="党员被选派担任非公企业、社会组织党建指导员或党建第一书记，在岗每年记 10 分"
                        "（按选派记录自动计分）。",
        ),
        PointRule(
            key="two_new.group_service", name="服务新就业群体", points=2, category="volunteering",
            yearly_cap=20, evidence_required=True,
            description="为快递员、外卖配送员、网约车司机、货车司机等新就业群体提供志愿服务（驿站值守、"
                        "走访慰问、帮办代办），每次记 2 分，每年最多 20 分，须注明服务内容。",
        ),
        PointRule(
            key="two_new.show_identity", name="亮明党员身份、接转组织关系", points=5, category="other",
            yearly_cap=5, evidence_required=True,
            description="在非公企业、社会组织工作的党员主动亮明身份并及时接转组织关系（“双找”），"
                        "记 5 分（每年一次）。",
        ),
    ]
