"""The rural sector's default standard (``dangjian_standards``): 村党组织星级评定标准.

For village branches and general branches, 100 points: core's organisational life, dues,
set-up, development, warnings and rectification (65), and the village's own work (35):
collective income, the service centre, the first secretary and work team, recruitment,
duty posts and mobile members. Targets are yearly (a yearly cycle); a tenant copies the
standard and changes weights and targets there.
"""

from __future__ import annotations

from core.sdk import StandardItem, StandardTemplate

VILLAGE_STANDARD = "rural.village_standard"

# indicator → points (adding up to 100)
WEIGHTS = (
    ("life.general_meetings", 6),
    ("life.committee_meetings", 6),
    ("life.party_lectures", 6),
    ("life.theme_days", 6),
    ("life.life_meeting", 4),
    ("life.member_review", 4),
    ("life.attendance_rate", 4),
    ("dues.paid_rate", 6),
    ("orgs.setup", 8),
    ("development.breaches", 4),
    ("warnings.open_serious", 6),
    ("problems.rectification_rate", 5),
    # the village's own work: 35
    ("rural.collective_income", 10),
    ("rural.service_centre", 5),
    ("rural.first_secretary", 4),
    ("rural.recruitment", 6),
    ("rural.duty_share", 5),
    ("rural.mobile_contact", 5),
)


def templates() -> list[StandardTemplate]:
    return [
        StandardTemplate(
            key=VILLAGE_STANDARD,
            name="村党组织星级评定标准",
            items=tuple(StandardItem(indicator, weight) for indicator, weight in WEIGHTS),
            sector="rural",
            kinds=("branch", "general_branch"),
            description="三会一课、党费、组织设置、发展党员程序、预警和整改（65 分），"
                        "村级集体经济、党群服务中心、第一书记和驻村工作队、发展党员、无职党员设岗定责、"
                        "流动党员联系（35 分），满分 100 分；目标按年度周期设置。",
        )
    ]
