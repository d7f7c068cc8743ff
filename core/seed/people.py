"""The synthetic city's members: plausible ages, genders, education, jobs and statuses per
sector, valid (fictional) 公民身份号码, committee posts and dues bases."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.db.encrypted import keyring
from core.dues import rates as dues_rates
from core.members.idcard import check_char
from core.members.pinyin import name_initials
from core.seed import names
from core.seed.profiles import SECTORS, Profile


def _weighted(rng: random.Random, table) -> str:
    roll, total = rng.random(), 0.0
    for value, share in table:
        total += share
        if roll < total:
            return value
    return table[0][0]


@dataclass
class People:
    members: list[dict] = field(default_factory=list)
    by_branch: dict = field(default_factory=dict)  # branch id → its active members' rows
    posts: list[dict] = field(default_factory=list)
    bases: list[dict] = field(default_factory=list)


class IdNumbers:
    """Unique, valid-looking 18-digit numbers (the check character is right)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, birth: date, gender: str) -> str:
        while True:
            sequence = self.rng.randrange(0, 500) * 2 + (1 if gender == "male" else 0)
            first17 = f"{self.rng.choice(names.REGIONS)}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + check_char(first17)
            if number not in self.used:
                self.used.add(number)
                return number


def _sizes(branches: list[dict], total: int, rng: random.Random) -> list[int]:
    """Members per branch: the sector's relative size, varied, summing exactly to ``total``."""
    weights = [SECTORS[b["sector"]].mean_members * rng.uniform(0.4, 1.6) for b in branches]
    scale = total / sum(weights)
    sizes = [max(3, int(w * scale)) for w in weights]
    i = 0
    while sum(sizes) != total:  # settle the rounding, one member at a time
        step = 1 if sum(sizes) < total else -1
        if step > 0 or sizes[i % len(sizes)] > 3:
            sizes[i % len(sizes)] += step
        i += 1
    return sizes


def build(profile: Profile, branches: list[dict], rng: random.Random, today: date) -> People:
    people = People()
    ids = IdNumbers(rng)
    ring = keyring()
    initials_cache: dict[str, str] = {}
    rates = dues_rates.effective_rates()
    for branch, size in zip(branches, _sizes(branches, profile.members, rng), strict=True):
        sector = branch["sector"]
        active = people.by_branch.setdefault(branch["id"], [])
        for _ in range(size):
            gender = "male" if rng.random() < (0.62 if sector != "community" else 0.45) else "female"
            oldest = 1940 if sector in ("rural", "community") else 1962
            birth = date(rng.randint(oldest, today.year - 19), rng.randint(1, 12), rng.randint(1, 28))
            age = today.year - birth.year
            joined = date(min(today.year, birth.year + rng.randint(19, 40)), rng.randint(1, 12), 1)
            if joined > today:
                joined = date(today.year, 1, 1)
            status = "full"
            roll = rng.random()
            if joined.year >= today.year - 1 and roll < 0.5 or roll < 0.035:
                status, joined = "probationary", date(today.year, rng.randint(1, today.month), 1)
            elif roll < 0.055:
                status = "mobile"
            elif roll < 0.06:
                status = "lost_contact"
            name = rng.choice(names.SURNAMES) + rng.choice(names.GIVEN)
            if name not in initials_cache:
                initials_cache[name] = name_initials(name)
            id_number = ids.make(birth, gender)
            retired = age >= 60 and sector != "soe"
            job = "离退休人员" if retired else rng.choice(names.JOBS[sector])
            row = {
                "id": uuid.uuid4(), "org_id": branch["id"], "name": name,
                "name_initials": initials_cache[name], "gender": gender,
                "ethnicity": _weighted(rng, names.ETHNICITIES), "birth_date": birth,
                "id_number": id_number, "id_number_index": ring.blind_index(id_number),
                "phone": f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
                "address": None, "education": _weighted(rng, names.EDUCATION), "job": job,
                "work_unit": branch["name"].removesuffix("党支部").removesuffix("党总支") or None,
                "joined_on": joined,
                "full_on": None if status == "probationary" else date(joined.year + 1, joined.month, 1),
                "status": status, "is_retired": retired,
                "is_farmer": sector == "rural" and not retired and job == "农牧渔民",
                "is_student": False, "is_unemployed": False,
                "community_registered": sector == "organs" and rng.random() < 0.8,
                "lost_contact_since": date(today.year - 1, 6, 1) if status == "lost_contact" else None,
                "lost_contact_reason": "migrant_work" if status == "lost_contact" else None,
                "mobile_since": date(today.year - 1, 3, 1) if status == "mobile" else None,
                "mobile_destination": "广东省深圳市（外出务工）" if status == "mobile" else None,
            }
            if status == "full" and row["full_on"] > today:
                row["full_on"] = today.replace(day=1)
            people.members.append(row)
            if status in ("full", "probationary", "mobile"):
                active.append(row)
            kind = dues_rates.category(_Facts(row))
            if dues_rates.needs_base(kind):
                base = Decimal(rng.randrange(2500, 15000, 100) if not retired else rng.randrange(1800, 6000, 100))
                people.bases.append({"id": uuid.uuid4(), "member_id": row["id"],
                                     "effective_from": date(today.year - 1, 1, 1), "base": base})
                row["_due"] = dues_rates.amount(kind, base, rates)
            else:
                row["_due"] = dues_rates.amount(kind, None, rates)
        secretary = next((m for m in active if m["status"] == "full"), None)
        if secretary is not None:
            people.posts.append({"id": uuid.uuid4(), "org_id": branch["id"], "post": "secretary",
                                 "member_id": secretary["id"], "started_on": branch["term_started_on"]})
    return people


class _Facts:
    """A member row seen as the attributes :func:`core.dues.rates.category` reads."""

    def __init__(self, row: dict):
        self.is_retired = row["is_retired"]
        self.is_farmer = row["is_farmer"]
        self.is_student = row["is_student"]
        self.is_unemployed = row["is_unemployed"]
