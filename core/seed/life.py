"""A year of organisational life with attendance — the bulk of the synthetic city (about
two and a half million attendance rows for ``city``).

Every branch keeps habits: its 主题党日 and 支委会 on about the same day each month, its
党员大会 and 党课 in the same month of each quarter, each of its 党小组 meeting monthly, its
组织生活会 and 民主评议 once a year around New Year; so a branch that keeps them is never
overdue under the rolling periods of :mod:`core.life.warnings`. A 谈心谈话 (the secretary and
a member) reaches ~95 % of members in the year. Then the imperfections of a real year, so
the warning rules find a few percent:

* ~91 % of branches are regular: a meeting is missed now and then (2 %);
* ~8 % lag: in the last three months each monthly meeting is missed one time in two and each
  quarterly one one time in three, a third of them skip the yearly meetings, and their talks
  reach ~60 % of members;
* ~1 % went quiet three months ago and held nothing since (``life.no_activity``).

Who is expected follows :func:`core.life.service.eligible_members`: the active members of the
organisation's subtree who had joined by the day (a group's own members at its 党小组会, the
committee's members at a 支委会); a talk records the two who talked, both present. Members out
of contact never attend, mobile members rarely; the stored figures (应到, 实到, votes, quorum)
are counted from the same rows.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from core.dates import add_months
from core.life.service import quorum_met

ACTOR = "seed"
ATTENDANCE = ("id", "meeting_id", "member_id", "present", "late", "absence_reason")
TOPICS = {
    "theme_day": "主题党日：学习贯彻党的二十大精神",
    "committee_meeting": "研究部署本月党建工作",
    "group_meeting": "党小组学习：传达支部工作安排",
    "general_meeting": "支部党员大会：通报季度工作",
    "party_lecture": "党课：坚定理想信念 践行初心使命",
    "life_meeting": "年度组织生活会：对照检查 开展批评和自我批评",
    "member_review": "民主评议党员",
    "talk": "谈心谈话",
}
PRESENCE = {"full": 0.92, "probationary": 0.92, "mobile": 0.2, "lost_contact": 0.0}
ABSENT_BECAUSE = {"mobile": ("外出务工",), "lost_contact": ("失去联系",),
                  "full": ("因公出差", "因病请假", "事假"), "probationary": ("因公出差", "因病请假", "事假")}
LAG_MONTHS = 3  # how far back a lagging branch slips, and since when a quiet one held nothing
YEARLY_MONTHS = (12, 1, 1, 2)  # 组织生活会 around New Year


def _habit(rng: random.Random) -> int:
    return rng.randint(3, 26)


def _days(rng: random.Random, start: date, today: date, every: int, offset: int, habit: int) -> list[date]:
    """The days of a meeting held every ``every`` months (in months ``offset`` of each cycle)
    on about day ``habit``, within ``(start, today]``."""
    found = []
    month = start.replace(day=1)
    while month <= today:
        if (month.month - 1) % every == offset:
            day = month.replace(day=habit + rng.randint(-2, 2))
            if start < day <= today:
                found.append(day)
        month = add_months(month, 1)
    return found


class Year:
    """One branch's year of meetings, appended to ``meetings`` (dicts) and ``attendance``
    (tuples in :data:`ATTENDANCE` order) — see the module docstring."""

    def __init__(self, rng: random.Random, today: date, start: date, new_id,
                 meetings: list, attendance: list):
        self.rng, self.today, self.start, self.new_id = rng, today, start, new_id
        self.meetings, self.attendance = meetings, attendance
        self.lag_from = add_months(today, -LAG_MONTHS)

    def branch(self, branch: dict, members: list[dict], groups: list, secretary: dict | None,
               committee: list[dict]) -> str:
        """Returns the branch's behaviour (regular, lagging, quiet)."""
        if not members:
            return "empty"
        rng = self.rng
        roll = rng.random()
        self.behaviour = "quiet" if roll < 0.01 else "lagging" if roll < 0.09 else "regular"
        self.quiet_from = self.lag_from - timedelta(days=rng.randrange(0, 30))
        settled = [m for m in members if m["joined_on"] <= self.start]
        recent = [m for m in members if m["joined_on"] > self.start]
        org_id = branch["id"]
        for day in _days(rng, self.start, self.today, 1, 0, _habit(rng)):
            if self._held(day, 0.5):
                self._meeting("theme_day", org_id, day, settled, recent)
        if committee:
            for day in _days(rng, self.start, self.today, 1, 0, _habit(rng)):
                if self._held(day, 0.5):
                    self._meeting("committee_meeting", org_id, day, committee, [], present=0.97)
        for kind in ("general_meeting", "party_lecture"):
            for day in _days(rng, self.start, self.today, 3, rng.randrange(3), _habit(rng)):
                if self._held(day, 0.65):
                    self._meeting(kind, org_id, day, settled, recent)
        month = rng.choice(YEARLY_MONTHS)
        days = _days(rng, self.start, self.today, 12, month - 1, _habit(rng))
        if days and self._held(days[0], 1.0) and not (self.behaviour == "lagging" and rng.random() < 0.3):
            self._meeting("life_meeting", org_id, days[0], settled, recent)
            review = min(days[0] + timedelta(days=rng.randint(1, 5)), self.today)
            self._meeting("member_review", org_id, review, settled, recent)
        for group, own in groups:
            early = [m for m in own if m["joined_on"] <= self.start]
            late = [m for m in own if m["joined_on"] > self.start]
            for day in _days(rng, self.start, self.today, 1, 0, _habit(rng)):
                if self._held(day, 0.5):
                    self._meeting("group_meeting", group["id"], day, early, late)
        self._talks(org_id, members, secretary)
        return self.behaviour

    def _held(self, day: date, lagging_chance: float) -> bool:
        if self.behaviour == "quiet" and day > self.quiet_from:
            return False
        if self.behaviour == "lagging" and day > self.lag_from:
            return self.rng.random() < lagging_chance
        return self.rng.random() >= 0.02

    def _talks(self, org_id, members: list[dict], secretary: dict | None) -> None:
        reach = 0.95 if self.behaviour == "regular" else 0.6
        rng, today = self.rng, self.today
        for member in members:
            if rng.random() >= reach or member["status"] == "lost_contact":
                continue
            since = max(self.start, member["joined_on"])
            until = self.quiet_from if self.behaviour == "quiet" else today
            if until <= since:
                continue
            day = since + timedelta(days=rng.randint(1, (until - since).days))
            pair = [member] if secretary is None or secretary is member else [secretary, member]
            self._meeting("talk", org_id, day, pair, [], present=1.0)

    def _meeting(self, kind: str, org_id, day: date, settled: list[dict], recent: list[dict],
                 present: float | None = None) -> None:
        rng, rows = self.rng, self.attendance
        meeting_id = self.new_id()
        eligible = settled + [m for m in recent if m["joined_on"] <= day] if recent else settled
        here_count = voting = voting_here = 0
        for member in eligible:
            status = member["status"]
            here = rng.random() < (PRESENCE[status] if present is None else present)
            votes = member["_votes_from"] is not None and member["_votes_from"] <= day
            rows.append((self.new_id(), meeting_id, member["id"], here, here and rng.random() < 0.03,
                         None if here else rng.choice(ABSENT_BECAUSE[status])))
            here_count += here
            voting += votes
            voting_here += votes and here
        self.meetings.append({
            "id": meeting_id, "kind": kind, "org_id": org_id, "held_on": day, "topic": TOPICS[kind],
            "host": None, "location": "党员活动室", "minutes": None, "is_election": False,
            "eligible_count": len(eligible), "present_count": here_count, "voting_count": voting,
            "voting_present": voting_here,
            "quorum_met": quorum_met(voting_here, voting) if kind == "general_meeting" else None,
            "election_valid": None, "created_by": ACTOR,
        })
