"""The organs sector's default standard: 机关党支部（模范机关）考核标准.

For branches, joint branches and general branches of organs, a yearly cycle: core's
组织生活、党费、组织设置、发展党员 and 预警整改 indicators (66 points) and the organs' own work
— 模范机关创建, 一机关一品牌, 党建与业务融合, 党务干部配备 and 党费财务人员 — 34 points, about a
third. A tenant copies it and changes weights and parameters there.
"""

from __future__ import annotations

from core.sdk import StandardItem, StandardTemplate
from plugins.organs.settings import PLUGIN

ORGAN_STANDARD = "organs.organ_standard"

# indicator → points (adding up to 100)
WEIGHTS = (
    ("life.general_meetings", 6),
    ("life.committee_meetings", 6),
    ("life.party_lectures", 6),
    ("life.theme_days", 6),
    ("life.life_meeting", 5),
    ("life.member_review", 4),
    ("life.attendance_rate", 5),
    ("dues.paid_rate", 7),
    ("orgs.setup", 8),
    ("development.breaches", 4),
    ("warnings.open_serious", 5),
    ("problems.rectification_rate", 4),
    # the organs' own work: 34
    ("organs.model_organ", 9),
    ("organs.brand", 8),
    ("organs.business_integration", 8),
    ("organs.party_office_staffing", 5),
    ("organs.dues_finance", 4),
)


def templates() -> list[StandardTemplate]:
    return [
        StandardTemplate(
            key=ORGAN_STANDARD,
            name="机关党支部（模范机关）考核标准",
            items=tuple(StandardItem(indicator, weight) for indicator, weight in WEIGHTS),
            sector=PLUGIN,
            kinds=("branch", "joint_branch", "general_branch"),
            description="三会一课、组织生活会和民主评议、党费、组织设置、发展党员和预警整改（66 分），"
                        "模范机关创建、一机关一品牌、党建与业务融合、机关党务干部和党费财务人员配备（34 分），"
                        "满分 100 分；目标按年度周期设置。",
        )
    ]
