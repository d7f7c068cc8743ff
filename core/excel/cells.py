"""Reading one spreadsheet cell as the value it was meant to hold.

Departments' sheets come from Excel, WPS and other systems' exports, so one column holds
real dates, text dates in several spellings and sometimes bare numbers. Each reader here takes
the raw cell value openpyxl gives (``str``, ``int``, ``float``, ``bool``, ``datetime`` or
``None``) and returns the clean value, or raises :class:`CellError` with a reason a person
fixing the sheet can act on.

The trap worth its own reader is the ID number: typed into a cell formatted as a number,
Excel keeps 15 significant digits and turns the last three of an 18-digit number into
zeros. The number that comes back is wrong in a way no check digit can repair, so a numeric
cell with more than 15 digits is refused, with the fix (format the column as text).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

EXCEL_PRECISION = 15  # significant decimal digits a spreadsheet number keeps
# Excel's serial day 0 (for serials after its phantom 1900-02-29).
_EXCEL_EPOCH = date(1899, 12, 30)
# Serials accepted for a date column that lost its formatting: 1910-01-01 … 2099-12-31, so a
# bare year (2001) is refused rather than read as a day of 1905.
_SERIAL_RANGE = (3654, 73050)
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*(?:[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))$"
)
_TIME_SUFFIX = re.compile(r"[ T]0{1,2}:00(:00(\.0+)?)?$")
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无", "不是"}
_SPACES = re.compile(r"[\s\u3000]+")


class CellError(ValueError):
    """The cell's value cannot be read as what its column holds; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value: int | float) -> str:
    """A number cell as the digits a person typed (``13812345678.0`` → ``13812345678``)."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError("The cell holds an invalid number.")
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def text(value, *, max_length: int | None = None) -> str | None:
    """Trimmed text (inner runs of spaces kept as one); numbers as their digits."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("Expected text, found TRUE/FALSE.")
    if isinstance(value, (int, float)):
        result = _number_text(value)
    elif isinstance(value, (datetime, date)):
        raise CellError("Expected text, found a date.")
    else:
        result = _SPACES.sub(" ", str(value)).strip()
    if max_length is not None and len(result) > max_length:
        raise CellError(f"Too long: {len(result)} characters, at most {max_length}.")
    return result


def id_number(value) -> str | None:
    """The ID number as text; a number cell that cannot hold it exactly is refused."""
    if is_blank(value):
        return None
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        raise CellError("Expected an ID number.")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            raise CellError("The ID number is stored as a decimal number; enter it as text.")
        digits = str(int(value))
        if len(digits.lstrip("-")) > EXCEL_PRECISION:
            raise CellError(
                "The ID number is stored as a number, so Excel kept only its first 15 digits "
                f"(it reads {digits}); format the column as text and enter the number again."
            )
        return digits
    return str(value).strip()


def phone(value) -> str | None:
    """A phone number as text (a number cell is fine: 11 digits fit exactly)."""
    result = text(value, max_length=40)
    return None if result is None else result.replace(" ", "")


def parse_date(value) -> date | None:
    """A date from a date cell, a text date or a number.

    Text: ``2001-07-01``, ``2001.07.01``, ``2001/7/1``, ``2001年7月1日``, ``20010701`` (a time
    of midnight after it is ignored). Numbers: ``20010701`` or an Excel date serial (a date
    column whose formatting was lost).
    """
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or isinstance(value, timedelta):
        raise CellError("Expected a date.")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"{value} is not a date; use YYYY-MM-DD.")
        number = int(value)
        if 10000000 <= number <= 99999999:
            return _ymd(str(number)[:4], str(number)[4:6], str(number)[6:])
        if _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + timedelta(days=number)
        raise CellError(f"{number} is not a date; use YYYY-MM-DD.")
    raw = str(value).strip()
    match = _DATE_TEXT.match(_TIME_SUFFIX.sub("", raw))
    if match is None:
        raise CellError(f"{raw!r} is not a date; use YYYY-MM-DD (e.g. 2001-07-01).")
    year, month, day, month8, day8 = match.groups()
    if month is None:
        month, day = month8, day8
    return _ymd(year, month, day)


def _ymd(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(f"{year}-{month}-{day} is not a real date.") from None


def flag(value) -> bool | None:
    """是/否 (also Y/N, TRUE/FALSE, 1/0, √); blank is None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    raw = str(value).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(f"{str(value).strip()!r} is not 是 or 否.")
