"""Calendar arithmetic the rules share (periods of months: probation, review intervals,
letters' validity, "overdue since N months")."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (negative goes back), the day clamped to
    the month's last day: 31 January + 1 → 28/29 February, 30 November + 3 → 28/29 February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
