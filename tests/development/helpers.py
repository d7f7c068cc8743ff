"""A valid 25-step timeline for the development tests, relative to a start day.

Every step keeps every rule at the national defaults: talk after 20 days, activist from month
3 with reviews at months 8 and 13, candidate at month 16, pre-review at 18m+5d and the
branch meeting 15 days later, approval 20 days after that, conversion at the end of the
year's probation.
"""

from __future__ import annotations

from datetime import date, timedelta

from core.development.rules import add_months


def at(start: date, months: int = 0, days: int = 0) -> date:
    return add_months(start, months) + timedelta(days=days)


def timeline(start: date, introducer_ids=()) -> list[dict]:
    """Step payloads 2–25 (JSON-ready) for an applicant who applied on ``start``."""
    steps = [
        (2, at(start, 0, 20), {}),
        (3, at(start, 3), {}),
        (4, at(start, 3, 5), {}),
        (5, at(start, 3, 10), {"contacts": ["李四", "王五"]}),
        (6, at(start, 8), {}),
        (6, at(start, 13), {}),
        (7, at(start, 16), {}),
        (8, at(start, 16, 5), {}),
        (9, at(start, 16, 10), {"introducer_ids": [str(i) for i in introducer_ids]}),
        (10, at(start, 17), {}),
        (11, at(start, 17, 10), {"training_days": 3}),
        (12, at(start, 18), {"public_notice_from": at(start, 17, 20).isoformat(),
                             "public_notice_to": at(start, 17, 27).isoformat()}),
        (13, at(start, 18, 5), {}),
        (14, at(start, 18, 10), {}),
        (15, at(start, 18, 20), {}),
        (16, at(start, 19), {}),
        (17, at(start, 19, 10), {}),
        (18, at(start, 19, 15), {}),
        (19, at(start, 20), {}),
        (20, at(start, 20, 1), {}),
        (21, at(start, 25), {}),
        (22, at(at(start, 18, 20), 12), {}),
        (23, at(start, 31), {}),
        (24, at(start, 32), {}),
        (25, at(start, 32, 10), {}),
    ]
    return [
        {"code": code, "done_on": day.isoformat(), "evidence": f"第{code}步材料", **extra}
        for code, day, extra in steps
    ]


def branch_meeting_day(start: date) -> date:
    return at(start, 18, 20)
