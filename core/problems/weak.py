"""Weak-and-lax organisations (软弱涣散党组织): designation, rectification (整顿) and
de-listing (摘帽销号).

The level above designates an organisation for a year with a reason from the tenant's list
(``weak_reason_categories``), a description, a plan and the people who follow it (包联领导,
指导员); the organisation starts rectifying; the level above de-lists it once every problem
linked to the designation is closed. An organisation holds one designation at a time (a
second one is a 409 naming ``org_id``; the database's partial unique index settles a race);
de-listed ones stay as its history. The caller commits; a refusal writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.db import db
from core.db.mixins import utcnow
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.problems.models import (
    CLOSED,
    DELISTED,
    DESIGNATED,
    RECTIFYING,
    WEAK_EVENT_KINDS,
    WEAK_STATUS_LABELS,
    Problem,
    WeakDesignation,
    WeakEvent,
)
from core.problems.service import check_version, flush, require_level_above
from core.problems.settings import settings

EDITABLE = ("year", "reason_category", "description", "rectification_plan", "leader_name",
            "instructor_name")
WHAT = "软弱涣散认定"


def _invalid(field: str, message: str):
    raise ApiError(422, f"{field}: {message}", {field: [message]})


def _conflict(message: str, field: str = "status", errors=None):
    raise ApiError(409, message, errors or {field: [message]})


def record_event(designation: WeakDesignation, kind: str, *, from_status: str | None = None,
                 to_status: str | None = None, comment: str | None = None,
                 details: dict | None = None) -> WeakEvent:
    if kind not in WEAK_EVENT_KINDS:
        raise ValueError(f"unknown weak designation event kind {kind!r}")
    actor = current_actor()
    event = WeakEvent(designation_id=designation.id, kind=kind, from_status=from_status,
                      to_status=to_status, comment=comment, details=details,
                      actor_label=actor.label if actor else "system",
                      actor_user_id=actor.user_id if actor else None)
    db.session.add(event)
    return event


def get(designation_id: uuid.UUID) -> WeakDesignation | None:
    return db.session.scalar(select(WeakDesignation).where(WeakDesignation.id == designation_id))


def active_for(org_id: uuid.UUID) -> WeakDesignation | None:
    """The organisation's designation that is not de-listed, if any."""
    return db.session.scalar(select(WeakDesignation).where(
        WeakDesignation.org_id == org_id, WeakDesignation.status != DELISTED))


def history(org_id: uuid.UUID) -> Sequence[WeakDesignation]:
    """Every designation of the organisation, newest first."""
    return db.session.scalars(
        select(WeakDesignation).where(WeakDesignation.org_id == org_id)
        .order_by(WeakDesignation.designated_on.desc(), WeakDesignation.created_at.desc())
    ).all()


def events_of(designation: WeakDesignation) -> Sequence[WeakEvent]:
    return db.session.scalars(
        select(WeakEvent).where(WeakEvent.designation_id == designation.id)
        .order_by(WeakEvent.created_at, WeakEvent.id)
    ).all()


def problems_of(designation: WeakDesignation) -> Sequence[Problem]:
    return db.session.scalars(
        select(Problem).where(Problem.designation_id == designation.id)
        .order_by(Problem.found_on, Problem.created_at)
    ).all()


def _check_values(values: dict) -> None:
    if "reason_category" in values:
        allowed = settings()["weak_reason_categories"]
        if values["reason_category"] not in allowed:
            _invalid("reason_category", f"须为以下之一：{'、'.join(allowed)}。")
    if "year" in values and not (2000 <= (values["year"] or 0) <= date.today().year + 1):
        _invalid("year", f"须在 2000 至 {date.today().year + 1} 之间。")


def _linkable(org: Organization, problem_ids: Sequence[uuid.UUID]) -> list[Problem]:
    ids = list(dict.fromkeys(problem_ids))
    if not ids:
        return []
    found = {p.id: p for p in db.session.scalars(select(Problem).where(Problem.id.in_(ids)))}
    for index, problem_id in enumerate(ids):
        problem = found.get(problem_id)
        if problem is None or problem.org_id != org.id:
            _invalid(f"problem_ids.{index}", "须为本组织的问题。")
    return [found[i] for i in ids]


def designate(org: Organization, data: dict) -> WeakDesignation:
    """认定: list ``org`` as 软弱涣散 (by the level above). ``data``: ``year``,
    ``reason_category``, ``description``, ``rectification_plan``, ``leader_name``,
    ``instructor_name``, ``designated_on`` (default today), ``problem_ids`` to link."""
    orgs.require_active(org)
    _check_values(data)
    designated_on = data.get("designated_on") or date.today()
    if designated_on > date.today():
        _invalid("designated_on", "不能晚于今天。")
    problems = _linkable(org, data.get("problem_ids") or [])
    require_level_above(org, "认定软弱涣散党组织")
    current = active_for(org.id)
    if current is not None:
        _conflict(f"该组织已被认定为软弱涣散党组织（{current.year}年，{WEAK_STATUS_LABELS[current.status]}），"
                  "须摘帽后才能再次认定。", "org_id")
    actor = current_actor()
    designation = WeakDesignation(
        org_id=org.id, year=data["year"], reason_category=data["reason_category"],
        description=data.get("description"), rectification_plan=data.get("rectification_plan"),
        leader_name=data.get("leader_name"), instructor_name=data.get("instructor_name"),
        status=DESIGNATED, designated_on=designated_on,
        designated_by=actor.label if actor else "system",
        designated_by_user_id=actor.user_id if actor else None,
    )
    db.session.add(designation)
    db.session.flush()
    for problem in problems:
        problem.designation_id = designation.id
    record_event(designation, "designated", to_status=DESIGNATED,
                 details={"problems": [str(p.id) for p in problems]} if problems else None)
    flush(WHAT)
    return designation


def update_designation(designation: WeakDesignation, org: Organization, changes: dict,
                       expected_version: int | None) -> WeakDesignation:
    """Correct a designation that is not de-listed (by the level above)."""
    check_version(designation, expected_version, WHAT)
    if designation.status == DELISTED:
        _conflict("已摘帽的认定不能修改。")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable designation fields: {sorted(unknown)}")
    values = {k: v for k, v in changes.items() if getattr(designation, k) != v}
    _check_values(values)
    for required in ("year", "reason_category"):
        if required in values and values[required] is None:
            _invalid(required, "不能为空。")
    require_level_above(org, "修改软弱涣散认定")
    if not values:
        return designation
    record_event(designation, "updated", details={"fields": sorted(values)})
    for key, value in values.items():
        setattr(designation, key, value)
    flush(WHAT)
    return designation


def start(designation: WeakDesignation, org: Organization, comment: str | None = None,
          expected_version: int | None = None) -> WeakDesignation:
    """开始整顿: designated → rectifying."""
    check_version(designation, expected_version, WHAT)
    if designation.status != DESIGNATED:
        _conflict(f"认定当前为“{WEAK_STATUS_LABELS[designation.status]}”，只有“已认定”的可以开始整顿。")
    record_event(designation, "started", from_status=DESIGNATED, to_status=RECTIFYING, comment=comment)
    designation.status = RECTIFYING
    designation.started_at = utcnow()
    flush(WHAT)
    return designation


def delist(designation: WeakDesignation, org: Organization, comment: str | None = None,
           expected_version: int | None = None) -> WeakDesignation:
    """摘帽销号: rectifying → delisted, by the level above, once every linked problem is
    closed (409 listing the ones that are not)."""
    require_level_above(org, "摘帽销号")  # first: who may not act learns nothing of the state
    check_version(designation, expected_version, WHAT)
    if designation.status != RECTIFYING:
        _conflict(f"认定当前为“{WEAK_STATUS_LABELS[designation.status]}”，只有“整顿中”的可以摘帽销号。")
    pending = [p for p in problems_of(designation) if p.status != CLOSED]
    if pending:
        titles = "、".join(p.title for p in pending[:10])
        _conflict(f"还有 {len(pending)} 个关联问题未销号（{titles}），全部销号后才能摘帽。",
                  errors={"problems": [f"{p.id}: {p.title}" for p in pending]})
    actor = current_actor()
    record_event(designation, "delisted", from_status=RECTIFYING, to_status=DELISTED, comment=comment)
    designation.status = DELISTED
    designation.delisted_on = date.today()
    designation.delisted_by = actor.label if actor else "system"
    designation.delisted_by_user_id = actor.user_id if actor else None
    designation.delisting_comment = comment
    flush(WHAT)
    return designation

