"""Seed one tenant with a synthetic city (see :mod:`core.seed`)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import select, text

from core.api.errors import ApiError
from core.dates import add_months
from core.db import db, new_id
from core.development.models import DevelopmentPerson, DevelopmentStep
from core.dues import rates as dues_rates
from core.dues.models import DuesBase, DuesPayment, DuesSettings, FinanceRole
from core.life.models import Attendance, Meeting
from core.members.models import Member
from core.orgs import terms
from core.orgs.models import Organization, OrgPost
from core.points.models import PointEntry
from core.seed import (
    activity,
    attributes,
    bulk,
    committees,
    development,
    groups,
    keys,
    life,
    people,
    tree,
)
from core.seed.profiles import PROFILES

CHUNK = 200  # branches whose meetings (and attendance) are generated and written at once
MEMBER_CHUNK = 10_000  # members whose dues payments are generated and written at once
# What the year's work still needs of a member once it is written.
KEEP = ("id", "org_id", "status", "joined_on", "full_on", "lost_contact_since", "_due")


def seed(profile_name: str, *, random_seed: int = 20261122, today: date | None = None,
         say: Callable[[str], None] = lambda _line: None) -> dict[str, int]:
    """Fill the current tenant (which must have no organisations) with the profile's city;
    returns rows written per table. Runs in the caller's transaction (commit after)."""
    if profile_name not in PROFILES:
        raise ApiError(422, f"Unknown profile {profile_name!r}.", {"profile": [f"One of {', '.join(PROFILES)}."]})
    if db.session.scalar(select(Organization.id).limit(1)) is not None:
        raise ApiError(409, "The tenant already has organisations: seed an empty tenant.",
                       {"tenant": ["Not empty."]})
    try:
        return _seed(PROFILES[profile_name], random_seed, today or date.today(), say)
    finally:
        bulk.settle()  # the last INSERT sent (PostgreSQL) is done, or its error raised


def _seed(profile, random_seed: int, today: date, say: Callable[[str], None]) -> dict[str, int]:
    rng = random.Random(random_seed)
    year_start = activity.months(today, profile.months)[0]
    period_start = add_months(today, -profile.months)  # meetings after this day
    written: dict[str, int] = {}
    started = time.perf_counter()

    def step(label: str, count: int, *, report: bool = True) -> None:
        written[label] = written.get(label, 0) + count
        if report:
            say(f"{label:<22} {written[label]:>10,}  ({time.perf_counter() - started:6.1f} s)")

    term_years = _term_years()
    city = tree.build(profile, rng, today, term_years)
    crowd = people.build(profile, city.branches, rng, today)
    formed = groups.form(city, crowd.by_branch, tree.group_count(profile), rng, today)
    attributes.fill(city.rows, rng, today)
    step("organizations", bulk.write(Organization, city.rows))
    step("members", bulk.write(Member, crowd.members))
    for row in crowd.members:  # keep only what the year's work needs
        for key in [k for k in row if k not in KEEP]:
            del row[key]
        row["_votes_from"] = (date.min if row["status"] == "full"
                              else row["full_on"] if row["status"] != "probationary" else None)
    _count_dues_from(year_start)
    step("dues_bases", bulk.write(DuesBase, crowd.bases))
    crowd.bases.clear()

    appointed = committees.appoint(city.rows, crowd.by_branch, term_years, rng, today, period_start)
    step("org_posts", bulk.write(OrgPost, appointed.posts))
    step("dues_finance_roles", bulk.write(FinanceRole, appointed.roles))

    with keys.deferred(Meeting, Attendance, DuesPayment, PointEntry):  # checked once at the end
        _year(city, crowd, formed, appointed, rng, today, period_start, step, say)
        for first in range(0, len(crowd.members), MEMBER_CHUNK):  # inserted while the next is made
            chunk = crowd.members[first:first + MEMBER_CHUNK]
            step("dues_payments", bulk.write(DuesPayment, activity.dues_payments(chunk, rng, today, profile.months),
                                             activity.PAYMENT_COLUMNS), report=first + MEMBER_CHUNK >= len(crowd.members))
        steps: list[dict] = []
        people_rows = development.development(city.branches, crowd.by_branch, rng, today, steps)
        step("development_people", bulk.write(DevelopmentPerson, people_rows))
        step("development_steps", bulk.write(DevelopmentStep, steps))
        step("point_entries", bulk.write(PointEntry, activity.points(crowd.members, rng, today, profile.months),
                                         activity.POINT_COLUMNS))
    bulk.settle()
    db.session.flush()
    _analyze(Organization, Member, DuesBase, OrgPost, FinanceRole, Meeting, Attendance, DuesPayment,
             DevelopmentPerson, DevelopmentStep, PointEntry)
    return written


def _analyze(*models) -> None:
    """A bulk load ends with ``ANALYZE`` (as ``pg_restore``'s docs advise): what runs next —
    a sweep, a cycle, a test — is planned on the loaded rows, not on an empty table's
    guesses. Without it a small city's engine queries ran for minutes (nested loops over
    "one row" estimates). PostgreSQL only; tables the role does not own are skipped with
    the server's notice."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        db.session.execute(text(f'ANALYZE "{bulk.table_of(model).name}"'))


def _year(city, crowd, formed: dict, appointed, rng: random.Random, today: date, period_start: date,
          step: Callable, say: Callable[[str], None]) -> None:
    """The meetings and their attendance, ``CHUNK`` branches at a time (the server inserts
    one chunk while Python makes the next)."""
    behaviours: dict[str, int] = {}
    chunks = range(0, len(city.branches), CHUNK)
    for number, first in enumerate(chunks, start=1):
        held: list[dict] = []
        attendance: list[tuple] = []
        year = life.Year(rng, today, period_start, new_id, held, attendance)
        for branch in city.branches[first:first + CHUNK]:
            behaviour = year.branch(branch, crowd.by_branch.get(branch["id"], []), formed.get(branch["id"], []),
                                    appointed.secretary.get(branch["id"]), appointed.committee.get(branch["id"], []))
            behaviours[behaviour] = behaviours.get(behaviour, 0) + 1
        report = number % 10 == 0 or number == len(chunks)  # a line now and then, and the total
        step("meetings", bulk.write(Meeting, held), report=report)
        step("meeting_attendance", bulk.write(Attendance, attendance, life.ATTENDANCE), report=report)
    say("branches: " + ", ".join(f"{n:,} {b}" for b, n in sorted(behaviours.items())))


def _term_years() -> Callable[[str | None, str], int | None]:
    """The tenant's term lengths by (sector, kind), looked up once per pair."""
    known: dict[tuple, int | None] = {}

    def years(sector: str | None, kind: str) -> int | None:
        if (sector, kind) not in known:
            known[sector, kind] = terms.sector_term_years(sector, kind)
        return known[sector, kind]

    return years


def _count_dues_from(first_month: date) -> None:
    """The records start with the seeded year: earlier months are never arrears
    (the tenant's ``arrears_from``, its other dues settings kept)."""
    row = db.session.scalar(select(DuesSettings))
    overrides = dict(row.overrides or {}) if row is not None else {}
    overrides["arrears_from"] = first_month.isoformat()
    dues_rates.set_overrides(overrides)
