"""党小组 of the synthetic city: the largest branches divide their members into 2–4 groups,
until groups are ``GROUP_SHARE`` of the organisations (see :mod:`core.seed.profiles`).

A group is an organisation of kind ``group`` under its branch, with no elected term. Its
members are registered in it (their ``org_id`` is the group's), as the app keeps them: a
branch's figures count its whole subtree, so they do not change, and a 党小组会 expects the
group's own members (:func:`core.life.service.eligible_members`).
"""

from __future__ import annotations

import random
from datetime import date

from core.seed.tree import Tree

MIN_PER_GROUP = 5


def form(tree: Tree, by_branch: dict, count: int, rng: random.Random,
         today: date) -> dict:
    """Add ``count`` groups (or fewer, when branches are too small) to ``tree`` and move the
    members into them; returns ``{branch id: [(group row, its members), …]}``."""
    formed: dict = {}
    made = 0
    for branch in sorted(tree.branches, key=lambda b: -len(by_branch.get(b["id"], ()))):
        members = by_branch.get(branch["id"], [])
        wanted = min(rng.choice((2, 3, 4)), count - made, len(members) // MIN_PER_GROUP)
        if wanted < 2:
            break
        groups = []
        for n in range(wanted):
            row = tree.add(branch, f"{branch['code']}-G{n + 1}", f"{branch['name']}第{n + 1}党小组",
                           "group", branch["sector"], rng, today)
            row["founded_on"] = max(row["founded_on"], branch["founded_on"])
            groups.append((row, []))
        for position, member in enumerate(members):
            group, own = groups[position % wanted]
            member["org_id"] = group["id"]
            own.append(member)
        formed[branch["id"]] = groups
        made += wanted
    return formed
