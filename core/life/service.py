"""Recording meetings and their attendance, and the figures drawn from them (callers commit).

Who is eligible (应到):

* 支委会 (``committee_meeting``): the members holding a committee post of the organisation on
  the day (:mod:`core.orgs.posts`); a holder outside the register is not counted.
* 谈心谈话 (``talk``): the members talked with — exactly those recorded as present.
* every other kind: the active members (预备、正式、流动、失联) of the organisation's subtree who
  had joined by the day — for a branch its groups' members too, for a 党小组 its own.
  The register keeps members' current organisation, so this is who belongs there now.

Thresholds (支部工作条例), counted over the eligible members with a vote — full members
(正式党员), as only they vote:

* a 支部党员大会 needs **more than half** of them present: exactly half is not a quorum;
* an election needs **more than four fifths** present: exactly 4/5 is not enough.

A meeting that misses a threshold is still recorded — it happened, and the record is the
evidence — but is stored with ``quorum_met`` / ``election_valid`` false and the API answers
with a ``notices`` list saying so. An election record (:mod:`core.elections`) may cite only
an election meeting whose ``election_valid`` is true.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import and_, case, delete, func, select

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.db import db
from core.db.versioning import touch
from core.files import discard
from core.life.models import (
    GRADES,
    KINDS,
    Attendance,
    Meeting,
    MeetingAttachment,
    MeetingCredit,
    ReviewGrade,
)
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import BRANCH_LEVEL_KINDS, Organization, OrgPost
from core.orgs.posts import current_condition
from core.orgs.service import require_active, subtree_filter
from core.orgs.structure import full_member_condition

# Which organisations hold which meetings.
ORG_KINDS = {
    "general_meeting": BRANCH_LEVEL_KINDS,
    "committee_meeting": ("committee", *BRANCH_LEVEL_KINDS),
    "group_meeting": ("group",),
    "party_lecture": ("committee", *BRANCH_LEVEL_KINDS),
    "theme_day": BRANCH_LEVEL_KINDS + ("group",),
    "life_meeting": ("committee", *BRANCH_LEVEL_KINDS),
    "member_review": BRANCH_LEVEL_KINDS,
    "talk": ("committee", *BRANCH_LEVEL_KINDS, "group"),
}
EDITABLE = ("held_on", "starts_at", "ends_at", "topic", "host", "lecturer", "location", "minutes")


def _refuse(field: str, message: str, status: int = 422):
    raise ApiError(status, f"{field}: {message}", {field: [message]})


def quorum_met(voting_present: int, voting_count: int) -> bool:
    """More than half of the members with a vote present (exactly half is not enough)."""
    return voting_count > 0 and voting_present * 2 > voting_count


def election_valid(voting_present: int, voting_count: int) -> bool:
    """More than four fifths present (exactly 4/5 is not enough)."""
    return voting_count > 0 and voting_present * 5 > voting_count * 4


def rate(present: int, eligible: int) -> float | None:
    return round(present / eligible, 4) if eligible else None


def eligible_members(org: Organization, kind: str, held_on: date) -> dict[uuid.UUID, bool]:
    """``{member_id: has a vote}`` of the members expected at a ``kind`` meeting of ``org``
    on ``held_on`` (not for ``talk``, whose attendees are whoever was talked with) — one
    query."""
    voting = full_member_condition(held_on)
    if kind == "committee_meeting":
        stmt = (
            select(Member.id, voting)
            .join(OrgPost, OrgPost.member_id == Member.id)
            .where(OrgPost.org_id == org.id, *current_condition(held_on))
            .distinct()
        )
    else:
        stmt = (
            select(Member.id, voting)
            .join(Organization, Organization.id == Member.org_id)
            .where(subtree_filter(org.path), Member.status.in_(ACTIVE_STATUSES),
                   Member.joined_on <= held_on)
        )
    return {member_id: bool(votes) for member_id, votes in db.session.execute(stmt)}


def _talked_with(org: Organization, member_ids: list[uuid.UUID], held_on: date) -> dict[uuid.UUID, bool]:
    stmt = (
        select(Member.id, full_member_condition(held_on))
        .join(Organization, Organization.id == Member.org_id)
        .where(subtree_filter(org.path), Member.status.in_(ACTIVE_STATUSES),
               Member.id.in_(member_ids))
    )
    return {member_id: bool(votes) for member_id, votes in db.session.execute(stmt)}


def _ids(values, field: str) -> list[uuid.UUID]:
    seen: list[uuid.UUID] = []
    for value in values or []:
        if value in seen:
            _refuse(field, f"{value} is listed twice.")
        seen.append(value)
    return seen


def set_attendance(meeting: Meeting, org: Organization, *, present=(), absences=(),
                   late=()) -> Meeting:
    """Replace ``meeting``'s attendance: ``present`` member ids, ``absences`` as
    ``[{"member_id", "reason"}]`` and ``late`` (a subset of ``present``). Eligible members
    listed nowhere are recorded absent without a reason. A member who is not eligible, or
    listed both present and absent, is refused (422 naming the field). Refreshes the
    meeting's figures and thresholds."""
    present_ids = _ids(present, "present_member_ids")
    absent_ids = _ids([a["member_id"] for a in absences or []], "absences")
    late_ids = set(_ids(late, "late_member_ids"))
    both = set(present_ids) & set(absent_ids)
    if both:
        _refuse("absences", f"Listed as present too: {', '.join(sorted(map(str, both)))}.")
    if not late_ids <= set(present_ids):
        _refuse("late_member_ids", "A late member must be listed as present.")
    if meeting.kind == "talk":
        if absent_ids:
            _refuse("absences", "A talk (谈心谈话) records only who was talked with.")
        if not present_ids:
            _refuse("present_member_ids", "Name at least one member talked with.")
        eligible = _talked_with(org, present_ids, meeting.held_on)
    else:
        eligible = eligible_members(org, meeting.kind, meeting.held_on)
    for field, ids in (("present_member_ids", present_ids), ("absences", absent_ids)):
        strangers = [str(i) for i in ids if i not in eligible]
        if strangers:
            _refuse(field, f"Not eligible for this meeting: {', '.join(strangers)}.")
    reasons = {a["member_id"]: (a.get("reason") or "").strip() or None for a in absences or []}
    # The meeting's version first: two lists replacing each other is a lost update, so the
    # second writer meets a stale version (409) before it touches the rows.
    touch(meeting)
    db.session.flush()
    db.session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id))
    present_set = set(present_ids)
    db.session.add_all(
        Attendance(meeting_id=meeting.id, member_id=member_id, present=member_id in present_set,
                   late=member_id in late_ids, absence_reason=reasons.get(member_id))
        for member_id in eligible
    )
    meeting.eligible_count = len(eligible)
    meeting.present_count = len(present_set)
    meeting.voting_count = sum(1 for votes in eligible.values() if votes)
    meeting.voting_present = sum(1 for i in present_set if eligible[i])
    general = meeting.kind == "general_meeting"
    meeting.quorum_met = quorum_met(meeting.voting_present, meeting.voting_count) if general else None
    meeting.election_valid = (
        election_valid(meeting.voting_present, meeting.voting_count) if meeting.is_election else None
    )
    return meeting


def set_grades(meeting: Meeting, grades) -> None:
    """Replace a 民主评议 meeting's grades (``[{"member_id", "grade"}]``); each member must be
    among the meeting's eligible members."""
    if meeting.kind != "member_review":
        if grades:
            _refuse("grades", "Grades belong to a member review (民主评议党员) meeting.")
        return
    ids = _ids([g["member_id"] for g in grades or []], "grades")
    bad = [g["grade"] for g in grades or [] if g["grade"] not in GRADES]
    if bad:
        _refuse("grades", f"Grades are {', '.join(GRADES)}.")
    attendees = set(db.session.scalars(
        select(Attendance.member_id).where(Attendance.meeting_id == meeting.id)
    ))
    strangers = [str(i) for i in ids if i not in attendees]
    if strangers:
        _refuse("grades", f"Not eligible for this meeting: {', '.join(strangers)}.")
    db.session.execute(delete(ReviewGrade).where(ReviewGrade.meeting_id == meeting.id))
    db.session.add_all(ReviewGrade(meeting_id=meeting.id, member_id=g["member_id"], grade=g["grade"])
                       for g in grades or [])


def _check(kind: str, org: Organization, values: dict) -> None:
    if kind not in KINDS:
        _refuse("kind", f"Must be one of {', '.join(KINDS)}.")
    if org.kind not in ORG_KINDS[kind]:
        _refuse("org_id", f"A {kind} is held by organisations of kind {', '.join(ORG_KINDS[kind])}.")
    if values.get("is_election") and kind != "general_meeting":
        _refuse("is_election", "Only a general meeting (支部党员大会) elects.")
    if values["held_on"] > date.today():
        _refuse("held_on", "A meeting is recorded once it has been held.")
    if org.founded_on is not None and values["held_on"] < org.founded_on:
        _refuse("held_on", "Before the organisation was founded.")
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is not None and ends is not None and ends < starts:
        _refuse("ends_at", "Ends before it starts.")


def record_meeting(org: Organization, data: dict) -> Meeting:
    """Record a meeting of ``org`` with its attendance (and grades for a member review).

    ``data``: ``kind``, ``held_on``, ``topic`` and optionally ``starts_at``, ``ends_at``,
    ``host``, ``lecturer``, ``location``, ``minutes``, ``is_election``,
    ``present_member_ids``, ``absences``, ``late_member_ids``, ``grades``.
    """
    require_active(org)
    _check(data["kind"], org, data)
    actor = current_actor()
    meeting = Meeting(
        kind=data["kind"], org_id=org.id, is_election=bool(data.get("is_election")),
        created_by=actor.label if actor else "system",
        created_by_user_id=actor.user_id if actor else None,
        **{key: data.get(key) for key in EDITABLE},
    )
    db.session.add(meeting)
    db.session.flush()
    set_attendance(meeting, org, present=data.get("present_member_ids"),
                   absences=data.get("absences"), late=data.get("late_member_ids"))
    set_grades(meeting, data.get("grades"))
    return meeting


def update_meeting(meeting: Meeting, org: Organization, data: dict) -> Meeting:
    """Correct a meeting: the fields of :data:`EDITABLE` given; attendance lists given
    replace those lists (the others are kept), and a new date re-checks who was eligible."""
    values = {key: getattr(meeting, key) for key in EDITABLE}
    values.update({k: v for k, v in data.items() if k in EDITABLE})
    values["is_election"] = meeting.is_election
    _check(meeting.kind, org, values)
    touch(meeting)  # the attendance and the grades are the meeting's too
    for key in EDITABLE:
        if key in data:
            setattr(meeting, key, values[key])
    if {"present_member_ids", "absences", "late_member_ids", "held_on"} & set(data):
        current = attendance_of(meeting)
        present = data.get("present_member_ids")
        if present is None:
            present = [a.member_id for a, _ in current if a.present]
        absences = data.get("absences")
        if absences is None:
            absences = [{"member_id": a.member_id, "reason": a.absence_reason}
                        for a, _ in current if not a.present and a.absence_reason]
        late = data.get("late_member_ids")
        if late is None:
            late = [a.member_id for a, _ in current if a.late and a.member_id in set(present)]
        set_attendance(meeting, org, present=present, absences=absences, late=late)
    if "grades" in data:
        set_grades(meeting, data["grades"])
    return meeting


def delete_meeting(meeting: Meeting) -> None:
    """Remove a meeting with its rows and its stored files."""
    names = list(db.session.scalars(
        select(MeetingAttachment.stored_name).where(MeetingAttachment.meeting_id == meeting.id)
    ))
    for model in (MeetingAttachment, ReviewGrade, Attendance, MeetingCredit):
        db.session.execute(delete(model).where(model.meeting_id == meeting.id))
    db.session.delete(meeting)
    for name in names:
        discard(meeting.tenant_id, name)


def get_meeting(meeting_id: uuid.UUID) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id))


def recent_meetings(org_ids, since: date, limit: int = 50) -> list[Meeting]:
    """Meetings (not talks) the organisations ``org_ids`` held since ``since``, newest first."""
    return list(db.session.scalars(
        select(Meeting).where(Meeting.org_id.in_(list(org_ids)), Meeting.kind != "talk",
                              Meeting.held_on >= since)
        .order_by(Meeting.held_on.desc(), Meeting.created_at.desc()).limit(limit)))


def credit_meeting(meeting: Meeting, org_id: uuid.UUID, source: str, source_id: uuid.UUID) -> MeetingCredit:
    """Let ``meeting`` count for organisation ``org_id`` too (a joint meeting), on behalf of
    ``source``'s record ``source_id``; it then counts wherever meetings are counted
    (:func:`core.life.models.counted_meetings`)."""
    credit = MeetingCredit(meeting_id=meeting.id, org_id=org_id, source=source, source_id=source_id)
    db.session.add(credit)
    db.session.flush()
    return credit


def withdraw_credits(source_id: uuid.UUID) -> None:
    """Remove the credits written on behalf of record ``source_id``."""
    db.session.execute(delete(MeetingCredit).where(MeetingCredit.source_id == source_id))


def credits_by_source(source_ids) -> dict:
    """source record id → the organisation its credit goes to (records with a credit only)."""
    ids = list(source_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(MeetingCredit.source_id, MeetingCredit.org_id).where(MeetingCredit.source_id.in_(ids))).all())


def credited_meetings(meeting_ids) -> set[uuid.UUID]:
    """Those of ``meeting_ids`` already credited to another organisation."""
    ids = list(meeting_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(MeetingCredit.meeting_id).where(MeetingCredit.meeting_id.in_(ids))))


def attendance_of(meeting: Meeting) -> list[tuple[Attendance, str]]:
    """The meeting's attendance rows with each member's name, present first — one query."""
    rows = db.session.execute(
        select(Attendance, Member.name)
        .join(Member, Member.id == Attendance.member_id)
        .where(Attendance.meeting_id == meeting.id)
        .order_by(Attendance.present.desc(), Member.name)
    ).all()
    return [(row, name) for row, name in rows]


def grades_of(meeting: Meeting) -> list[ReviewGrade]:
    return list(db.session.scalars(select(ReviewGrade).where(ReviewGrade.meeting_id == meeting.id)))


def member_rates(root: Organization | None, date_from: date, date_to: date, visible=None):
    """A statement of per-member attendance over ``[date_from, date_to]``: ``member_id``,
    ``name``, ``org_id``, ``expected`` (meetings they were eligible for), ``attended`` —
    one aggregate over the subtree (talks left out: they are not meetings one attends).
    ``visible`` is an optional WHERE clause on the meetings' :class:`Organization`."""
    attended = func.sum(case((Attendance.present, 1), else_=0))
    stmt = (
        select(
            Attendance.member_id.label("member_id"),
            Member.name.label("name"),
            Member.org_id.label("org_id"),
            func.count().label("expected"),
            attended.label("attended"),
        )
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(Organization, Organization.id == Meeting.org_id)
        .join(Member, Member.id == Attendance.member_id)
        .where(Meeting.kind != "talk", Meeting.held_on >= date_from, Meeting.held_on <= date_to)
        .group_by(Attendance.member_id, Member.name, Member.org_id)
        .order_by(Member.name, Attendance.member_id)
    )
    conditions = []
    if root is not None:
        conditions.append(subtree_filter(root.path))
    if visible is not None:
        conditions.append(visible)
    return stmt.where(and_(*conditions)) if conditions else stmt
