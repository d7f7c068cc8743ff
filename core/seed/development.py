"""People on their way into the Party (入党申请人 → 入党积极分子 → 发展对象) in about a third of
the branches, each with the steps that brought them there.

Every step is one :func:`core.development.rules.check_step` accepts under the national
numbers — the talk within a month, a review at least every six months, a year of 培养 before
发展对象, two full members of the branch as introducers, three days of training, a five-day
notice — with the details those rules read. Then the imperfections of a real pipeline:

* ~10 % are overdue at their step: an applicant not talked with after a month
  (``development.talk_overdue``), an activist whose reviews lapsed
  (``development.activist_review_overdue``), a 发展对象 pre-reviewed over a month ago without
  the branch meeting (``development.branch_meeting_overdue``);
* ~3 % are stopped (暂缓);
* ~1 % had a step recorded despite a rule — a late talk, overridden and flagged for review
  (``development.flagged_steps``).

Nobody is taken past step 13 here: from the branch meeting on, the person joins the register,
which the seeded members already stand for.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from core.dates import add_months
from core.db import new_id
from core.development import steps as S
from core.seed import names
from core.seed.people import IdNumbers

ACTOR = "seed"
STAGES = (("applicant", 30), ("activist", 35), ("candidate", 35))


class Path:
    """One person's steps, in order."""

    def __init__(self, person_id, rng: random.Random, today: date):
        self.person_id, self.rng, self.today = person_id, rng, today
        self.steps: list[dict] = []

    def add(self, code: int, day: date, details: dict | None = None, *, violated: str | None = None) -> date:
        last = self.steps[-1]["done_on"] if self.steps else day
        day = min(max(day, last), self.today)
        self.steps.append({
            "id": new_id(), "person_id": self.person_id, "code": code, "done_on": day,
            "actor_label": ACTOR, "evidence": "按程序办理", "details": details,
            "override": violated is not None, "violated_rules": [violated] if violated else None,
            "override_reason": "补录历史材料" if violated else None,
            "overridden_by": ACTOR if violated else None, "flagged_for_review": violated is not None,
        })
        return day

    def after(self, day: date, low: int, high: int) -> date:
        return day + timedelta(days=self.rng.randint(low, high))


def development(branches: list[dict], by_branch: dict, rng: random.Random, today: date,
                steps: list) -> Iterator[dict]:
    """The people (dicts for :mod:`core.seed.bulk`); their steps are appended to ``steps``."""
    from core.db.encrypted import keyring

    ring = keyring()
    ids = IdNumbers(rng)
    for branch in branches:
        if rng.random() > 0.35:
            continue
        full_members = [m for m in by_branch.get(branch["id"], []) if m["status"] == "full"]
        for _ in range(rng.randint(1, 3)):
            stage = rng.choices([s for s, _ in STAGES], weights=[w for _, w in STAGES])[0]
            gender = "male" if rng.random() < 0.55 else "female"
            birth = date(rng.randint(today.year - 40, today.year - 23), rng.randint(1, 12), rng.randint(1, 28))
            person_id = new_id()
            path = Path(person_id, rng, today)
            late = rng.random() < 0.10
            if stage == "applicant":
                _applicant(path, late, flagged=not late and rng.random() < 0.03)
            elif stage == "activist":
                _activist(path, late)
            elif stage == "candidate" and len(full_members) >= 2:
                _candidate(path, late, full_members)
            else:
                stage = "activist"
                _activist(path, late)
            steps.extend(path.steps)
            stopped = rng.random() < 0.03
            number = ids.make(birth, gender)
            yield {
                "id": person_id, "org_id": branch["id"],
                "name": rng.choice(names.SURNAMES) + rng.choice(names.GIVEN), "gender": gender,
                "birth_date": birth, "ethnicity": "汉族", "id_number": number,
                "id_number_index": ring.blind_index(number), "education": "bachelor",
                "work_unit": branch["name"], "stage": stage,
                "status": "stopped" if stopped else "active",
                "status_reason": "本人申请暂缓" if stopped else None,
            }


def _applicant(path: Path, late: bool, flagged: bool) -> None:
    today, rng = path.today, path.rng
    if late:  # applied over a month ago, no talk yet
        path.add(S.APPLICATION, today - timedelta(days=rng.randint(40, 200)))
        return
    applied = path.add(S.APPLICATION, today - timedelta(days=rng.randint(5, 300)))
    if flagged and add_months(applied, 2) < today:  # the talk came late: recorded anyway
        path.add(S.TALK, path.after(add_months(applied, 1), 5, 25), violated="talk_within")
        return
    talk = path.after(applied, 3, 25)
    if talk <= today:
        path.add(S.TALK, talk)


def _reviews(path: Path, designated: date, until: date) -> None:
    """Step 6 every 4–5½ months from ``designated`` while before ``until``."""
    last = designated
    while (review := path.after(last, 120, 170)) < until:
        last = path.add(S.ACTIVIST_REVIEW, review)


def _start(path: Path, designated: date) -> None:
    """Steps 1–5: applied and talked with half a year or more before ``designated``."""
    rng = path.rng
    applied = path.add(S.APPLICATION, designated - timedelta(days=rng.randint(200, 400)))
    path.add(S.TALK, path.after(applied, 3, 25))
    path.add(S.ACTIVIST, designated)
    filed = path.add(4, path.after(designated, 3, 10))
    contacts = [rng.choice(names.SURNAMES) + rng.choice(names.GIVEN) for _ in range(2)]
    path.add(S.CONTACTS, path.after(filed, 1, 10), {"contacts": contacts})


def _activist(path: Path, late: bool) -> None:
    today, rng = path.today, path.rng
    designated = today - timedelta(days=rng.randint(60, 700))
    _start(path, designated)
    # a late activist's reviews stopped over six months ago
    _reviews(path, designated, today - timedelta(days=rng.randint(200, 360)) if late else today)


def _candidate(path: Path, late: bool, full_members: list[dict]) -> None:
    """A 发展对象: chosen after a year and more as an activist, then 备案, introducers,
    political review and training as far as the days allow; some (all the late ones)
    publicly notified and pre-reviewed too."""
    today, rng = path.today, path.rng
    pre_reviewed = late or rng.random() < 0.3
    chosen = today - timedelta(days=rng.randint(150, 300) if pre_reviewed else rng.randint(20, 300))
    designated = add_months(chosen, -rng.randint(13, 20))  # a year of 培养 and more
    _start(path, designated)
    _reviews(path, designated, chosen)
    day = path.add(S.CANDIDATE, chosen)
    for code in (8, S.INTRODUCERS, S.POLITICAL_REVIEW, S.TRAINING):
        day = path.after(day, 3, 15)
        if day > today:
            return
        details = None
        if code == S.INTRODUCERS:
            able = [m["id"] for m in full_members if m["full_on"] <= day]
            if len(able) < 2:
                return
            details = {"introducer_ids": [str(i) for i in rng.sample(able, 2)]}
        elif code == S.TRAINING:
            details = {"training_days": rng.choice((3, 4, 5))}
        day = path.add(code, day, details)
    if not pre_reviewed:
        return
    target = today - timedelta(days=rng.randint(40, 90) if late else rng.randint(2, 25))
    notice_to = target - timedelta(days=rng.randint(2, 6))
    notice_from = notice_to - timedelta(days=rng.randint(4, 7))
    if notice_from <= day:
        return  # not far enough along to have been pre-reviewed by then
    reviewed = path.add(S.COMMITTEE_REVIEW, notice_to + timedelta(days=1),
                        {"public_notice_from": notice_from.isoformat(), "public_notice_to": notice_to.isoformat()})
    path.add(S.PRE_REVIEW, max(target, reviewed))
