"""Resident identity card numbers (公民身份号码, GB 11643-1999).

An 18-character number: a 6-digit region code, the birth date ``YYYYMMDD``, a 3-digit
sequence whose last digit gives the gender (odd male, even female), and a check character
computed with ISO 7064 MOD 11-2 over the first 17 digits (``0``–``9`` or ``X``).

:func:`parse_id_number` is the one place that decides whether a number is acceptable; it
answers a precise reason, because the people fixing an Excel sheet need to know *what* is
wrong with a number, not only that it is wrong. The 15-digit numbers of the first generation
(before 1999) are refused: the national member information collection records the 18-digit
form, and converting a 15-digit number guesses its century.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)

# Province-level codes (the first two digits): GB/T 2260, plus 71 Taiwan, 81 Hong Kong, 82 Macao.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)

EARLIEST_BIRTH = date(1900, 1, 1)
_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Separators people paste in from other systems; they carry no meaning.
_NOISE = re.compile(r"[\s\u3000\-]")


class IdNumberError(ValueError):
    """The number is not a valid resident ID number; ``reason`` says why, in one sentence."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IdNumber:
    normalized: str  # 18 characters, check character upper-case
    birth_date: date
    gender: str  # "male" / "female" (core.members.models.GENDERS)

    @property
    def region_code(self) -> str:
        return self.normalized[:6]


def check_char(first17: str) -> str:
    """The MOD 11-2 check character for 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("the check character is computed over exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(raw) -> str:
    """``raw`` without spaces or dashes, upper-cased (``x`` → ``X``); not validated."""
    return _NOISE.sub("", str(raw)).upper()


def parse_id_number(raw, *, today: date | None = None) -> IdNumber:
    """Validate ``raw`` and return its normalised form, birth date and gender.

    Raises :class:`IdNumberError` naming the first problem found: wrong length (with a
    dedicated message for 15-digit legacy numbers), bad characters, unknown province, an
    impossible, future or pre-1900 birth date, or a wrong check character ("expected X").
    """
    if raw is None:
        raise IdNumberError("ID number is missing.")
    value = normalize(raw)
    if not value:
        raise IdNumberError("ID number is missing.")
    if len(value) == 15 and value.isdigit():
        raise IdNumberError(
            "15-digit ID numbers (first generation) are not accepted; enter the 18-digit number."
        )
    if len(value) != 18:
        raise IdNumberError(f"ID number must have 18 characters, not {len(value)}.")
    if not _SHAPE.match(value):
        raise IdNumberError(
            "ID number must be 17 digits followed by a digit or X."
        )
    if value[:2] not in PROVINCE_CODES:
        raise IdNumberError(f"ID number starts with an unknown province code {value[:2]}.")
    birth = _birth_date(value[6:14], today or date.today())
    expected = check_char(value[:17])
    if value[17] != expected:
        raise IdNumberError(
            f"ID number check character is wrong: expected {expected}, found {value[17]}."
        )
    gender = "male" if int(value[16]) % 2 == 1 else "female"
    return IdNumber(normalized=value, birth_date=birth, gender=gender)


def _birth_date(digits: str, today: date) -> date:
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdNumberError(f"ID number contains an impossible birth date {digits}.") from None
    if birth < EARLIEST_BIRTH:
        raise IdNumberError(f"ID number contains a birth date before 1900 ({birth.isoformat()}).")
    if birth > today:
        raise IdNumberError(f"ID number contains a birth date in the future ({birth.isoformat()}).")
    return birth


def is_valid(raw) -> bool:
    try:
        parse_id_number(raw)
    except IdNumberError:
        return False
    return True
