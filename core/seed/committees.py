"""Committees (支部委员会), secretaries and dues finance roles of the synthetic city.

* Every committee (党委、党工委) has a secretary, named: the seeded register holds branch
  members only.
* Every branch-level organisation has a secretary from its full members (a 第一书记 named from
  outside when it has none).
* Those with ≥ 7 full members (counted as :mod:`core.orgs.structure` counts them) have a
  committee of 3 or 5 — except ~4 % with none (``orgs.committee_missing``) and ~2 % with 6
  (``orgs.committee_size``). Its second and third members keep the dues as accountant and
  cashier (会计、出纳); in ~2 % of those branches one outsider is named for both
  (``dues.finance_roles_conflict`` — recording that is refused, an import can leave it), and
  ~3 % of the holders are not qualified. Branches without a committee keep their dues at the
  committee above (``dues.finance_roles_missing``, an info).

Posts date from the start of the current term, or of the previous one when the current term
began within the seeded year (the committee was re-elected): every meeting of the year has
its committee in office. Holders had joined the Party by then where the branch allows it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core.db import new_id
from core.orgs.models import BRANCH_LEVEL_KINDS, POSTS
from core.orgs.terms import add_years
from core.seed import names

COMMITTEE_FROM = 7  # full members from which a branch needs a committee
CHOSEN_SIZES = (3, 3, 5, 5, 5)


@dataclass
class Committees:
    posts: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    secretary: dict = field(default_factory=dict)  # branch id → the secretary's member row
    committee: dict = field(default_factory=dict)  # branch id → member rows of a committee ≥ 3


def _name(rng: random.Random) -> str:
    return rng.choice(names.SURNAMES) + rng.choice(names.GIVEN)


def in_office_since(org: dict, years: int | None, period_start: date) -> date:
    """The day the posts began: this term's start, or the previous term's when this one began
    inside the seeded period."""
    started = org["term_started_on"]
    if years and started > period_start:
        started = add_years(started, -years)
    return started


def counts_as_full(member: dict, today: date) -> bool:
    """正式党员 as the structure rules count them (mobility and lost contact aside)."""
    return member["status"] == "full" or (
        member["status"] in ("mobile", "lost_contact") and member["full_on"] <= today)


def appoint(orgs: list[dict], by_branch: dict, term_years: Callable, rng: random.Random,
            today: date, period_start: date) -> Committees:
    """Posts and finance roles of every organisation; ``by_branch`` maps a branch-level
    organisation to its active members (its groups' included)."""
    done = Committees()

    def post(org_id, name, since, member=None, person_name=None):
        done.posts.append({"id": new_id(), "org_id": org_id, "post": name, "started_on": since,
                           "member_id": member["id"] if member else None, "person_name": person_name})

    for org in orgs:
        kind = org["kind"]
        if kind not in ("committee", *BRANCH_LEVEL_KINDS):
            continue
        since = in_office_since(org, term_years(org["sector"], kind), period_start)
        if kind == "committee":
            post(org["id"], "secretary", since, person_name=_name(rng))
            continue
        members = by_branch.get(org["id"], [])
        full = [m for m in members if m["status"] == "full"]
        if not full:
            post(org["id"], "secretary", since, person_name=rng.choice(names.OUTSIDER_TITLES) + _name(rng))
            continue
        size = 1
        if sum(counts_as_full(m, today) for m in members) >= COMMITTEE_FROM:
            roll = rng.random()
            size = 1 if roll < 0.04 else 6 if roll < 0.06 else rng.choice(CHOSEN_SIZES)
        veterans = [m for m in full if m["joined_on"] <= since]
        chosen = rng.sample(veterans, min(size, len(veterans)))
        if len(chosen) < size:
            rest = [m for m in full if m["joined_on"] > since]
            chosen += rest[:size - len(chosen)]
        for member, name in zip(chosen, POSTS, strict=False):
            post(org["id"], name, since, member=member)
        done.secretary[org["id"]] = chosen[0]
        if len(chosen) >= 3:
            done.committee[org["id"]] = chosen
            _finance(done, org["id"], chosen, since, rng)
    return done


def _finance(done: Committees, org_id, chosen: list[dict], since: date, rng: random.Random) -> None:
    if rng.random() < 0.02:  # one outsider named for both: the conflict an import leaves
        outsider = _name(rng)
        holders = ((None, outsider), (None, outsider))
    else:
        holders = ((chosen[1]["id"], None), (chosen[2]["id"], None))
    for role, (member_id, person_name) in zip(("accountant", "cashier"), holders, strict=True):
        done.roles.append({"id": new_id(), "org_id": org_id, "role": role, "member_id": member_id,
                           "person_name": person_name, "qualified": rng.random() >= 0.03,
                           "since": since})
