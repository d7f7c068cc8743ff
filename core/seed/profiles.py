"""The sizes of a synthetic city (``dangjian seed --profile``).

``city`` is a prefecture-level city's organisation department: 5,000 Party organisations and
100,000 members; ``large`` a provincial capital (30,000 and 600,000); ``small`` a county,
quick enough for tests. Sector shares follow the seeds' descriptions of an ordinary city —
villages are the most branches, enterprises the smallest, SOE branches the largest; about
one organisation in twelve is a 党小组 of one of the largest branches.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectorShape:
    share: float  # of all branches
    per_parent: int  # branches under one committee (乡镇党委, 街道党工委, 机关工委…)
    mean_members: float  # relative size of a branch's membership


SECTORS: dict[str, SectorShape] = {
    "rural": SectorShape(0.42, 14, 1.2),
    "community": SectorShape(0.18, 8, 0.8),
    "organs": SectorShape(0.16, 25, 1.0),
    "two_new": SectorShape(0.14, 30, 0.45),
    "soe": SectorShape(0.10, 10, 1.5),
}
GROUP_SHARE = 0.08  # of all organisations: 党小组 of the largest branches


@dataclass(frozen=True)
class Profile:
    name: str
    organizations: int
    members: int
    counties: int
    months: int = 12  # of meetings, dues and points before today


PROFILES = {
    "small": Profile("small", 120, 2_500, 2),
    "city": Profile("city", 5_000, 100_000, 10),
    "large": Profile("large", 30_000, 600_000, 40),
}
