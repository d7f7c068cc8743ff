"""Helpers for member tests (and the import/transfer tests that build on them).

``make_id_number`` computes the GB 11643 check character itself — independently of
core.members.idcard — so the validator is tested against the standard, not against itself.
"""

from __future__ import annotations

import itertools
from datetime import date

WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_sequence = itertools.count(11)


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2: the character that makes the weighted sum ≡ 1 (mod 11)."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id_number(birth: date = date(1990, 3, 7), gender: str = "male",
                   region: str = "320102", sequence: int | None = None) -> str:
    """A valid 18-character ID number for this birth date and gender; a fresh sequence
    number each call unless one is given."""
    n = (next(_sequence) if sequence is None else sequence) % 500
    parity = 1 if gender == "male" else 0
    first17 = f"{region}{birth:%Y%m%d}{n // 5:02d}{parity + 2 * (n % 5)}"
    return first17 + check_character(first17)


def member_data(org_id, **overrides) -> dict:
    """A valid create body (JSON-ready) for the member API / MemberInputSchema."""
    birth = overrides.pop("birth", date(1990, 3, 7))
    gender = overrides.pop("sex", "male")
    data = {
        "org_id": str(org_id),
        "name": "张三",
        "ethnicity": "汉族",
        "id_number": make_id_number(birth, gender),
        "joined_on": "2015-06-01",
        "full_on": "2016-06-01",
        "status": "full",
        "phone": "13812345678",
        "address": "江苏省南京市玄武区北京东路41号",
        "education": "bachelor",
    }
    data.update(overrides)
    return data
