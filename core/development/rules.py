"""The rules a recorded step must satisfy, each with a code and a Chinese name.

:func:`check_step` answers every rule a step would break, given the person's recorded steps
and the tenant's numbers (:mod:`core.development.settings`); it reads nothing itself except
what the caller passes, so it is easy to test and cheap to run. The service refuses a step
with violations (422 naming them) unless an authorised user overrides them with a reason.

"Within N months of X" means on or before the same day N months later (31 January + 1 month
is 28/29 February); "at least a year after" likewise on or after the anniversary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from core.dates import add_months
from core.development import steps as S
from core.members.validation import add_years


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # Chinese, shown to users
    steps: tuple[int, ...]  # the steps it is checked at (empty: every step / the extension)


RULES: tuple[Rule, ...] = (
    Rule("step_order", "须按程序顺序办理（不得早于前一步骤）", ()),
    Rule("min_age", "入党申请人须年满{min_age}周岁", (S.APPLICATION,)),
    Rule("talk_within", "收到入党申请书后{talk_within_months}个月内派人谈话", (S.TALK,)),
    Rule("contacts_count", "须指定{contacts_min}至{contacts_max}名培养联系人", (S.CONTACTS,)),
    Rule("activist_review", "对入党积极分子每{review_every_months}个月考察一次", (S.CANDIDATE,)),
    Rule("activist_min_period", "入党积极分子培养教育{activist_min_months}个月以上方可确定为发展对象",
         (S.CANDIDATE,)),
    Rule("introducers", "须有{introducers}名正式党员作入党介绍人", (S.INTRODUCERS,)),
    Rule("training_length", "集中培训不少于{training_min_days}天或{training_min_hours}学时", (S.TRAINING,)),
    Rule("public_notice", "发展对象须经公示（不少于{public_notice_min_days}天）", (S.COMMITTEE_REVIEW,)),
    Rule("pre_review", "须经上级党委预审", (14, S.BRANCH_MEETING)),
    Rule("political_review_valid", "政治审查结论须在{political_review_valid_months}个月有效期内",
         (S.BRANCH_MEETING,)),
    Rule("branch_meeting_within", "上级党委预审后{branch_meeting_within_months}个月内召开支部大会讨论",
         (S.BRANCH_MEETING,)),
    Rule("approval_within", "支部大会讨论后{approval_within_months}个月内上级党委审批", (S.APPROVAL,)),
    Rule("probation_complete", "预备期（{probation_months}个月，含延长期）满后方可讨论转正",
         (S.CONVERSION_MEETING,)),
    Rule("conversion_vote_within", "提出转正申请后{conversion_vote_within_months}个月内召开支部大会讨论",
         (S.CONVERSION_MEETING,)),
    Rule("conversion_approval_within",
         "支部大会讨论转正后{conversion_approval_within_months}个月内上级党委审批", (S.CONVERSION_APPROVAL,)),
    Rule("extension_once", "预备期只能延长一次", ()),
    Rule("extension_length", "延长预备期为{extension_min_months}至{extension_max_months}个月", ()),
)
BY_CODE = {rule.code: rule for rule in RULES}


def rule_name(code: str, settings: dict) -> str:
    """The rule's Chinese name with the tenant's numbers filled in."""
    return BY_CODE[code].name.format(**settings)


@dataclass(frozen=True)
class Violation:
    code: str
    name: str  # the rule, in Chinese
    detail: str  # what was found, in Chinese

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "detail": self.detail}


class History:
    """A person's recorded steps by code (dates sorted), for the checks."""

    def __init__(self, recorded: Iterable[tuple[int, date]]):
        self.dates: dict[int, list[date]] = {}
        for code, done_on in recorded:
            self.dates.setdefault(code, []).append(done_on)
        for days in self.dates.values():
            days.sort()

    def has(self, code: int) -> bool:
        return code in self.dates

    def first(self, code: int) -> date | None:
        days = self.dates.get(code)
        return days[0] if days else None

    def last(self, code: int) -> date | None:
        days = self.dates.get(code)
        return days[-1] if days else None

    def latest_before(self, code: int) -> tuple[int, date] | None:
        """The latest-dated recorded step with a smaller code."""
        found = [(days[-1], c) for c, days in self.dates.items() if c < code]
        if not found:
            return None
        day, c = max(found)
        return c, day


def probation_end(history: History, extension_months: int | None, settings: dict) -> date | None:
    """预备期满之日: the branch meeting (step 15) plus the probation and any extension."""
    start = history.first(S.BRANCH_MEETING)
    if start is None:
        return None
    return add_months(start, settings["probation_months"] + (extension_months or 0))


@dataclass
class StepInput:
    """What a check needs about the person and the step being recorded."""

    code: int
    done_on: date
    birth_date: date
    history: History
    details: dict
    extension_months: int | None = None
    # member id → (status, full_on) for the introducers named in ``details``
    introducers: dict | None = None


def check_step(step: StepInput, settings: dict) -> list[Violation]:
    """Every rule recording ``step`` would break (empty when it may be recorded)."""
    found: list[Violation] = []

    def violate(code: str, detail: str) -> None:
        found.append(Violation(code, rule_name(code, settings), detail))

    _check_order(step, violate)
    check = _CHECKS.get(step.code)
    if check is not None:
        check(step, settings, violate)
    return found


def _check_order(step: StepInput, violate) -> None:
    h = step.history
    predecessor = step.code - 1
    if predecessor >= 1 and not h.has(predecessor):
        if predecessor == S.PRE_REVIEW:
            violate("pre_review", "尚未记录上级党委预审（第13步）")
        else:
            violate("step_order", f"前一步骤（第{predecessor}步 {S.step(predecessor).name}）尚未办理")
    latest = h.latest_before(step.code)
    if latest is not None and step.done_on < latest[1]:
        code, day = latest
        violate("step_order", f"日期早于第{code}步（{S.step(code).name}，{day.isoformat()}）")


def _within(violate, rule: str, base: date | None, months: int, day: date, what: str) -> None:
    if base is not None and day > add_months(base, months):
        violate(rule, f"{what}为{base.isoformat()}，应不晚于{add_months(base, months).isoformat()}")


def _application(step, settings, violate):
    adult_on = add_years(step.birth_date, settings["min_age"])
    if step.done_on < adult_on:
        violate("min_age", f"递交申请时未满{settings['min_age']}周岁（{adult_on.isoformat()}年满）")


def _talk(step, settings, violate):
    _within(violate, "talk_within", step.history.first(S.APPLICATION),
            settings["talk_within_months"], step.done_on, "递交入党申请书")


def _contacts(step, settings, violate):
    count = len(step.details.get("contacts") or [])
    if not settings["contacts_min"] <= count <= settings["contacts_max"]:
        violate("contacts_count", f"指定了{count}名培养联系人")


def _candidate(step, settings, violate):
    h = step.history
    became = h.first(S.ACTIVIST)
    if became is None:
        return
    ready_on = add_months(became, settings["activist_min_months"])
    if step.done_on < ready_on:
        violate("activist_min_period",
                f"确定为积极分子于{became.isoformat()}，应不早于{ready_on.isoformat()}")
    chain = [became, *h.dates.get(S.ACTIVIST_REVIEW, []), step.done_on]
    every = settings["review_every_months"]
    for before, after in zip(chain, chain[1:], strict=False):
        if after > add_months(before, every):
            violate("activist_review", f"{before.isoformat()}至{after.isoformat()}间超过{every}个月未考察")
            break


def _introducers(step, settings, violate):
    ids = step.details.get("introducer_ids") or []
    known = step.introducers or {}
    good = {
        i for i in set(ids)
        if i in known and known[i][1] is not None and known[i][1] <= step.done_on
        and known[i][0] in ("full", "mobile", "lost_contact")
    }
    need = settings["introducers"]
    if len(ids) != need or len(set(ids)) != need or len(good) != need:
        violate("introducers", f"名单中符合条件的正式党员{len(good)}名（共列{len(ids)}名）")


def _training(step, settings, violate):
    days = step.details.get("training_days") or 0
    hours = step.details.get("training_hours") or 0
    if days < settings["training_min_days"] and hours < settings["training_min_hours"]:
        violate("training_length", f"培训{days}天、{hours}学时")


def _committee_review(step, settings, violate):
    start = step.details.get("public_notice_from")
    end = step.details.get("public_notice_to")
    if start is None or end is None:
        violate("public_notice", "未记录公示起止日期")
        return
    days = (end - start).days + 1
    if end < start or end > step.done_on or days < settings["public_notice_min_days"]:
        violate("public_notice", f"公示{start.isoformat()}至{end.isoformat()}")


def _branch_meeting(step, settings, violate):
    h = step.history
    if not h.has(S.PRE_REVIEW) and h.has(14):
        violate("pre_review", "尚未记录上级党委预审（第13步）")
    review = h.first(S.POLITICAL_REVIEW)
    if review is None:
        violate("political_review_valid", "尚未记录政治审查（第10步）")
    else:
        _within(violate, "political_review_valid", review,
                settings["political_review_valid_months"], step.done_on, "政治审查")
    _within(violate, "branch_meeting_within", h.first(S.PRE_REVIEW),
            settings["branch_meeting_within_months"], step.done_on, "上级党委预审")


def _approval(step, settings, violate):
    _within(violate, "approval_within", step.history.first(S.BRANCH_MEETING),
            settings["approval_within_months"], step.done_on, "支部大会讨论")


def _conversion_meeting(step, settings, violate):
    end = probation_end(step.history, step.extension_months, settings)
    if end is not None and step.done_on < end:
        violate("probation_complete", f"预备期至{end.isoformat()}期满")
    _within(violate, "conversion_vote_within", step.history.first(S.CONVERSION_APPLICATION),
            settings["conversion_vote_within_months"], step.done_on, "提出转正申请")


def _conversion_approval(step, settings, violate):
    _within(violate, "conversion_approval_within", step.history.first(S.CONVERSION_MEETING),
            settings["conversion_approval_within_months"], step.done_on, "支部大会讨论转正")


_CHECKS: dict[int, Callable] = {
    S.APPLICATION: _application,
    S.TALK: _talk,
    S.CONTACTS: _contacts,
    S.CANDIDATE: _candidate,
    S.INTRODUCERS: _introducers,
    S.TRAINING: _training,
    S.COMMITTEE_REVIEW: _committee_review,
    S.BRANCH_MEETING: _branch_meeting,
    S.APPROVAL: _approval,
    S.CONVERSION_MEETING: _conversion_meeting,
    S.CONVERSION_APPROVAL: _conversion_approval,
}


def check_extension(months: int, already_extended: bool, settings: dict) -> list[Violation]:
    """The rules an extension of probation by ``months`` would break."""
    found = []
    if already_extended:
        found.append(Violation("extension_once", rule_name("extension_once", settings), "预备期已延长过"))
    if not settings["extension_min_months"] <= months <= settings["extension_max_months"]:
        found.append(Violation("extension_length", rule_name("extension_length", settings),
                               f"延长{months}个月"))
    return found
