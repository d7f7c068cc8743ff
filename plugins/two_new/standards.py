"""The two_new plugin's default standards (标准), for yearly cycles; tenants copy and adapt them.

* ``two_new.branch_standard`` — 非公企业和社会组织党支部星级评定标准, for branches, joint
  branches and general branches of the sector: core's 三会一课, dues, organisation set-up,
  development and warnings, plus the sector's own work (九有, instructor, joint-branch size,
  the role the branch plays) weighing about a third (34 of 100).
* ``two_new.committee_standard`` — 两新组织党委（综合党委）党建工作考核标准, for the sector's
  committees that keep a register: 两个覆盖 and new-employment groups (40 of 100) with core's
  problem rectification, overdue problems, serious warnings and weak organisations (a
  committee has few members of its own, so member-based core indicators are left out).
"""

from __future__ import annotations

from core.sdk import StandardItem, StandardTemplate
from plugins.two_new.attributes import SECTOR

BRANCH_STANDARD = "two_new.branch_standard"
COMMITTEE_STANDARD = "two_new.committee_standard"

# indicator → points (adding up to 100)
BRANCH_WEIGHTS = (
    ("two_new.nine_haves", 14),
    ("two_new.instructor", 6),
    ("two_new.joint_branch_size", 6),
    ("two_new.role_played", 8),
    ("life.general_meetings", 6),
    ("life.committee_meetings", 6),
    ("life.party_lectures", 6),
    ("life.theme_days", 6),
    ("life.life_meeting", 4),
    ("life.member_review", 4),
    ("life.attendance_rate", 4),
    ("dues.paid_rate", 8),
    ("orgs.setup", 10),
    ("development.recruited", 4),
    ("warnings.open_serious", 8),
)

COMMITTEE_WEIGHTS = (
    ("two_new.org_coverage", 16),
    ("two_new.work_coverage", 14),
    ("two_new.group_coverage", 10),
    ("problems.rectification_rate", 20),
    ("problems.overdue", 15),
    ("warnings.open_serious", 15),
    ("problems.weak_designation", 10),
)


def templates() -> list[StandardTemplate]:
    return [
        StandardTemplate(
            key=BRANCH_STANDARD,
            name="非公企业和社会组织党支部星级评定标准",
            items=tuple(StandardItem(indicator, weight) for indicator, weight in BRANCH_WEIGHTS),
            sector=SECTOR,
            kinds=("branch", "joint_branch", "general_branch"),
            description="三会一课、主题党日、组织生活会和民主评议、党费交纳、组织设置、发展党员和预警整改，"
                        "加上党建阵地“九有”、党建指导员在岗、联合党支部规模和党组织作用发挥，满分 100 分；"
                        "目标按年度周期设置。",
        ),
        StandardTemplate(
            key=COMMITTEE_STANDARD,
            name="两新组织党委（综合党委）党建工作考核标准",
            items=tuple(StandardItem(indicator, weight) for indicator, weight in COMMITTEE_WEIGHTS),
            sector=SECTOR,
            kinds=("committee",),
            description="党的组织覆盖（应建尽建）、党的工作覆盖、新就业群体覆盖，问题整改、严重预警和"
                        "软弱涣散党组织整顿，满分 100 分。",
        ),
    ]
