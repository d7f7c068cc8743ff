"""Pairings, their agreed tasks and joint activities (callers commit).

Every function works in the current tenant and checks everything before it changes anything,
so a refusal writes nothing. Errors are :class:`~core.api.errors.ApiError` naming the field:
422 for invalid input, 409 for what the record's state or an existing record does not allow.
Who may write at all is the API's (and the web pages') business:

* creating and dissolving a pairing needs ``branch_secretary`` on **both** organisations (in
  practice the committee above both, or the department: pairings are arranged, not claimed);
* correcting it, its tasks and its activities needs ``branch_secretary`` on either side.

A joint org-life meeting: the activity names a meeting one side held (``meeting_id``), on
the activity's day; the other side is credited with it through the life slice
(:func:`core.life.service.credit_meeting`), so it counts for both wherever meetings are
counted. Changing or deleting the activity withdraws the credit.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.db import db
from core.life import service as life
from core.orgs.models import Organization
from core.pairings.models import (
    ACTIVE,
    ACTIVITY_KINDS,
    DISSOLVED,
    Pairing,
    PairingActivity,
    PairingTask,
)
from core.pairings.settings import settings

CREDIT_SOURCE = "pairing"
JOINT_MEETING = "joint_meeting"
PAIRING_FIELDS = ("started_on", "goals", "contact")
TASK_FIELDS = ("title", "due_on", "done", "done_on", "result")
ACTIVITY_FIELDS = ("held_on", "kind", "topic", "org_participants", "partner_participants",
                   "participants_note", "results", "meeting_id")
PAIR_TAKEN = "These two organisations are already paired (an active pairing exists)."


def _invalid(field: str, message: str):
    raise ApiError(422, f"{field}: {message}", {field: [message]})


def _conflict(field: str, message: str):
    raise ApiError(409, message, {field: [message]})


def _not_future(field: str, value: date | None) -> None:
    if value is not None and value > date.today():
        _invalid(field, "Must not be in the future.")


def _actor_label() -> str:
    actor = current_actor()
    return actor.label if actor else "system"


# -- sides -------------------------------------------------------------------------------------


def _check_side(org: Organization, field: str, categories) -> None:
    if org.status != "active":
        _invalid(field, f"The organization is {org.status}.")
    if org.kind == "group":
        _invalid(field, "A Party group (党小组) is not paired; pair its branch.")
    if org.category_code not in categories:
        codes = "、".join(str(c) for c in categories)
        _invalid(field, f"Its 党组织类别 ({org.category_code}) is not one this side takes ({codes}).")


def check_sides(org: Organization, partner: Organization) -> None:
    """``org`` is an organ, SOE or enterprise organisation, ``partner`` a village or community
    one (the tenant's 党组织类别 per side); both active, neither a 党小组, not the same."""
    found = settings()
    if org.id == partner.id:
        _invalid("partner_org_id", "An organisation is not paired with itself.")
    _check_side(org, "org_id", found["org_categories"])
    _check_side(partner, "partner_org_id", found["partner_categories"])


# -- pairings ----------------------------------------------------------------------------------


def get(pairing_id: uuid.UUID) -> Pairing | None:
    return db.session.scalar(select(Pairing).where(Pairing.id == pairing_id))


def active_pairing(org_id: uuid.UUID, partner_org_id: uuid.UUID) -> Pairing | None:
    return db.session.scalar(select(Pairing).where(
        Pairing.org_id == org_id, Pairing.partner_org_id == partner_org_id, Pairing.status == ACTIVE))


def create(org: Organization, partner: Organization, data: dict) -> Pairing:
    check_sides(org, partner)
    if active_pairing(org.id, partner.id) is not None:
        _conflict("partner_org_id", PAIR_TAKEN)
    started_on = data.get("started_on") or date.today()
    _not_future("started_on", started_on)
    pairing = Pairing(org_id=org.id, partner_org_id=partner.id, started_on=started_on,
                      goals=data.get("goals"), contact=data.get("contact"), status=ACTIVE,
                      created_by=_actor_label())
    db.session.add(pairing)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _conflict("partner_org_id", PAIR_TAKEN)
    return pairing


def _first_activity(pairing: Pairing) -> date | None:
    return db.session.scalar(select(func.min(PairingActivity.held_on))
                             .where(PairingActivity.pairing_id == pairing.id))


def update(pairing: Pairing, changes: dict) -> Pairing:
    """Correct the start day, goals or contact."""
    values = {k: changes[k] for k in PAIRING_FIELDS if k in changes}
    if "started_on" in values:
        if values["started_on"] is None:
            _invalid("started_on", "Field may not be null.")
        _not_future("started_on", values["started_on"])
        first = _first_activity(pairing)
        if first is not None and values["started_on"] > first:
            _invalid("started_on", f"Must not be after the first joint activity ({first}).")
        if pairing.ended_on is not None and values["started_on"] > pairing.ended_on:
            _invalid("started_on", "Must not be after the day it was dissolved.")
    for key, value in values.items():
        setattr(pairing, key, value)
    db.session.flush()
    return pairing


def dissolve(pairing: Pairing, ended_on: date | None, reason: str | None) -> Pairing:
    """End the pairing (解除结对) with its reason; it stays as history."""
    if pairing.status != ACTIVE:
        _conflict("status", "The pairing is already dissolved.")
    reason = (reason or "").strip()
    if not reason:
        _invalid("end_reason", "Say why the pairing ends.")
    ended_on = ended_on or date.today()
    _not_future("ended_on", ended_on)
    if ended_on < pairing.started_on:
        _invalid("ended_on", "Must not be before the pairing started.")
    pairing.status, pairing.ended_on, pairing.end_reason = DISSOLVED, ended_on, reason
    pairing.ended_by = _actor_label()
    db.session.flush()
    return pairing


# -- tasks -------------------------------------------------------------------------------------


def tasks_of(pairing: Pairing) -> list[PairingTask]:
    return list(db.session.scalars(
        select(PairingTask).where(PairingTask.pairing_id == pairing.id)
        .order_by(PairingTask.done, PairingTask.due_on.is_(None), PairingTask.due_on,
                  PairingTask.created_at)))


def get_task(pairing: Pairing, task_id: uuid.UUID) -> PairingTask | None:
    return db.session.scalar(select(PairingTask).where(
        PairingTask.id == task_id, PairingTask.pairing_id == pairing.id))


def _check_task(pairing: Pairing, values: dict) -> None:
    if not (values.get("title") or "").strip():
        _invalid("title", "Field may not be blank.")
    values["title"] = values["title"].strip()
    if values.get("due_on") is not None and values["due_on"] < pairing.started_on:
        _invalid("due_on", "Must not be before the pairing started.")
    if values.get("done"):
        if values.get("done_on") is None:
            values["done_on"] = date.today()
        _not_future("done_on", values["done_on"])
        if values["done_on"] < pairing.started_on:
            _invalid("done_on", "Must not be before the pairing started.")
    elif values.get("done_on") is not None:
        _invalid("done_on", "Only a task done has the day it was done.")


def add_task(pairing: Pairing, data: dict) -> PairingTask:
    if pairing.status != ACTIVE:
        _conflict("status", "A dissolved pairing takes no new tasks.")
    values = {k: data.get(k) for k in TASK_FIELDS}
    values["done"] = bool(values["done"])
    _check_task(pairing, values)
    task = PairingTask(pairing_id=pairing.id, **values)
    db.session.add(task)
    db.session.flush()
    return task


def update_task(task: PairingTask, pairing: Pairing, changes: dict) -> PairingTask:
    values = {k: getattr(task, k) for k in TASK_FIELDS}
    values.update({k: v for k, v in changes.items() if k in TASK_FIELDS})
    if changes.get("done") is False and "done_on" not in changes:
        values["done_on"] = None
    values["done"] = bool(values["done"])
    _check_task(pairing, values)
    for key, value in values.items():
        setattr(task, key, value)
    db.session.flush()
    return task


def delete_task(task: PairingTask) -> None:
    db.session.delete(task)
    db.session.flush()


# -- activities --------------------------------------------------------------------------------


def activities_of(pairing: Pairing) -> list[PairingActivity]:
    return list(db.session.scalars(
        select(PairingActivity).where(PairingActivity.pairing_id == pairing.id)
        .order_by(PairingActivity.held_on.desc(), PairingActivity.created_at.desc())))


def get_activity(pairing: Pairing, activity_id: uuid.UUID) -> PairingActivity | None:
    return db.session.scalar(select(PairingActivity).where(
        PairingActivity.id == activity_id, PairingActivity.pairing_id == pairing.id))


def _check_meeting(pairing: Pairing, values: dict, activity_id: uuid.UUID | None):
    """The meeting a joint org-life activity names, and the side to credit with it."""
    meeting = life.get_meeting(values["meeting_id"])
    sides = (pairing.org_id, pairing.partner_org_id)
    if meeting is None or meeting.org_id not in sides:
        _invalid("meeting_id", "Must be a meeting held by one of the two paired organisations.")
    if meeting.kind == "talk":
        _invalid("meeting_id", "A talk (谈心谈话) is not a joint org-life meeting.")
    if meeting.held_on != values["held_on"]:
        _invalid("meeting_id", f"The meeting was held on {meeting.held_on}, not on the activity's day.")
    taken = db.session.scalar(select(func.count()).select_from(PairingActivity).where(
        PairingActivity.meeting_id == meeting.id,
        *([PairingActivity.id != activity_id] if activity_id is not None else [])))
    if taken:
        _conflict("meeting_id", "Another joint activity already records this meeting.")
    other = pairing.partner_org_id if meeting.org_id == pairing.org_id else pairing.org_id
    return meeting, other


def _check_activity(pairing: Pairing, values: dict, activity_id: uuid.UUID | None = None):
    if values.get("kind") not in ACTIVITY_KINDS:
        _invalid("kind", f"Must be one of {', '.join(ACTIVITY_KINDS)}.")
    if not (values.get("topic") or "").strip():
        _invalid("topic", "Field may not be blank.")
    values["topic"] = values["topic"].strip()
    held_on = values.get("held_on")
    if held_on is None:
        _invalid("held_on", "Field may not be null.")
    _not_future("held_on", held_on)
    if held_on < pairing.started_on:
        _invalid("held_on", "Must not be before the pairing started.")
    if pairing.ended_on is not None and held_on > pairing.ended_on:
        _invalid("held_on", "Must not be after the pairing was dissolved.")
    for field in ("org_participants", "partner_participants"):
        values[field] = values.get(field) or 0
        if values[field] < 0:
            _invalid(field, "Must be at least 0.")
    if values.get("meeting_id") is None:
        return None
    if values["kind"] != JOINT_MEETING:
        _invalid("kind", "An activity recorded as an org-life meeting is a joint_meeting.")
    return _check_meeting(pairing, values, activity_id)


def add_activity(pairing: Pairing, data: dict) -> PairingActivity:
    if pairing.status != ACTIVE:
        _conflict("status", "A dissolved pairing takes no new activities.")
    values = {k: data.get(k) for k in ACTIVITY_FIELDS}
    credit = _check_activity(pairing, values)
    activity = PairingActivity(pairing_id=pairing.id, created_by=_actor_label(), **values)
    db.session.add(activity)
    db.session.flush()
    if credit is not None:
        meeting, other = credit
        life.credit_meeting(meeting, other, CREDIT_SOURCE, activity.id)
    return activity


def update_activity(activity: PairingActivity, pairing: Pairing, changes: dict) -> PairingActivity:
    values = {k: getattr(activity, k) for k in ACTIVITY_FIELDS}
    values.update({k: v for k, v in changes.items() if k in ACTIVITY_FIELDS})
    credit = _check_activity(pairing, values, activity.id)
    for key, value in values.items():
        setattr(activity, key, value)
    life.withdraw_credits(activity.id)
    db.session.flush()
    if credit is not None:
        meeting, other = credit
        life.credit_meeting(meeting, other, CREDIT_SOURCE, activity.id)
    return activity


def delete_activity(activity: PairingActivity) -> None:
    life.withdraw_credits(activity.id)
    db.session.delete(activity)
    db.session.flush()


def meeting_choices(pairing: Pairing) -> list:
    """The meetings either side held since the pairing started (not talks), newest first: what
    a joint activity may name."""
    return life.recent_meetings((pairing.org_id, pairing.partner_org_id), pairing.started_on)


def credits_of(activities) -> dict:
    """activity id → the organisation its meeting is credited to (only those credited)."""
    return life.credits_by_source([a.id for a in activities])
