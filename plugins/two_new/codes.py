"""统一社会信用代码 (GB 32100-2015), checked when a unit is registered so a mistyped code is
caught at entry: 18 characters from a 31-character alphabet (no I, O, S, V, Z), an
administrative division code in characters 3–8, and a check character computed from the
first 17 with the standard's weights. (Core checks its own units the same way; plugins keep
their own copy, as they import only ``core.sdk``.)"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise(code: str | None) -> str | None:
    """Upper case without surrounding blanks; ``None`` for nothing."""
    if code is None:
        return None
    code = code.strip().upper()
    return code or None


def check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, or ``None`` when it is."""
    if len(code) != 18:
        return "A unified social credit code has 18 characters."
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return f"Characters not allowed in a unified social credit code: {''.join(bad)}."
    if not code[2:8].isdigit():
        return "Characters 3–8 (the administrative division code) must be digits."
    if code[17] != check_char(code[:17]):
        return "The check character does not match (a character is mistyped)."
    return None
