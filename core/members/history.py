"""Recording a member's lifecycle events (every status change and move leaves one)."""

from __future__ import annotations

from datetime import date

from core.auth.context import current_actor
from core.db import db
from core.members.models import EVENT_KINDS, Member, MemberEvent


def record_event(
    member: Member,
    kind: str,
    occurred_on: date,
    *,
    reason: str | None = None,
    from_org_id=None,
    to_org_id=None,
    from_status: str | None = None,
    to_status: str | None = None,
    details: dict | None = None,
) -> MemberEvent:
    """Add one event for ``member`` with the current actor; the caller commits."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown member event kind {kind!r}")
    actor = current_actor()
    event = MemberEvent(
        member_id=member.id,
        kind=kind,
        occurred_on=occurred_on,
        reason=reason,
        from_org_id=from_org_id,
        to_org_id=to_org_id,
        from_status=from_status,
        to_status=to_status,
        details=details,
        actor_label=actor.label if actor else "system",
        actor_user_id=actor.user_id if actor else None,
    )
    db.session.add(event)
    return event
