"""What both faces (API and web pages) read: pairings the user sees, and their presentation.

A user sees a pairing when they see either of its organisations (a grant covering it); its
writers hold ``branch_secretary`` on either side. Unknown, another tenant's and unseen
pairings are all 404.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from core.api.errors import abort
from core.api.smorest import parse_id
from core.auth.permissions import has_role, visible_orgs_clause
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.pairings import figures, service
from core.pairings.models import (
    ACTIVITY_KIND_LABELS,
    STATUS_LABELS,
    Pairing,
    PairingActivity,
    PairingTask,
)

WRITER = "branch_secretary"


def may_write(org: Organization, partner: Organization) -> bool:
    """Tasks, activities and corrections: ``branch_secretary`` on either side."""
    return has_role(WRITER, org) or has_role(WRITER, partner)


def may_arrange(org: Organization, partner: Organization) -> bool:
    """Creating and dissolving: ``branch_secretary`` on both sides."""
    return has_role(WRITER, org) and has_role(WRITER, partner)


def visible_pairing(pairing_id, role: str = "member") -> tuple[Pairing, Organization, Organization]:
    """The pairing and its two organisations: 404 when unknown or unseen, 403 when seen but
    ``role`` is held on neither side."""
    parsed = parse_id(pairing_id)
    pairing = service.get(parsed) if parsed is not None else None
    org = orgs.get(pairing.org_id) if pairing is not None else None
    partner = orgs.get(pairing.partner_org_id) if pairing is not None else None
    if pairing is None or org is None or partner is None or not (
            has_role("member", org) or has_role("member", partner)):
        abort(404, f"pairing {pairing_id} not found")
    if not (has_role(role, org) or has_role(role, partner)):
        abort(403, f"This needs the {role} role on one of the paired organizations.")
    return pairing, org, partner


def search(root: Organization | None = None, status: str | None = None):
    """SELECT of ``(Pairing, org name, partner name)`` the user sees, with either side in
    ``root``'s subtree when given; active first, then by start day."""
    seen = select(Pairing.id).join(Organization, or_(Organization.id == Pairing.org_id,
                                                     Organization.id == Pairing.partner_org_id))
    seen = seen.where(visible_orgs_clause())
    if root is not None:
        seen = seen.where(subtree_filter(root.path))
    side = aliased(Organization, name="side")
    partner = aliased(Organization, name="partner_side")
    stmt = (select(Pairing, side.name, partner.name)
            .join(side, side.id == Pairing.org_id)
            .join(partner, partner.id == Pairing.partner_org_id)
            .where(Pairing.id.in_(seen)))
    if status is not None:
        stmt = stmt.where(Pairing.status == status)
    return stmt.order_by(Pairing.status, Pairing.started_on.desc(), partner.name, Pairing.id)


def present(pairing: Pairing, org_name: str, partner_name: str, counts) -> dict:
    activities, last, tasks, done = counts
    return {
        "id": pairing.id, "org_id": pairing.org_id, "org_name": org_name,
        "partner_org_id": pairing.partner_org_id, "partner_name": partner_name,
        "started_on": pairing.started_on, "goals": pairing.goals, "contact": pairing.contact,
        "status": pairing.status, "status_label": STATUS_LABELS.get(pairing.status, pairing.status),
        "ended_on": pairing.ended_on, "end_reason": pairing.end_reason,
        "created_by": pairing.created_by, "ended_by": pairing.ended_by,
        "activities": activities, "last_activity_on": last, "tasks": tasks, "tasks_done": done,
        "created_at": pairing.created_at, "version": pairing.version,
    }


def present_rows(rows) -> list[dict]:
    counts = figures.per_pairing([p.id for p, _, _ in rows])
    return [present(p, o, n, counts.get(p.id, (0, None, 0, 0))) for p, o, n in rows]


def present_task(task: PairingTask, today: date | None = None) -> dict:
    today = today or date.today()
    return {
        "id": task.id, "pairing_id": task.pairing_id, "title": task.title, "due_on": task.due_on,
        "done": task.done, "done_on": task.done_on, "result": task.result,
        "overdue": not task.done and task.due_on is not None and task.due_on < today,
        "version": task.version,
    }


def present_activity(activity: PairingActivity, pairing: Pairing, credited: dict | None = None) -> dict:
    """``credited``: activity id → the organisation its meeting is credited to (absent: none)."""
    credited = credited if credited is not None else service.credits_of([activity])
    other = credited.get(activity.id)
    meeting_org = None
    if other is not None:
        meeting_org = pairing.org_id if other == pairing.partner_org_id else pairing.partner_org_id
    return {
        "id": activity.id, "pairing_id": activity.pairing_id, "held_on": activity.held_on,
        "kind": activity.kind, "kind_label": ACTIVITY_KIND_LABELS.get(activity.kind, activity.kind),
        "topic": activity.topic, "org_participants": activity.org_participants,
        "partner_participants": activity.partner_participants,
        "participants_note": activity.participants_note, "results": activity.results,
        "meeting_id": activity.meeting_id, "meeting_org_id": meeting_org, "credited_org_id": other,
        "created_by": activity.created_by, "version": activity.version,
    }


def detail(pairing: Pairing, org: Organization, partner: Organization) -> dict:
    counts = figures.per_pairing([pairing.id]).get(pairing.id, (0, None, 0, 0))
    values = present(pairing, org.name, partner.name, counts)
    today = date.today()
    values["task_list"] = [present_task(t, today) for t in service.tasks_of(pairing)]
    acts = service.activities_of(pairing)
    credited = service.credits_of(acts)
    values["activity_list"] = [present_activity(a, pairing, credited) for a in acts]
    return values
