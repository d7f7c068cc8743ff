"""Fixtures for the organisation tests: members stored directly as ``Member`` rows (the
tree's figures must not depend on the members slice's service), and a statement counter."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import inspect

from core.db import db
from core.members.models import Member

_serial = itertools.count(1)


def _id(org):
    """The id of ``org`` (an id, or an ``Organization``, flushed first when new: without ORM
    relationships the unit of work does not order members after their organisation)."""
    if org is None or not hasattr(org, "_sa_instance_state"):
        return org
    state = inspect(org)
    if state.pending:
        db.session.flush()
    return state.identity[1] if state.identity else org.id


def new_member(org, *, status="full", gender="male", ethnicity="汉族",
               birth_date=date(1980, 1, 1), joined_on=date(2005, 1, 1), full_on=None,
               education=None, name=None) -> Member:
    """Add (not commit) a member of ``org`` (an ``Organization`` or its id)."""
    n = next(_serial)
    if full_on is None and status == "full":
        full_on = date(joined_on.year + 1, joined_on.month, min(joined_on.day, 28))
    member = Member(
        org_id=_id(org),
        name=name or f"党员{n}",
        gender=gender,
        ethnicity=ethnicity,
        birth_date=birth_date,
        id_number=f"TEST-ID-{n}",
        id_number_index=f"test-index-{n}",
        joined_on=joined_on,
        full_on=full_on,
        status=status,
        education=education,
    )
    db.session.add(member)
    return member


def add_members(org, count: int, **fields) -> list[Member]:
    return [new_member(org, **fields) for _ in range(count)]


