"""Organisational life (三会一课, 主题党日, 组织生活会…): record a meeting with its attendance,
list an organisation's meetings, read one.

The attendance checklist lists the members the meeting expects (``core.life.service``'s
``eligible_members``; for a 谈心谈话 the active members one may have talked with); each is
present, late, on leave (absent with a reason) or absent. Saving is
``core.life.service.record_meeting`` — the API's ``POST /meetings`` — and then the
organisation's ``life.*`` warnings are re-evaluated so one the meeting answers clears.
"""

from __future__ import annotations

import uuid
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from core.api.errors import ApiError
from core.auth.permissions import visible_record
from core.db import db
from core.life import service as life
from core.life.models import GRADES, KIND_LABELS, KINDS, Meeting
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.screens.work.common import (
    WRITE_ROLE,
    put_errors,
    refresh_warnings,
    require_worker,
    translated,
    work_org,
)

ATTENDANCE_MAX = 300  # a checklist longer than this is not a form anyone fills in
CHOICES = (("present", _l("Present")), ("late", _l("Late")), ("leave", _l("On leave")),
           ("absent", _l("Absent")))
GRADE_LABELS = {"excellent": _l("Excellent"), "qualified": _l("Qualified"),
                "basically_qualified": _l("Basically qualified"), "unqualified": _l("Unqualified")}
REQUIRED = _l("This field is required.")
ATTENDANCE_FIELDS = ("present_member_ids", "absences", "late_member_ids", "grades")


class MeetingForm(FlaskForm):
    held_on = DateField(_l("Held on"), validators=[InputRequired(message=REQUIRED)])
    topic = StringField(_l("Topic"), validators=[InputRequired(message=REQUIRED), Length(max=300)])
    starts_at = TimeField(_l("Starts at"), validators=[Optional()])
    ends_at = TimeField(_l("Ends at"), validators=[Optional()])
    host = StringField(_l("Chaired by"), validators=[Optional(), Length(max=50)])
    lecturer = StringField(_l("Lecturer"), validators=[Optional(), Length(max=50)])
    location = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=100_000)])
    is_election = BooleanField(_l("This general meeting holds an election"))


def kinds_for(org: Organization) -> list[tuple[str, str]]:
    return [(kind, KIND_LABELS[kind]) for kind in KINDS if org.kind in life.ORG_KINDS[kind]]


def expected(org: Organization, kind: str, held_on: date) -> list[tuple[uuid.UUID, str, bool]]:
    """``(member id, name, has a vote)`` of the checklist, by name: the members the meeting
    expects — two queries (who, then their names)."""
    if kind == "talk":
        rows = db.session.execute(
            select(Member.id, Member.name).join(Organization, Organization.id == Member.org_id)
            .where(subtree_filter(org.path), Member.status.in_(ACTIVE_STATUSES))
            .order_by(Member.name, Member.id).limit(ATTENDANCE_MAX + 1)).all()
        return [(mid, name, False) for mid, name in rows]
    eligible = life.eligible_members(org, kind, held_on)
    if not eligible or len(eligible) > ATTENDANCE_MAX:
        return [(mid, "", votes) for mid, votes in list(eligible.items())[:ATTENDANCE_MAX + 1]]
    names = dict(db.session.execute(
        select(Member.id, Member.name).where(Member.id.in_(list(eligible)))).all())
    return sorted(((mid, names.get(mid, ""), votes) for mid, votes in eligible.items()),
                  key=lambda row: (row[1], str(row[0])))


def read_attendance(kind: str, members) -> tuple[dict, dict, list]:
    """The checklist as the service takes it, the choices to show again, and errors."""
    present, late, absences, grades, chosen, errors = [], [], [], [], {}, []
    for member_id, name, _votes in members:
        key = str(member_id)
        choice = request.form.get(f"att-{key}", "absent" if kind == "talk" else "present")
        reason = (request.form.get(f"reason-{key}") or "").strip()
        grade = request.form.get(f"grade-{key}") or ""
        chosen[key] = {"choice": choice, "reason": reason, "grade": grade}
        if choice in ("present", "late"):
            present.append(member_id)
            if choice == "late":
                late.append(member_id)
        elif choice == "leave":
            if not reason:
                errors.append(gettext("%(name)s: give the reason for the leave.", name=name))
            absences.append({"member_id": member_id, "reason": reason or None})
        if grade in GRADES:
            grades.append({"member_id": member_id, "grade": grade})
    data = {"present_member_ids": present, "late_member_ids": late, "absences": absences,
            "grades": grades if kind == "member_review" else []}
    return data, chosen, errors


@bp.route("/work/<org_id>/meetings")
@page
def work_meeting_list(org_id):
    """The meetings of the organisation and those below it, newest first (paged)."""
    org = work_org(org_id)
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    stmt = (select(Meeting, Organization.name).join(Organization, Organization.id == Meeting.org_id)
            .where(subtree_filter(org.path)))
    if kind:
        stmt = stmt.where(Meeting.kind == kind)
    listed = paginate(stmt.order_by(Meeting.held_on.desc(), Meeting.created_at.desc(), Meeting.id),
                      scalars=False)
    return render_template("web/work/meetings.html", org=org, listed=listed, kind=kind,
                           kinds=kinds_for(org), kind_labels=KIND_LABELS)


@bp.route("/work/<org_id>/meetings/new", methods=["GET", "POST"])
@page
def work_meeting_new(org_id):
    """Record a meeting of ``kind`` (chosen first: it decides who is expected)."""
    org = work_org(org_id)
    kind = request.args.get("kind")
    allowed = dict(kinds_for(org))
    if kind not in allowed:
        return render_template("web/work/meeting_kind.html", org=org, kinds=kinds_for(org))
    form = MeetingForm()
    if request.method == "GET":
        form.held_on.data = date.today()
    held_on = form.held_on.data if isinstance(form.held_on.data, date) else date.today()
    members = expected(org, kind, held_on)
    too_many = len(members) > ATTENDANCE_MAX
    chosen, list_errors = {}, []
    if request.method == "POST":
        data, chosen, list_errors = read_attendance(kind, members)
        if form.validate_on_submit() and not list_errors and not too_many:
            values = {name: form[name].data or None for name in life.EDITABLE}
            values.update(data, kind=kind, is_election=kind == "general_meeting" and form.is_election.data)
            try:
                meeting = life.record_meeting(org, values)
            except ApiError as exc:
                db.session.rollback()
                errors = dict(exc.errors) if isinstance(exc.errors, dict) else {}
                listed = [translated(m) for name in ATTENDANCE_FIELDS for m in errors.pop(name, [])]
                if errors or not listed:
                    put_errors(form, ApiError(exc.status, exc.message, errors))
                list_errors += listed
            else:
                db.session.commit()
                _notify(meeting)
                refresh_warnings(org, _rules_answered_by(meeting.kind))
                return redirect(url_for("web.work_meeting", meeting_id=meeting.id))
        status = 422
    else:
        status = 200
    return render_template(
        "web/work/meeting_form.html", org=org, kind=kind, kind_name=allowed[kind], form=form,
        members=members[:ATTENDANCE_MAX], too_many=too_many, chosen=chosen,
        list_errors=list_errors, choices=CHOICES, grades=GRADE_LABELS,
    ), status


def _notify(meeting: Meeting) -> None:
    flash(gettext("The meeting is recorded: %(present)s of %(eligible)s present.",
                  present=meeting.present_count, eligible=meeting.eligible_count))
    if meeting.quorum_met is False:
        flash(gettext("Quorum not met: %(present)s of %(voting)s voting members present; a "
                      "general meeting needs more than half.",
                      present=meeting.voting_present, voting=meeting.voting_count), "error")
    if meeting.election_valid is False:
        flash(gettext("Election not valid: %(present)s of %(voting)s voting members present; "
                      "an election needs more than four fifths.",
                      present=meeting.voting_present, voting=meeting.voting_count), "error")


@bp.route("/work/meetings/<meeting_id>")
@page
def work_meeting(meeting_id):
    """One meeting with who was there, late, on leave (with the reason) or absent."""
    require_worker()
    meeting, org = visible_record(Meeting, meeting_id, "meeting", role=WRITE_ROLE)
    grades = {g.member_id: g.grade for g in life.grades_of(meeting)}
    return render_template(
        "web/work/meeting.html", org=org, meeting=meeting, kind_name=KIND_LABELS[meeting.kind],
        attendance=life.attendance_of(meeting), grades=grades, grade_labels=GRADE_LABELS,
        rate=life.rate(meeting.present_count, meeting.eligible_count),
    )


def _rules_answered_by(kind: str) -> tuple[str, ...]:
    """The life rules a meeting of ``kind`` can clear — its own overdue rule, "no activity",
    and for a 谈心谈话 the missing-talk rule — so a save re-checks those, not every life rule
    of the city (each check is set-based over the whole tenant)."""
    keys = (f"life.{kind}_overdue", "life.no_activity")
    return (*keys, "life.talk_missing") if kind == "talk" else keys
