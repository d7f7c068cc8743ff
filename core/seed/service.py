"""Seed one tenant with a synthetic city (see :mod:`core.seed`)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from core.api.errors import ApiError
from core.db import db
from core.development.models import DevelopmentPerson, DevelopmentStep
from core.dues.models import DuesBase, DuesPayment
from core.life.models import Attendance, Meeting
from core.members.models import Member
from core.orgs.models import Organization, OrgPost
from core.points.models import PointEntry
from core.seed import activity, attributes, bulk, people, tree
from core.seed.profiles import PROFILES

CHUNK = 200  # branches whose meetings (and attendance) are generated and written at once
# What the activity generators still need of a member once it is written.
KEEP = ("id", "org_id", "status", "joined_on", "_due")


def seed(profile_name: str, *, random_seed: int = 20261122, today: date | None = None,
         say: Callable[[str], None] = lambda _line: None) -> dict[str, int]:
    """Fill the current tenant (which must have no organisations) with the profile's city;
    returns rows written per table. Runs in the caller's transaction (commit after)."""
    if profile_name not in PROFILES:
        raise ApiError(422, f"Unknown profile {profile_name!r}.", {"profile": [f"One of {', '.join(PROFILES)}."]})
    if db.session.scalar(select(Organization.id).limit(1)) is not None:
        raise ApiError(409, "The tenant already has organisations: seed an empty tenant.",
                       {"tenant": ["Not empty."]})
    profile = PROFILES[profile_name]
    rng = random.Random(random_seed)
    today = today or date.today()
    written: dict[str, int] = {}
    started = time.perf_counter()

    def step(label: str, count: int, *, report: bool = True) -> None:
        written[label] = written.get(label, 0) + count
        if report:
            say(f"{label:<22} {written[label]:>10,}  ({time.perf_counter() - started:6.1f} s)")

    city = tree.build(profile, rng, today)
    attributes.fill(city.rows, rng, today)
    step("organizations", bulk.write(Organization, city.rows))

    crowd = people.build(profile, city.branches, rng, today)
    step("members", bulk.write(Member, crowd.members))
    for row in crowd.members:  # keep only what the year's work needs
        for key in [k for k in row if k not in KEEP]:
            del row[key]
    step("org_posts", bulk.write(OrgPost, crowd.posts))
    step("dues_bases", bulk.write(DuesBase, crowd.bases))

    chunks = range(0, len(city.branches), CHUNK)
    for number, start in enumerate(chunks, start=1):
        chunk = city.branches[start:start + CHUNK]
        held: list[dict] = []
        meetings = list(activity.meetings(chunk, crowd.by_branch, rng, today, profile.months, held))
        report = number % 10 == 0 or number == len(chunks)  # a line now and then, and the total
        step("meetings", bulk.write(Meeting, meetings), report=report)
        step("meeting_attendance", bulk.write(Attendance, held), report=report)

    step("dues_payments", bulk.write(DuesPayment, activity.dues_payments(crowd.members, rng, today, profile.months)))
    steps: list[dict] = []
    step("development_people", bulk.write(DevelopmentPerson, activity.development(city.branches, rng, today, steps)))
    step("development_steps", bulk.write(DevelopmentStep, steps))
    step("point_entries", bulk.write(PointEntry, activity.points(crowd.members, rng, today, profile.months)))
    db.session.flush()
    return written
