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

Text is cleaned first (:func:`clean`), because sheets pass through many systems: Excel's
``_x000D_`` escapes are decoded, invisible characters (zero-width spaces, byte-order marks,
the right-to-left override) dropped, and what cannot be right is refused — a control
character such as NUL, text garbled by a wrong encoding (GBK read as Latin-1 reads
``ÕÅÈý`` for 张三; lost characters read ``�`` or 锟斤拷), a formula's text (``=cmd|…``: a
formula cell gives the value Excel computed, never its formula, and text that starts with
``=`` is refused so that no formula is ever stored), a formula's error (``#N/A``). ID
numbers, phones, dates and flags are also folded from full-width forms (``３２０１…``).
"""

from __future__ import annotations

import re
import unicodedata
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
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how Excel writes a character XML cannot hold
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_LATIN1_RUN = re.compile(
    r"[\u00a1-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]{2,}"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_WIDE = re.compile(r"[\uff01-\uff5e\u3000]")
# One search tells whether a text needs any of clean()'s work (most cells do not).
_SUSPECT = re.compile(
    r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff\u0152-\u2122"
    r"\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufffd锟]|\A\s*#"
)
FORMULA_ERRORS = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
    }
)


class CellError(ValueError):
    """The cell's value cannot be read as what its column holds; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def clean(raw: str) -> str:
    """``raw`` with Excel's escapes decoded and invisible characters dropped; raises
    :class:`CellError` for a control character, garbled text or a formula error."""
    if _SUSPECT.search(raw) is None:
        return raw
    if "_x" in raw:
        raw = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw)
    if _INVISIBLE.search(raw):
        raw = _INVISIBLE.sub("", raw)
    control = _CONTROL.search(raw)
    if control is not None:
        raise CellError(
            f"The cell holds the control character U+{ord(control.group()):04X}; "
            "delete it (it comes from a damaged file or a copy from another system)."
        )
    if "\ufffd" in raw or "锟斤拷" in raw:
        raise CellError(
            "Characters were lost to a wrong encoding (the text holds � or 锟斤拷); type it again."
        )
    if _LATIN1_RUN.search(raw):
        guess = _unmangled(raw)
        if guess is not None:
            raise CellError(
                f"The text is garbled by a wrong encoding; it probably reads {guess!r}. "
                "Type it again, or save the file again as .xlsx with Excel or WPS."
            )
    if raw.strip() in FORMULA_ERRORS:
        raise CellError(f"The cell holds the formula error {raw.strip()}; enter the value itself.")
    return raw


def _unmangled(text: str) -> str | None:
    """What ``text`` said before its bytes were read in the wrong encoding (UTF-8 or GBK
    read as Latin-1 / Windows-1252), if it then reads as Chinese."""
    for wrong in ("cp1252", "latin-1"):
        try:
            data = text.encode(wrong)
        except UnicodeEncodeError:
            continue
        for right in ("utf-8", "gbk"):
            try:
                decoded = data.decode(right)
            except UnicodeDecodeError:
                continue
            if _CJK.search(decoded):
                return decoded
    return None


def _narrow(raw: str) -> str:
    """Full-width digits, letters and signs as ASCII (for codes, numbers and dates)."""
    return unicodedata.normalize("NFKC", raw) if _WIDE.search(raw) else raw


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
        result = _SPACES.sub(" ", clean(str(value))).strip()
        if result[:1] == "'" and result[1:2] in ("=", "+", "-", "@"):
            result = result[1:]  # an export's guard against formula injection (core.excel.exporter)
        if not result:
            return None
        if result.startswith("="):
            raise CellError(
                "The text starts with = like a formula; enter the value itself "
                "(formulas are not imported)."
            )
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
            shown = digits[:6] + "*" * max(len(digits) - 10, 0) + digits[-4:]  # never in full
            raise CellError(
                "The ID number is stored as a number, so Excel kept only its first 15 digits "
                f"(it reads {shown}); format the column as text and enter the number again."
            )
        return digits
    result = _narrow(clean(str(value))).strip()
    return result or None


def code(value) -> str | None:
    """An organisation code: text, full-width letters and digits folded (``Ｂ１`` → ``B1``)."""
    return text(_narrow(value) if isinstance(value, str) else value, max_length=100)


def phone(value) -> str | None:
    """A phone number as text (a number cell is fine: 11 digits fit exactly)."""
    result = text(value if not isinstance(value, str) else _narrow(value), max_length=40)
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
    raw = _narrow(clean(str(value))).strip()
    if not raw:
        return None
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
    raw = _narrow(clean(str(value))).strip().lower()
    if not raw:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(f"{str(value).strip()!r} is not 是 or 否.")
