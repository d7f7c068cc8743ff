"""Helpers for the organisational-life tests: a small tree and meetings stored through the
service (the rules must see exactly what the API records)."""

from __future__ import annotations

from datetime import date, timedelta

from core.db import db
from core.life import service
from core.orgs import service as orgs

LONG_AGO = date(2000, 1, 1)


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def make_org(code: str, kind: str = "branch", parent=None, founded_on=LONG_AGO):
    return orgs.create(name=f"{code}党支部", code=code, kind=kind, parent=parent,
                       founded_on=founded_on)


def meeting(org, kind: str, held_on: date, present=(), absences=(), **more):
    """Record a meeting of ``org`` through the service (flushing ``org`` first)."""
    db.session.flush()
    data = {"kind": kind, "held_on": held_on, "topic": f"{kind} 会议",
            "present_member_ids": [m.id for m in present],
            "absences": [{"member_id": m.id, "reason": reason} for m, reason in absences],
            **more}
    return service.record_meeting(org, data)
