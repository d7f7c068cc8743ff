"""Core's own hand-recorded point rules: volunteering, study, pioneer conduct and breaches.

Attendance (``life.attendance``) and dues paid on time (``dues.on_time``) are collected by
their slices (:mod:`core.life.point_rules`, :mod:`core.dues.point_rules`). The numbers are
common local practice; every one may be changed by the tenant administrator.
"""

from __future__ import annotations

from core.points.rules import PointRule


def point_rules() -> list[PointRule]:
    return [
        PointRule(
            key="points.volunteering", name="志愿服务", points=5, category="volunteering",
            yearly_cap=50, evidence_required=True,
            description="参加志愿服务活动，每次记 5 分，每年最多 50 分。",
        ),
        PointRule(
            key="points.study", name="学习", points=2, category="study", yearly_cap=40,
            description="参加集中学习、完成学习任务，每次记 2 分，每年最多 40 分。",
        ),
        PointRule(
            key="points.pioneer", name="先锋表现", points=10, category="other", yearly_cap=50,
            evidence_required=True,
            description="在急难险重任务中发挥先锋模范作用、受到表彰，每次记 10 分，每年最多 50 分。",
        ),
        PointRule(
            key="points.breach", name="违纪违规扣分", points=-10, category="deduction",
            yearly_cap=100, evidence_required=True,
            description="违反党的纪律或有关规定，每次扣 10 分，每年最多扣 100 分。",
        ),
    ]
