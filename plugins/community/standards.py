"""The community sector's default standard: 社区党组织星级评定标准.

It rates the organisations that lead communities and streets — 社区党委, 社区党总支 and the
街道党工委 above them (kinds ``committee`` and ``general_branch`` of the community sector);
the branches inside a community (网格党支部, 小区党支部…) stay under core's branch standard
(三会一课 and the rest), which a sector standard would otherwise replace for them.

Core's indicators of organisational life (``life.*``), set-up (``orgs.setup``) and dues
(``dues.paid_rate``) measure an organisation's own members, which a community committee
keeps in its branches, so they apply to branch-level kinds only and are not here. What is
here from core measures the whole subtree or the committee's own duties: the members'
average points (``points.branch_average``, over the subtree), serious warnings, problems and
their rectification, 软弱涣散 and member development breaches. The community's own work —
grids, 红色物业, 业委会, community workers, the venue, 双报到 — weighs 40 of 100.
"""

from __future__ import annotations

from core.sdk import StandardItem, StandardTemplate

COMMUNITY_STANDARD = "community.community_standard"

# indicator → points (adding up to 100)
WEIGHTS = (
    ("community.grid_branches", 8),
    ("community.red_property", 8),
    ("community.owners_committees", 4),
    ("community.worker_staffing", 6),
    ("community.worker_pay", 3),
    ("community.venue_area", 5),
    ("community.registered_service", 6),
    ("points.branch_average", 20),
    ("warnings.open_serious", 12),
    ("problems.rectification_rate", 10),
    ("problems.overdue", 8),
    ("problems.weak_designation", 5),
    ("development.breaches", 5),
)


def templates() -> list[StandardTemplate]:
    return [
        StandardTemplate(
            key=COMMUNITY_STANDARD,
            name="社区党组织星级评定标准",
            items=tuple(StandardItem(indicator, weight) for indicator, weight in WEIGHTS),
            sector="community",
            kinds=("committee", "general_branch"),
            description="社区党委（党总支）和街道党工委：网格党组织覆盖、红色物业、业委会组建、"
                        "社区工作者配备和待遇、党群服务中心、在职党员报到服务，以及党员积分、预警、"
                        "问题整改和发展党员，满分 100 分；目标按年度周期设置。",
        )
    ]
