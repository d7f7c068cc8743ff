"""Who is acting: a user in a request, the operator at the command line, or a job.

Kept in a context variable so the audit log, jobs and services read the same answer
whether they run in a request, a CLI command or a worker.
"""

from __future__ import annotations

import contextvars
import getpass
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    label: str  # "user:alice", "cli:root", "job:…" — shown in the audit log
    user_id: uuid.UUID | None = None


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("dangjian_actor", default=None)


def current_actor() -> Actor | None:
    return _actor.get()


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(actor: Actor | None) -> contextvars.Token:
    return _actor.set(actor)


def reset_actor(token: contextvars.Token) -> None:
    _actor.reset(token)


def cli_actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor(label=f"cli:{who}")
