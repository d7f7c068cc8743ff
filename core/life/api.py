"""The meetings API (``/api/v1/meetings``): 三会一课 and the other records of organisational life.

* Reading needs a grant covering the meeting's organisation; a meeting outside it is a 404,
  exactly like an unknown or another tenant's id.
* Recording, correcting and deleting a meeting, its attendance and attachments needs
  ``branch_secretary`` on the organisation (a tenant admin holds it everywhere).
* A general meeting short of its quorum, or an election meeting with 4/5 or fewer present,
  is recorded — flagged ``quorum_met``/``election_valid`` false — and the answer's
  ``notices`` say so (see :mod:`core.life.service`).
* ``GET /attendance?subtree_of=&from=&to=`` gives each member's attendance over a period,
  one aggregate query.
"""

from __future__ import annotations

from flask import send_file
from sqlalchemy import func, select

from core import files
from core.api import Blueprint, abort
from core.api.smorest import parse_id
from core.auth.context import current_actor
from core.auth.permissions import has_role, login_required, require_org_access, visible_orgs_clause
from core.db import db
from core.db.versioning import check_version, expect
from core.life import service
from core.life.models import Meeting, MeetingAttachment
from core.life.schemas import (
    AttachmentFileSchema,
    AttachmentSchema,
    AttendancePutSchema,
    AttendanceSchema,
    MeetingDetailSchema,
    MeetingInputSchema,
    MeetingPatchSchema,
    MeetingQuerySchema,
    MeetingSchema,
    MemberRateSchema,
    RatesQuerySchema,
)
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.tenancy import current_tenant_id

bp = Blueprint("meetings", __name__, description="Organisational life: 三会一课 and more (组织生活).")

WRITE_ROLE = "branch_secretary"


def notices(meeting: Meeting) -> list[str]:
    found = []
    if meeting.quorum_met is False:
        found.append(
            f"Quorum not met: {meeting.voting_present} of {meeting.voting_count} voting members "
            "present; a general meeting needs more than half."
        )
    if meeting.election_valid is False:
        found.append(
            f"Election not valid: {meeting.voting_present} of {meeting.voting_count} voting "
            "members present; an election needs more than four fifths."
        )
    return found


def present(meeting: Meeting, org_name: str | None = None, detail: bool = False) -> dict:
    values = {key: getattr(meeting, key) for key in MeetingSchema().fields
              if hasattr(Meeting, key)}
    values["org_name"] = org_name
    values["attendance_rate"] = service.rate(meeting.present_count, meeting.eligible_count)
    values["notices"] = notices(meeting)
    if detail:
        values["attendance"] = [
            {"member_id": row.member_id, "name": name, "present": row.present, "late": row.late,
             "absence_reason": row.absence_reason}
            for row, name in service.attendance_of(meeting)
        ]
        values["grades"] = [{"member_id": g.member_id, "grade": g.grade}
                            for g in service.grades_of(meeting)]
    return values


def _org_or_404(org_id) -> Organization:
    org = orgs.get(org_id) if org_id is not None else None
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")
    return org


def _meeting(meeting_id, role: str = "member") -> tuple[Meeting, Organization]:
    """The meeting and its organisation; 404 unknown/foreign/unseen, 403 seen without ``role``."""
    parsed = parse_id(meeting_id)
    meeting = (db.session.scalar(select(Meeting).where(Meeting.id == parsed))
               if parsed is not None else None)
    org = orgs.get(meeting.org_id) if meeting is not None else None
    if meeting is None or org is None or not has_role("member", org):
        abort(404, f"meeting {meeting_id} not found")
    if not has_role(role, org):
        abort(403, f"This needs the {role} role on the meeting's organization.")
    return meeting, org


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(MeetingQuerySchema, location="query")
@bp.response(200, MeetingSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_meetings(filters, pagination_parameters):
    """Meetings the user can see, newest first; filter by ``kind``, ``org_id``,
    ``subtree_of`` and the period ``from``/``to`` (dates, inclusive)."""
    stmt = (select(Meeting, Organization.name)
            .join(Organization, Organization.id == Meeting.org_id)
            .where(visible_orgs_clause()))
    if filters["kind"]:
        stmt = stmt.where(Meeting.kind == filters["kind"])
    if filters["org_id"] is not None:
        stmt = stmt.where(Meeting.org_id == filters["org_id"])
    if filters["subtree_of"] is not None:
        root = _org_or_404(filters["subtree_of"])
        stmt = stmt.where(orgs.subtree_filter(root.path))
    if filters["date_from"] is not None:
        stmt = stmt.where(Meeting.held_on >= filters["date_from"])
    if filters["date_to"] is not None:
        stmt = stmt.where(Meeting.held_on <= filters["date_to"])
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.subquery())
    )
    rows = db.session.execute(
        stmt.order_by(Meeting.held_on.desc(), Meeting.created_at.desc())
        .offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
    ).all()
    return [present(meeting, name) for meeting, name in rows]


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(MeetingInputSchema)
@bp.response(201, MeetingDetailSchema)
def create_meeting(data):
    """Record a meeting with its attendance in one request: ``present_member_ids``,
    ``absences`` (``member_id`` + ``reason``), ``late_member_ids``; eligible members not
    listed are absent. A member review (民主评议党员) takes ``grades``."""
    org = require_org_access(_org_or_404(data["org_id"]), WRITE_ROLE)
    meeting = service.record_meeting(org, data)
    db.session.commit()
    return present(meeting, org.name, detail=True)


@bp.route("/attendance", methods=["GET"])
@login_required
@bp.arguments(RatesQuerySchema, location="query")
@bp.response(200, MemberRateSchema(many=True))
@bp.paginate(page_size=100, max_page_size=1000)
def member_attendance(query, pagination_parameters):
    """Each member's attendance over ``from``–``to`` in the subtree (meetings they were
    expected at, attended, rate), for the organisations the user sees."""
    if query["date_to"] < query["date_from"]:
        abort(422, "to: before from.", {"to": ["Before from."]})
    root = _org_or_404(query["subtree_of"]) if query["subtree_of"] is not None else None
    stmt = service.member_rates(root, query["date_from"], query["date_to"], visible_orgs_clause())
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    )
    rows = db.session.execute(
        stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
    ).all()
    return [
        {"member_id": r.member_id, "name": r.name, "org_id": r.org_id, "expected": r.expected,
         "attended": int(r.attended or 0), "rate": service.rate(int(r.attended or 0), r.expected)}
        for r in rows
    ]


@bp.route("/<meeting_id>", methods=["GET"])
@login_required
@bp.response(200, MeetingDetailSchema)
def get_meeting(meeting_id):
    """One meeting with its attendance and grades."""
    meeting, org = _meeting(meeting_id)
    return present(meeting, org.name, detail=True)


@bp.route("/<meeting_id>", methods=["PATCH"])
@login_required
@bp.arguments(MeetingPatchSchema)
@bp.response(200, MeetingDetailSchema)
def update_meeting(data, meeting_id):
    """Correct a meeting (the organisation's secretary or a tenant admin)."""
    meeting, org = _meeting(meeting_id, WRITE_ROLE)
    service.update_meeting(meeting, org, expect(meeting, data, "meeting"))
    db.session.commit()
    return present(meeting, org.name, detail=True)


@bp.route("/<meeting_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_meeting(meeting_id):
    """Delete a meeting recorded in error, with its attendance and files."""
    meeting, _ = _meeting(meeting_id, WRITE_ROLE)
    service.delete_meeting(meeting)
    db.session.commit()


@bp.route("/<meeting_id>/attendance", methods=["GET"])
@login_required
@bp.response(200, AttendanceSchema(many=True))
def get_attendance(meeting_id):
    """Who was expected, who came (late or not), who was absent and why."""
    meeting, _ = _meeting(meeting_id)
    return [
        {"member_id": row.member_id, "name": name, "present": row.present, "late": row.late,
         "absence_reason": row.absence_reason}
        for row, name in service.attendance_of(meeting)
    ]


@bp.route("/<meeting_id>/attendance", methods=["PUT"])
@login_required
@bp.arguments(AttendancePutSchema)
@bp.response(200, MeetingDetailSchema)
def put_attendance(data, meeting_id):
    """Replace the meeting's attendance; the figures and thresholds are recomputed."""
    meeting, org = _meeting(meeting_id, WRITE_ROLE)
    check_version(meeting, data.get("version"), "meeting")
    service.set_attendance(meeting, org, present=data["present_member_ids"],
                           absences=data["absences"], late=data["late_member_ids"])
    db.session.commit()
    return present(meeting, org.name, detail=True)


@bp.route("/<meeting_id>/attachments", methods=["GET"])
@login_required
@bp.response(200, AttachmentSchema(many=True))
def list_attachments(meeting_id):
    meeting, _ = _meeting(meeting_id)
    return db.session.scalars(
        select(MeetingAttachment).where(MeetingAttachment.meeting_id == meeting.id)
        .order_by(MeetingAttachment.created_at)
    ).all()


@bp.route("/<meeting_id>/attachments", methods=["POST"])
@login_required
@bp.arguments(AttachmentFileSchema, location="files")
@bp.response(201, AttachmentSchema)
def upload_attachment(files_in, meeting_id):
    """Attach a file (pdf, jpg/png, docx/xlsx; checked by content, size-limited)."""
    meeting, _ = _meeting(meeting_id, WRITE_ROLE)
    upload = files_in["file"]
    if not hasattr(upload, "stream"):
        abort(422, "file: send the file as multipart.", {"file": ["Not a file."]})
    tenant_id = current_tenant_id()
    try:
        stored = files.store(tenant_id, upload.stream, upload.filename)
    except files.FileError as exc:
        abort(exc.status, f"file: {exc.reason}", {"file": [exc.reason]})
    actor = current_actor()
    row = MeetingAttachment(
        meeting_id=meeting.id, stored_name=stored.name, original_name=stored.original_name,
        file_type=stored.file_type, content_type=stored.content_type, size=stored.size,
        uploaded_by=actor.label if actor else "system",
    )
    db.session.add(row)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.discard(tenant_id, stored.name)
        raise
    return row


@bp.route("/<meeting_id>/attachments/<attachment_id>", methods=["GET"])
@login_required
@bp.response(200, content_type="application/octet-stream", description="The file")
def download_attachment(meeting_id, attachment_id):
    """The file, as an attachment named as it was uploaded (scope-checked like the meeting)."""
    meeting, _ = _meeting(meeting_id)
    parsed = parse_id(attachment_id)
    row = (db.session.scalar(select(MeetingAttachment).where(
        MeetingAttachment.id == parsed, MeetingAttachment.meeting_id == meeting.id))
        if parsed is not None else None)
    if row is None:
        abort(404, f"attachment {attachment_id} not found")
    path = files.path_for(current_tenant_id(), row.stored_name)
    if not path.is_file():
        abort(404, f"attachment {attachment_id} not found")
    return send_file(path, mimetype=row.content_type, as_attachment=True,
                     download_name=row.original_name)
