"""Recording an election (换届) and moving the organisation's term (callers commit).

Rules:

* the organisation is active and has an elected term (not a 党小组);
* a **regular** election is held within ``REGULAR_WINDOW_DAYS`` (90) before its due date
  (the current term's end, :func:`core.orgs.terms.term_ends_on`) and not after it — held
  further ahead it is early, after it late;
* an **early** or **late** election needs the higher organisation's approval
  (``approval_ref``, 批复文号) and may move the date by at most one year from the due date;
  without a current term there is nothing to be early or late against, so only a regular
  one is recorded;
* a cited meeting must be this organisation's election meeting (``is_election``) held on
  the same day, with more than 4/5 present (``election_valid``).

The new term starts on ``term_started_on`` (the election day by default), with
``term_years`` when given (else the sector's setting still applies), written through
:func:`core.orgs.service.update` so its checks apply and the change is audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.db import db
from core.elections.models import KINDS, Election
from core.life.models import Meeting
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.orgs.terms import add_years, term_ends_on

REGULAR_WINDOW_DAYS = 90
MAX_SHIFT_YEARS = 1


def _refuse(field: str, message: str, status: int = 422):
    raise ApiError(status, f"{field}: {message}", {field: [message]})


def _check_timing(kind: str, held_on: date, due: date | None, data: dict) -> None:
    if kind not in KINDS:
        _refuse("kind", f"Must be one of {', '.join(KINDS)}.")
    if kind == "regular":
        if due is None:
            return
        if held_on > due:
            _refuse("kind", f"The term ended on {due.isoformat()}: this is a late election "
                            "(kind late, with the approval).")
        if held_on < due - timedelta(days=REGULAR_WINDOW_DAYS):
            _refuse("kind", f"The term ends on {due.isoformat()}: held more than "
                            f"{REGULAR_WINDOW_DAYS} days before, this is an early election "
                            "(kind early, with the approval).")
        return
    if due is None:
        _refuse("kind", "The organisation has no current term to hold an election early or late against.")
    if not (data.get("approval_ref") or "").strip():
        _refuse("approval_ref", "An early or late election needs the approval's reference (批复文号).")
    if kind == "early":
        if held_on >= due:
            _refuse("held_on", f"Not before the term's end ({due.isoformat()}).")
        if held_on < add_years(due, -MAX_SHIFT_YEARS):
            _refuse("held_on", f"More than one year before the term's end ({due.isoformat()}).")
    else:
        if held_on <= due:
            _refuse("held_on", f"Not after the term's end ({due.isoformat()}).")
        if held_on > add_years(due, MAX_SHIFT_YEARS):
            _refuse("held_on", f"More than one year after the term's end ({due.isoformat()}).")


def _check_meeting(org: Organization, meeting_id, held_on: date) -> None:
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id))
    if meeting is None or meeting.org_id != org.id:
        _refuse("meeting_id", "No such meeting of this organisation.")
    if meeting.kind != "general_meeting" or not meeting.is_election:
        _refuse("meeting_id", "Not an election meeting (支部党员大会 with is_election).")
    if meeting.held_on != held_on:
        _refuse("meeting_id", "The meeting was held on another day.")
    if not meeting.election_valid:
        _refuse("meeting_id", "Four fifths or fewer of the voting members were present: the election is not valid.")


def record_election(org: Organization, data: dict) -> Election:
    """Record an election of ``org`` and start its new term. ``data``: ``held_on``,
    ``kind`` and optionally ``approved_by``, ``approval_ref``, ``term_started_on``,
    ``term_years``, ``meeting_id``, ``notes``."""
    orgs.require_active(org)
    if org.kind == "group":
        _refuse("org_id", "A Party group (党小组) has no elected term.")
    held_on = data["held_on"]
    if held_on > date.today():
        _refuse("held_on", "An election is recorded once it has been held.")
    kind = data.get("kind") or "regular"
    due = term_ends_on(org)
    _check_timing(kind, held_on, due, data)
    if data.get("meeting_id") is not None:
        _check_meeting(org, data["meeting_id"], held_on)
    started = data.get("term_started_on") or held_on
    if started < held_on:
        _refuse("term_started_on", "The new term cannot start before the election.")
    changes = {"term_started_on": started}
    if data.get("term_years") is not None:
        changes["term_years"] = data["term_years"]
    orgs.update(org, changes)
    actor = current_actor()
    election = Election(
        org_id=org.id, held_on=held_on, kind=kind, due_on=due,
        approved_by=(data.get("approved_by") or "").strip() or None,
        approval_ref=(data.get("approval_ref") or "").strip() or None,
        term_started_on=started, term_years=data.get("term_years"),
        meeting_id=data.get("meeting_id"), notes=data.get("notes"),
        recorded_by=actor.label if actor else "system",
    )
    db.session.flush()  # the organisation first: no ORM relationship orders the inserts
    db.session.add(election)
    return election
