"""Letter codes: what is printed on the paper letter and typed in by the receiving side.

Twelve characters of Crockford's base-32 alphabet (no I, L, O or U, so nothing reads as
another character), shown as ``7K3M-Q9TD-XW2F``: 60 random bits, so a code cannot be guessed
or enumerated, and accepting a transfer requires having been handed it. Typed codes are
forgiving: case, spaces and dashes are ignored, and O / I / L are read as 0 / 1 / 1.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh random code in canonical form (12 characters, no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(raw: str | None) -> str | None:
    """The canonical form of a typed code, or ``None`` if it cannot be one."""
    if not isinstance(raw, str):
        return None
    value = "".join(raw.split()).replace("-", "").upper().translate(_CONFUSABLE)
    if len(value) != LENGTH or any(c not in ALPHABET for c in value):
        return None
    return value


def display(code: str) -> str:
    """``7K3MQ9TDXW2F`` → ``7K3M-Q9TD-XW2F`` (how it is printed and shown)."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
