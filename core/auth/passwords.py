"""Password hashing (argon2id) and the password policy.

Production uses argon2-cffi's defaults (RFC 9106 low-memory profile: 3 passes over 64 MiB),
deliberately slow so a stolen hash table is expensive to crack. ``PASSWORD_HASH_FAST`` (set
by the test suite, never in production) switches to one pass over 8 MiB: the same code path
and hash format, but the hundreds of users a test run creates cost milliseconds instead of
minutes. Hashes made with other parameters are upgraded at the next successful login
(:func:`needs_rehash`), so changing parameters needs no migration.

The policy (等保 requires complexity): at least ``PASSWORD_MIN_LENGTH`` characters (default 8)
and at least three of the four classes lower case, upper case, digit, symbol.
"""

from __future__ import annotations

import secrets
import string
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MAX_LENGTH = 128  # argon2 would take more, but nobody types more; caps hashing cost per login


@cache
def _hasher(fast: bool) -> PasswordHasher:
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    return PasswordHasher()


def hasher() -> PasswordHasher:
    return _hasher(bool(current_app.config.get("PASSWORD_HASH_FAST")))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash(fast: bool) -> str:
    return _hasher(fast).hash("not-a-real-password")


def burn_time(password: str) -> None:
    """Spend what a real verification costs, so an unknown username answers as slowly as a
    wrong password (no user enumeration by timing)."""
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    verify(_dummy_hash(fast), password)


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def password_problems(password: str) -> list[str]:
    """What is wrong with ``password`` under the policy (empty when it is acceptable)."""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 8)
    problems = []
    if len(password) < minimum:
        problems.append(f"Password must be at least {minimum} characters long.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Password must be at most {MAX_LENGTH} characters long.")
    if _classes(password) < 3:
        problems.append(
            "Password must contain at least three of: lower-case letters, upper-case letters, "
            "digits, symbols."
        )
    return problems


_ALPHABET = string.ascii_letters + string.digits + "!#%+-=@_"


def generate_password(length: int = 16) -> str:
    """A random password that satisfies the policy (for ``dangjian users create --generate``)."""
    length = max(length, current_app.config.get("PASSWORD_MIN_LENGTH", 8))
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if _classes(candidate) == 4:
            return candidate
