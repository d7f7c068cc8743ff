"""The synthetic city's members: plausible ages, genders, education, jobs and statuses per
sector, valid (fictional) 公民身份号码 and dues bases.

Statuses as in a real register: ~3 % probationary (joined in the last 13 months, so a few are
past their year — ``members.probation_overdue``), ~2 % mobile and ~1 % out of contact since
dates spread over two years (most of them, not all, past the rules' six months); the rest
full members who joined at 18 or later and became full a year after. Every record passes
:func:`core.members.validation.check_record`.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from core.dates import add_months
from core.db.encrypted import keyring
from core.dues import rates as dues_rates
from core.members.idcard import check_char
from core.members.models import LOST_CONTACT_REASONS
from core.members.pinyin import name_initials
from core.members.validation import add_years
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


TINY_SECTORS = ("rural", "two_new")


def _sizes(branches: list[dict], total: int, rng: random.Random) -> list[int]:
    """Members per branch: the sector's relative size, varied, summing exactly to ``total`` —
    at least 3, except ~3 % of village and enterprise branches left with 2 (too small for a
    branch: ``orgs.branch_too_small``)."""
    weights = [SECTORS[b["sector"]].mean_members * rng.uniform(0.4, 1.6) for b in branches]
    tiny = {i for i, b in enumerate(branches) if b["sector"] in TINY_SECTORS and rng.random() < 0.03}
    scale = total / sum(weights)
    sizes = [2 if i in tiny else max(3, int(w * scale)) for i, w in enumerate(weights)]
    i = 0
    while sum(sizes) != total:  # settle the rounding, one member at a time
        step = 1 if sum(sizes) < total else -1
        at = i % len(sizes)
        if at not in tiny and (step > 0 or sizes[at] > 3):
            sizes[at] += step
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
            status, joined = _status_and_joining(birth, age, rng, today)
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
                "full_on": None if status == "probationary" else add_years(joined, 1),
                "status": status, "is_retired": retired,
                "is_farmer": sector == "rural" and not retired and job == "农牧渔民",
                "is_student": False, "is_unemployed": False,
                "community_registered": sector == "organs" and rng.random() < 0.8,
                "lost_contact_since": None, "lost_contact_reason": None,
                "mobile_since": None, "mobile_destination": None,
            }
            if status == "lost_contact":
                row["lost_contact_since"] = max(today - timedelta(days=rng.randrange(10, 900)), row["full_on"])
                row["lost_contact_reason"] = rng.choice(LOST_CONTACT_REASONS)
            elif status == "mobile":
                row["mobile_since"] = max(today - timedelta(days=rng.randrange(10, 720)), row["full_on"])
                row["mobile_destination"] = rng.choice(names.DESTINATIONS)
            people.members.append(row)
            active.append(row)
            kind = dues_rates.category(_Facts(row))
            if dues_rates.needs_base(kind):
                base = Decimal(rng.randrange(2500, 15000, 100) if not retired else rng.randrange(1800, 6000, 100))
                people.bases.append({"id": uuid.uuid4(), "member_id": row["id"],
                                     "effective_from": date(today.year - 1, 1, 1), "base": base})
                row["_due"] = dues_rates.amount(kind, base, rates)
            else:
                row["_due"] = dues_rates.amount(kind, None, rates)
    return people


def _status_and_joining(birth: date, age: int, rng: random.Random, today: date) -> tuple[str, date]:
    """A status and the day of joining (入党, at 18 or later): ~3 % probationary (joined 1–13
    months ago), ~2 % mobile, ~1 % out of contact, the rest full members who joined at least
    13 months ago (so their year of probation is over)."""
    adult = add_years(birth, 18)
    latest = add_months(today, -13)
    roll = rng.random()
    if roll < 0.03 or adult > latest:
        return "probationary", max(today - timedelta(days=rng.randrange(30, 395)), adult)
    years = rng.randint(18, max(18, min(45, age - 2)))
    joined = min(add_years(birth, years) + timedelta(days=rng.randrange(0, 330)), latest)
    status = "mobile" if roll < 0.05 else "lost_contact" if roll < 0.06 else "full"
    return status, max(joined, adult)


class _Facts:
    """A member row seen as the attributes :func:`core.dues.rates.category` reads."""

    def __init__(self, row: dict):
        self.is_retired = row["is_retired"]
        self.is_farmer = row["is_farmer"]
        self.is_student = row["is_student"]
        self.is_unemployed = row["is_unemployed"]
