"""The synthetic city's organisation tree: 市委 → 县(区)委 → 乡镇党委 / 街道党工委 / 机关工委 /
综合党委 → branches, with the city's 国资委党委 → 集团党委 → SOE branches (党小组 under the
largest branches come later, from :mod:`core.seed.groups`, once the members are known).

Rows are plain dicts for :mod:`core.seed.bulk`; ``path``/``depth`` are built exactly as
:func:`core.orgs.service.create` builds them.

Terms are spread as in a real year: most end later in their term, ~5 % within the next 90
days and ~2 % are overdue (so ``orgs.term_ending`` / ``orgs.term_overdue`` find a few, not
every third organisation). An organisation was founded before its previous term began: the
current committee may have been re-elected, and the posts then date from the previous term
(:mod:`core.seed.committees`).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.orgs.terms import NATIONAL_DEFAULTS, add_years, setting_name
from core.seed import names
from core.seed.profiles import GROUP_SHARE, SECTORS, Profile

FIVE_YEAR_SECTORS = ("rural", "community")  # 村、社区党组织 serve 5 years throughout


def national_term_years(sector: str | None, kind: str) -> int | None:
    """The sector plugins' default term lengths (a tenant's settings may differ: the seed
    passes :func:`core.orgs.terms.sector_term_years` instead)."""
    name = setting_name(kind)
    if name is None:
        return None
    if sector in FIVE_YEAR_SECTORS:
        return 5
    return NATIONAL_DEFAULTS[name]


def term_start(years: int, rng: random.Random, today: date) -> date:
    """When the current term began: ~2 % overdue (ended up to a year ago), ~5 % ending within
    90 days, the rest ending later in the term."""
    roll = rng.random()
    if roll < 0.02:
        ends = today - timedelta(days=rng.randrange(1, 365))
    elif roll < 0.07:
        ends = today + timedelta(days=rng.randrange(0, 91))
    else:
        ends = today + timedelta(days=rng.randrange(91, 365 * years))
    return add_years(ends, -years)


@dataclass
class Tree:
    rows: list[dict] = field(default_factory=list)
    branches: list[dict] = field(default_factory=list)  # the rows that hold members

    term_years: Callable[[str | None, str], int | None] = national_term_years

    def add(self, parent: dict | None, code: str, name: str, kind: str, sector: str | None,
            rng: random.Random, today: date) -> dict:
        org_id = uuid.uuid4()
        founded = date(rng.randint(1985, today.year - 2), rng.randint(1, 12), 1)
        years = self.term_years(sector, kind)
        started = None
        if years is not None:
            started = term_start(years, rng, today)
            founded = min(founded, add_years(started, -years))  # before the previous term
        row = {
            "id": org_id,
            "parent_id": parent["id"] if parent else None,
            "path": f"{parent['path'] if parent else '/'}{org_id.hex}/",
            "depth": parent["depth"] + 1 if parent else 0,
            "code": code,
            "name": name,
            "kind": kind,
            "sector": sector,
            "founded_on": founded,
            "term_started_on": started,
            "contact": None,
            "phone": f"0731-{rng.randint(80000000, 89999999)}",
            "attributes": {},
            "status": "active",
        }
        self.rows.append(row)
        if kind in ("branch", "general_branch", "joint_branch"):
            self.branches.append(row)
        return row


def _place(rng: random.Random) -> str:
    return rng.choice(names.PLACE_SYLLABLES) + rng.choice(names.PLACE_SYLLABLES)


def branch_counts(profile: Profile) -> dict[str, int]:
    """Branches per sector such that the whole tree — with the 党小组 (``GROUP_SHARE`` of the
    organisations) added later — is close to ``profile.organizations``."""
    def committees_for(counts: dict[str, int]) -> int:
        total = 1 + profile.counties + 1  # 市委, 县委s, 国资委党委
        for sector, n in counts.items():
            parents = math.ceil(n / SECTORS[sector].per_parent)
            total += parents
            if sector == "community":
                total += math.ceil(n / 3)  # 社区党委 between the street and its grid branches
        return total

    budget = profile.organizations - group_count(profile)
    branches = budget
    while branches > 0:
        counts = {s: max(1, round(branches * shape.share)) for s, shape in SECTORS.items()}
        if sum(counts.values()) + committees_for(counts) <= budget:
            return counts
        branches -= max(1, branches // 200)
    raise ValueError("profile too small for a tree")


def group_count(profile: Profile) -> int:
    """How many 党小组 the profile's city has."""
    return round(profile.organizations * GROUP_SHARE)


def build(profile: Profile, rng: random.Random, today: date,
          term_years: Callable[[str | None, str], int | None] = national_term_years) -> Tree:
    """The tree; ``term_years(sector, kind)`` gives an organisation's term length."""
    tree = Tree(term_years=term_years)
    root = tree.add(None, "C", "合成市委", "committee", None, rng, today)
    counties = [
        tree.add(root, f"C{i:02d}", f"{names.COUNTY_NAMES[i % len(names.COUNTY_NAMES)]}"
                 f"{'区' if i % 3 else '县'}委{'' if i < len(names.COUNTY_NAMES) else i}",
                 "committee", None, rng, today)
        for i in range(profile.counties)
    ]
    counts = branch_counts(profile)
    for sector, n in counts.items():
        per_parent = SECTORS[sector].per_parent
        parents = math.ceil(n / per_parent)
        if sector == "soe":
            holding = tree.add(root, "CGZ", "合成市国资委党委", "committee", "soe", rng, today)
        for p in range(parents):
            county = counties[p % len(counties)]
            size = min(per_parent, n - p * per_parent)
            if sector == "rural":
                town = tree.add(county, f"{county['code']}-X{p:03d}", f"{_place(rng)}镇党委",
                                "committee", "rural", rng, today)
                for b in range(size):
                    kind = "general_branch" if b % 10 == 9 else "branch"
                    label = "党总支" if kind == "general_branch" else "党支部"
                    tree.add(town, f"{town['code']}-{b:02d}", f"{_place(rng)}村{label}", kind,
                             "rural", rng, today)
            elif sector == "community":
                street = tree.add(county, f"{county['code']}-J{p:03d}", f"{_place(rng)}街道党工委",
                                  "committee", "community", rng, today)
                for c in range(math.ceil(size / 3)):
                    community = tree.add(street, f"{street['code']}-{c:02d}",
                                         f"{_place(rng)}社区党委", "committee", "community", rng, today)
                    for g in range(min(3, size - c * 3)):
                        tree.add(community, f"{community['code']}-{g}",
                                 f"{community['name'][:-2]}第{g + 1}网格党支部", "branch",
                                 "community", rng, today)
            elif sector == "organs":
                work = tree.add(county, f"{county['code']}-G{p:03d}", f"{county['name'][:-1]}直机关工委",
                                "committee", "organs", rng, today)
                for b in range(size):
                    tree.add(work, f"{work['code']}-{b:02d}", f"{county['name'][:-1]}{_place(rng)}局机关党支部",
                             "branch", "organs", rng, today)
            elif sector == "two_new":
                comprehensive = tree.add(county, f"{county['code']}-F{p:03d}",
                                         f"{county['name'][:-1]}非公有制经济组织和社会组织综合党委",
                                         "committee", "two_new", rng, today)
                for b in range(size):
                    what = "有限公司党支部" if b % 4 else "协会党支部"
                    tree.add(comprehensive, f"{comprehensive['code']}-{b:02d}",
                             f"{_place(rng)}{'科技' if b % 2 else '商贸'}{what}", "branch", "two_new", rng, today)
            else:
                group = tree.add(holding, f"CGZ-{p:03d}", f"合成市{_place(rng)}集团党委", "committee",
                                 "soe", rng, today)
                for b in range(size):
                    tree.add(group, f"{group['code']}-{b:02d}", f"{group['name'][:-2]}第{b + 1}党支部",
                             "branch", "soe", rng, today)
    return tree
