"""A year of the synthetic city's work: 三会一课 with attendance, dues paid month by month,
people on the way into the Party, and points — most branches doing most of it, some not,
so warnings and ratings have something to find.

Each generator yields plain rows for :mod:`core.seed.bulk` (never a whole table in memory
beyond what one branch needs).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from core.dues.rates import add_months
from core.life.service import quorum_met
from core.seed import names
from core.seed.people import IdNumbers

# (kind, every n months, probability the branch held it, topic)
SCHEDULE = (
    ("committee_meeting", 1, 0.9, "研究部署本月党建工作"),
    ("theme_day", 1, 0.85, "主题党日：学习贯彻党的二十大精神"),
    ("general_meeting", 3, 0.9, "支部党员大会：通报季度工作"),
    ("party_lecture", 3, 0.85, "党课：坚定理想信念 践行初心使命"),
)
COMMITTEE_SIZE = 5
ACTOR = "seed"


def months(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months up to and including this one."""
    this = today.replace(day=1)
    return [add_months(this, -i) for i in range(count - 1, -1, -1)]


def meetings(branches: list[dict], by_branch: dict, rng: random.Random, today: date,
             count: int, attendance: list) -> Iterator[dict]:
    """Meeting rows; their attendance rows are appended to ``attendance`` branch by branch
    (the caller writes them after the meetings)."""
    for branch in branches:
        present_pool = by_branch.get(branch["id"], [])
        committee = present_pool[:COMMITTEE_SIZE]
        diligent = rng.random() < 0.85  # a sixth of branches let their meetings slip
        for month in months(today, count):
            for kind, every, probability, topic in SCHEDULE:
                if month.month % every:
                    continue
                if rng.random() > (probability if diligent else probability / 2):
                    continue
                held_on = month.replace(day=rng.randint(1, 28))
                if held_on > today:
                    held_on = today
                meeting_id = uuid.uuid4()
                eligible = committee if kind == "committee_meeting" else present_pool
                present = voting = voting_present = 0
                for member in eligible:
                    here = member["status"] != "mobile" and rng.random() < 0.9
                    attendance.append({
                        "id": uuid.uuid4(), "meeting_id": meeting_id, "member_id": member["id"],
                        "present": here, "late": False,
                        "absence_reason": None if here else ("外出务工" if member["status"] == "mobile" else "因病请假"),
                    })
                    present += here
                    if member["status"] == "full":
                        voting += 1
                        voting_present += here
                general = kind == "general_meeting"
                yield {
                    "id": meeting_id, "kind": kind, "org_id": branch["id"], "held_on": held_on,
                    "topic": topic, "host": None, "location": "党员活动室", "minutes": None,
                    "is_election": False, "eligible_count": len(eligible), "present_count": present,
                    "voting_count": voting, "voting_present": voting_present,
                    "quorum_met": quorum_met(voting_present, voting) if general else None,
                    "election_valid": None, "created_by": ACTOR,
                }


def dues_payments(members: list[dict], rng: random.Random, today: date, count: int) -> Iterator[dict]:
    """Monthly payments; about one member in twenty falls behind for the last months."""
    recent = months(today, count)
    for member in members:
        if member["status"] not in ("full", "probationary", "mobile"):
            continue
        first = max(member["joined_on"].replace(day=1), recent[0])
        behind = rng.random() < 0.05
        for month in recent:
            if month < first or behind and month >= add_months(recent[-1], -2):
                continue
            yield {
                "id": uuid.uuid4(), "member_id": member["id"], "org_id": member["org_id"],
                "month": month, "amount": member["_due"], "channel": rng.choice(("wechat", "bank", "cash")),
                "paid_on": min(month.replace(day=rng.randint(1, 25)), today), "recorded_by": ACTOR,
            }


# (stage reached, the step codes recorded to reach it, months between steps)
PATHS = (
    ("applicant", (1, 2)),
    ("activist", (1, 2, 3, 4, 5)),
    ("candidate", (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)),
)


def development(branches: list[dict], rng: random.Random, today: date,
                steps: list) -> Iterator[dict]:
    """People on their way in (申请人, 积极分子, 发展对象), about one in three branches having
    some, with their steps appended to ``steps``; spacing respects the rules' minimum waits
    (a year of 培养 before 发展对象)."""
    ids = IdNumbers(rng)
    for branch in branches:
        if rng.random() > 0.35:
            continue
        for _ in range(rng.randint(1, 3)):
            stage, codes = rng.choice(PATHS)
            gender = "male" if rng.random() < 0.55 else "female"
            birth = date(rng.randint(today.year - 40, today.year - 20), rng.randint(1, 12), rng.randint(1, 28))
            person_id = uuid.uuid4()
            number = ids.make(birth, gender)
            started = add_months(today.replace(day=1), -(3 + 3 * len(codes)))
            for position, code in enumerate(codes):
                # step 7 (发展对象) comes a year after step 3 (积极分子)
                done = add_months(started, position * 2 + (12 if code >= 7 else 0))
                steps.append({"id": uuid.uuid4(), "person_id": person_id, "code": code,
                              "done_on": min(done, today), "actor_label": ACTOR,
                              "evidence": "按程序办理", "override": False, "flagged_for_review": False})
            yield {
                "id": person_id, "org_id": branch["id"], "name": rng.choice(names.SURNAMES) + rng.choice(names.GIVEN),
                "gender": gender, "birth_date": birth, "ethnicity": "汉族", "id_number": number,
                "id_number_index": _blind(number), "education": "bachelor",
                "work_unit": branch["name"], "stage": stage, "status": "active",
            }


def _blind(number: str) -> str:
    from core.db.encrypted import keyring

    return keyring().blind_index(number)


# (rule key, name, category, points)
POINT_DEEDS = (
    ("points.volunteering", "志愿服务", "volunteering", Decimal(5)),
    ("points.study", "学习", "study", Decimal(2)),
    ("points.pioneer", "先锋表现", "other", Decimal(10)),
)


def points(members: list[dict], rng: random.Random, today: date, count: int) -> Iterator[dict]:
    """Approved entries of the built-in rules: a few per active member over the period."""
    recent = months(today, count)
    approved_at = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    for member in members:
        if member["status"] not in ("full", "probationary"):
            continue
        for _ in range(rng.choice((0, 1, 2, 3, 4))):
            key, name, category, value = rng.choice(POINT_DEEDS)
            yield {
                "id": uuid.uuid4(), "member_id": member["id"], "org_id": member["org_id"],
                "rule_key": key, "rule_name": name, "category": category, "requested_points": value,
                "points": value, "occurred_on": min(rng.choice(recent).replace(day=rng.randint(1, 28)), today),
                "evidence": "支部认定", "status": "approved", "recorded_by": ACTOR, "approved_by": ACTOR,
                "approved_at": approved_at,
            }
