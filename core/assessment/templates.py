"""Core's default standard (``dangjian_standards``): 党支部标准化规范化建设（通用）.

Sector-neutral, over core's own indicators, for branches, joint branches and general
branches of every sector; targets are the national yearly frequencies (a yearly cycle).
Sector plugins ship their own standards; a tenant copies one and changes it.
"""

from __future__ import annotations

from core.assessment.indicators import StandardItem, StandardTemplate

BRANCH_STANDARD = "core.branch_standard"

# indicator → points (adding up to 100)
WEIGHTS = (
    ("life.general_meetings", 8),
    ("life.committee_meetings", 8),
    ("life.group_meetings", 5),
    ("life.party_lectures", 8),
    ("life.theme_days", 8),
    ("life.life_meeting", 6),
    ("life.member_review", 6),
    ("life.attendance_rate", 6),
    ("dues.paid_rate", 10),
    ("orgs.setup", 15),
    ("development.recruited", 5),
    ("development.breaches", 5),
    ("warnings.open_serious", 10),
)


def templates() -> list[StandardTemplate]:
    return [
        StandardTemplate(
            key=BRANCH_STANDARD,
            name="党支部标准化规范化建设（通用）",
            items=tuple(StandardItem(indicator, weight) for indicator, weight in WEIGHTS),
            sector=None,
            kinds=("branch", "joint_branch", "general_branch"),
            description="三会一课、主题党日、组织生活会和民主评议、党费交纳、组织设置、发展党员和预警整改，"
                        "满分 100 分；目标按年度周期设置。",
        )
    ]
