"""The soe sector's default standards (``dangjian_standards``), one per kind group, so no
organisation is scored on what does not concern it:

* ``soe.enterprise_standard`` 国有企业党委星级评定标准 — for the enterprise's Party committee:
  the enterprise's Party-building work (40: 党建入章, 前置研究讨论, 双向进入、交叉任职, 党建考核
  与经营业绩挂钩) and core's checks a committee answers for (60: members' average points over
  its subtree, open serious warnings, overdue problems and rectification). Core's
  organisational-life indicators measure branches only, so they are not here.
* ``soe.branch_standard`` 国有企业党支部星级评定标准 — for branches and general branches:
  core's 三会一课, dues, set-up, development and warnings (67) and the branch's part in the
  enterprise's work (33: 党员先锋岗、责任区 coverage, 党员攻关和创新成果).

Targets are yearly (a yearly cycle); a tenant copies a standard and changes it there.
"""

from __future__ import annotations

from core.sdk import StandardItem, StandardTemplate

ENTERPRISE_STANDARD = "soe.enterprise_standard"
BRANCH_STANDARD = "soe.branch_standard"

# indicator → points (adding up to 100)
ENTERPRISE_WEIGHTS = (
    ("points.branch_average", 15),
    ("warnings.open_serious", 15),
    ("problems.overdue", 15),
    ("problems.rectification_rate", 15),
    # the enterprise's Party-building work: 40
    ("soe.charter", 10),
    ("soe.prior_review", 12),
    ("soe.cross_appointment", 10),
    ("soe.performance_link", 8),
)

BRANCH_WEIGHTS = (
    ("life.general_meetings", 7),
    ("life.committee_meetings", 7),
    ("life.party_lectures", 7),
    ("life.theme_days", 7),
    ("life.life_meeting", 5),
    ("life.member_review", 5),
    ("life.attendance_rate", 5),
    ("dues.paid_rate", 8),
    ("orgs.setup", 8),
    ("development.recruited", 3),
    ("warnings.open_serious", 5),
    # the branch's part in the enterprise's work: 33
    ("soe.vanguard_coverage", 18),
    ("soe.innovation_projects", 15),
)


def _items(weights) -> tuple[StandardItem, ...]:
    return tuple(StandardItem(indicator, weight) for indicator, weight in weights)


def templates() -> list[StandardTemplate]:
    return [
        StandardTemplate(
            key=ENTERPRISE_STANDARD,
            name="国有企业党委星级评定标准",
            items=_items(ENTERPRISE_WEIGHTS),
            sector="soe",
            kinds=("committee",),
            description="党建入章、党委前置研究讨论、双向进入交叉任职、党建考核与经营业绩挂钩（40 分），"
                        "党员平均积分、严重预警、问题整改（60 分），满分 100 分；目标按年度周期设置。",
        ),
        StandardTemplate(
            key=BRANCH_STANDARD,
            name="国有企业党支部星级评定标准",
            items=_items(BRANCH_WEIGHTS),
            sector="soe",
            kinds=("branch", "general_branch"),
            description="三会一课、主题党日、组织生活会和民主评议、党费、组织设置、发展党员、预警（67 分），"
                        "党员先锋岗责任区覆盖、党员攻关和创新成果（33 分），满分 100 分；目标按年度周期设置。",
        ),
    ]
