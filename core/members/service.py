"""The member register's operations: create, correct, change status, move, find, search.

Every function works in the current tenant and leaves the commit to its caller (a view, a job,
a CLI command), so an import or a transfer can put many steps in one transaction. Status
changes and moves always leave a :class:`~core.members.models.MemberEvent`; that is why the
status and the organisation are not changed through :func:`update_member`.

Errors are :class:`~core.api.errors.ApiError` naming the field: 422 for an invalid change, 409
for a duplicate ID number or a record changed by someone else since it was read.

Records passed to :func:`create_member` / :func:`update_member` are what
:class:`~core.members.validation.MemberInputSchema` loads; the rules between fields are checked
again here, so no caller can store an inconsistent record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Select, and_, or_, select

from core.api.errors import ApiError
from core.auth.permissions import visible_orgs_clause
from core.db import db, new_id, versioning
from core.db.encrypted import blind_index
from core.members.history import record_event
from core.members.idcard import normalize as normalize_id_number
from core.members.models import ACTIVE_STATUSES, STATUSES, Member, MemberEvent
from core.members.pinyin import name_initials
from core.members.validation import RECORD_FIELDS, check_record, complete_record
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.orgs.service import subtree_filter

SORT_KEYS = ("name", "joined_on", "birth_date", "created_at")
# Statuses a member never leaves through a status change (a record, not a person, returns
# through a transfer or a correction).
FINAL_STATUSES = ("deceased",)
LOOKUP_CHUNK = 500


def _invalid(errors: dict[str, list[str]], message: str = "The member record is not valid."):
    raise ApiError(422, message, errors)


def get_member(member_id: uuid.UUID) -> Member | None:
    """The current tenant's member with this id (no visibility check)."""
    return db.session.scalar(select(Member).where(Member.id == member_id))


def find_by_id_number(raw: str) -> Member | None:
    """The current tenant's member with this ID number (any spelling: ``x``/``X``, spaces),
    found through the blind index, never by decrypting rows."""
    if not raw:
        return None
    index = blind_index(normalize_id_number(raw))
    return db.session.scalar(select(Member).where(Member.id_number_index == index))


def find_by_id_numbers(raws: Iterable[str]) -> dict[str, Member]:
    """Members for many ID numbers at once, keyed by the normalised number (absent ones are
    left out): one query per 500 numbers, for imports and transfers."""
    by_index = {blind_index(n): n for n in {normalize_id_number(r) for r in raws if r}}
    found: dict[str, Member] = {}
    indexes = list(by_index)
    for start in range(0, len(indexes), LOOKUP_CHUNK):
        chunk = indexes[start : start + LOOKUP_CHUNK]
        for member in db.session.scalars(select(Member).where(Member.id_number_index.in_(chunk))):
            found[by_index[member.id_number_index]] = member
    return found


def _duplicate(id_number: str):
    raise ApiError(
        409,
        "A member with this ID number is already in the register.",
        {"id_number": ["Already in the register."]},
    )


def build_member(data: dict) -> Member:
    """A new :class:`Member` (with id, blind index and initials) from a loaded record,
    checked but neither added to the session nor compared with stored members. For bulk
    writers that check duplicates themselves (:func:`find_by_id_numbers`)."""
    values = {name: data.get(name) for name in RECORD_FIELDS}
    errors = check_record(values)
    if errors:
        _invalid(errors)
    complete_record(values)
    for flag in ("is_retired", "is_farmer", "is_student", "is_unemployed", "community_registered"):
        values[flag] = bool(values[flag])
    return Member(
        id=data.get("id") or new_id(),
        id_number_index=blind_index(values["id_number"]),
        name_initials=name_initials(values["name"]),
        **values,
    )


def create_member(
    data: dict, *, occurred_on: date | None = None, reason: str | None = None,
    details: dict | None = None, event_kind: str = "admitted",
) -> Member:
    """Add a member from a loaded record and record its arrival: an ``admitted`` event (or
    ``event_kind``, e.g. ``transfer_in``) on ``occurred_on``, by default the day they joined.
    409 naming ``id_number`` if the tenant already has this person. The caller has checked
    that ``org_id`` is an organisation it may write to; the caller commits."""
    member = build_member(data)
    orgs.require_active(orgs.get(member.org_id))
    if find_by_id_number(member.id_number) is not None:
        _duplicate(member.id_number)
    db.session.add(member)
    record_event(
        member, event_kind, occurred_on or member.joined_on, reason=reason,
        to_org_id=member.org_id, to_status=member.status, details=details,
    )
    return member


def _flush() -> None:
    versioning.flush("member")


def _check_version(member: Member, expected_version: int | None) -> None:
    versioning.check_version(member, expected_version, "member")


def record_values(member: Member) -> dict:
    """The member's loadable fields as a dict (the shape :func:`check_record` reads)."""
    return {name: getattr(member, name) for name in RECORD_FIELDS}


def update_member(member: Member, data: dict, expected_version: int | None = None) -> Member:
    """Correct fields of ``member`` (any subset of the record except ``org_id`` and
    ``status``, which :func:`move_member` and :func:`change_status` change with history).

    ``expected_version`` is the ``version`` the caller read; if the record has changed since,
    409. The merged record must pass every rule (422 naming the field); a new ID number must
    not belong to another member (409). Flushes, so a concurrent change is caught here.
    """
    _check_version(member, expected_version)
    for fixed in ("org_id", "status"):
        if fixed in data and data[fixed] != getattr(member, fixed):
            what = "a move" if fixed == "org_id" else "a status change"
            _invalid({fixed: [f"Changed through {what}, which records history."]})
    unknown = set(data) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not member fields: {sorted(unknown)}")
    merged = record_values(member) | data
    errors = check_record(merged)
    if errors:
        _invalid(errors)
    complete_record(merged)  # a birth date or gender cleared to null is read from the ID again
    if merged["id_number"] != member.id_number:
        other = find_by_id_number(merged["id_number"])
        if other is not None and other.id != member.id:
            _duplicate(merged["id_number"])
        member.id_number_index = blind_index(merged["id_number"])
    if merged["name"] != member.name:
        member.name_initials = name_initials(merged["name"])
    for name, value in merged.items():
        if getattr(member, name) != value:
            setattr(member, name, value)
    _flush()
    return member


def _check_day(on: date, member: Member, field: str = "on") -> None:
    if on > date.today():
        _invalid({field: ["Cannot be in the future."]})
    if on < member.joined_on:
        _invalid({field: ["Cannot be before the member joined."]})


def change_status(
    member: Member, new_status: str, on: date, reason: str | None = None, *,
    lost_contact_reason: str | None = None, mobile_destination: str | None = None,
    expected_version: int | None = None, details: dict | None = None,
    event_kind: str | None = None,
) -> MemberEvent:
    """Change ``member``'s status on day ``on`` and record why.

    * probationary → full is a conversion (``converted`` event, ``full_on`` = ``on``);
      a member with ``full_on`` cannot become probationary;
    * → lost_contact needs ``lost_contact_reason`` (``lost_contact_since`` = ``on``);
      → mobile needs ``mobile_destination`` (``mobile_since`` = ``on``); leaving either
      clears those fields (the events keep them);
    * a deceased member's status does not change.

    Other moves between statuses (to transferred_out, left, deceased, back from
    transferred_out …) are ``status_changed`` events; ``event_kind`` overrides the kind (a
    transfer records ``transfer_out``). Flushes; the caller commits.
    """
    _check_version(member, expected_version)
    if new_status not in STATUSES:
        _invalid({"status": [f"Must be one of: {', '.join(STATUSES)}."]})
    old = member.status
    if new_status == old:
        _invalid({"status": [f"The member's status is already {old}."]})
    if old in FINAL_STATUSES:
        _invalid({"status": [f"A {old} member's status cannot change."]})
    _check_day(on, member)
    values = record_values(member)
    kind = "status_changed"
    if new_status == "full" and values["full_on"] is None:
        if old != "probationary":
            _invalid({"status": ["Only a probationary member becomes a full member."]})
        kind = "converted"
        values["full_on"] = on
    if new_status == "probationary" and values["full_on"] is not None:
        _invalid({"status": ["A full member cannot become probationary."]})
    values.update(lost_contact_since=None, lost_contact_reason=None, mobile_since=None,
                  mobile_destination=None)
    if new_status == "lost_contact":
        values.update(lost_contact_since=on, lost_contact_reason=lost_contact_reason)
    elif new_status == "mobile":
        values.update(mobile_since=on, mobile_destination=mobile_destination)
    values["status"] = new_status
    errors = check_record(values)
    if errors:
        # Errors about the dates set from ``on`` are about ``on``.
        for name in ("full_on", "lost_contact_since", "mobile_since"):
            if name in errors and values[name] == on:
                errors.setdefault("on", []).extend(errors.pop(name))
        _invalid(errors, "The status change is not valid.")
    event_details = dict(details or {})
    for name in ("lost_contact_reason", "mobile_destination"):
        if values[name] is not None:
            event_details[name] = values[name]
    for name, value in values.items():
        if getattr(member, name) != value:
            setattr(member, name, value)
    event = record_event(
        member, event_kind or kind, on, reason=reason, from_status=old, to_status=new_status,
        from_org_id=member.org_id, to_org_id=member.org_id, details=event_details or None,
    )
    _flush()
    return event


def move_member(
    member: Member, to_org: Organization, on: date, reason: str | None = None, *,
    expected_version: int | None = None, details: dict | None = None,
    event_kind: str = "moved",
) -> MemberEvent:
    """Move an active member to another organisation of the tenant on day ``on`` (a
    ``moved`` event, or ``event_kind``). The caller checks the actor may write to both
    organisations; flushes; the caller commits."""
    _check_version(member, expected_version)
    if to_org.id == member.org_id:
        _invalid({"org_id": ["The member is already in this organization."]})
    orgs.require_active(to_org)
    if member.status not in ACTIVE_STATUSES:
        _invalid({"status": [f"A {member.status} member cannot be moved."]})
    _check_day(on, member)
    from_org_id = member.org_id
    member.org_id = to_org.id
    event = record_event(
        member, event_kind, on, reason=reason, from_org_id=from_org_id, to_org_id=to_org.id,
        from_status=member.status, to_status=member.status, details=details,
    )
    _flush()
    return event


def history(member: Member) -> Sequence[MemberEvent]:
    """``member``'s events, oldest first (by date, then by when they were recorded)."""
    return db.session.scalars(
        select(MemberEvent)
        .where(MemberEvent.member_id == member.id)
        .order_by(MemberEvent.occurred_on, MemberEvent.created_at, MemberEvent.id)
    ).all()


def search(
    *,
    org_id: uuid.UUID | None = None,
    subtree_of: Organization | None = None,
    status: str | Iterable[str] | None = None,
    gender: str | None = None,
    education: str | None = None,
    q: str | None = None,
    sort: str = "name",
    descending: bool = False,
    visible_only: bool = True,
) -> Select:
    """A ``select(Member)`` joined to its :class:`Organization`, filtered and sorted.

    * ``org_id``: members of that organisation only; ``subtree_of``: of it and everything
      below it (materialised path prefix);
    * ``status``: one status or several; ``gender``, ``education``: codes;
    * ``q``: part of the name, or the start of the pinyin initials (``zs`` finds 张三);
    * ``sort``: ``name`` (by pinyin initials, then name), ``joined_on``, ``birth_date`` or
      ``created_at``; the id breaks ties, so pages are stable;
    * ``visible_only``: limited to the organisations the current user sees (False only for
      system work with no user, e.g. a CLI import).

    Add columns (``.add_columns(Organization.path)``) or wrap it to count; it is one query.
    """
    if sort not in SORT_KEYS:
        raise ValueError(f"sort must be one of {SORT_KEYS}")
    stmt = select(Member).join(
        Organization,
        and_(Organization.tenant_id == Member.tenant_id, Organization.id == Member.org_id),
    )
    if visible_only:
        stmt = stmt.where(visible_orgs_clause())
    if org_id is not None:
        stmt = stmt.where(Member.org_id == org_id)
    if subtree_of is not None:
        stmt = stmt.where(subtree_filter(subtree_of.path))
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        stmt = stmt.where(Member.status.in_(statuses))
    if gender is not None:
        stmt = stmt.where(Member.gender == gender)
    if education is not None:
        stmt = stmt.where(Member.education == education)
    if q:
        q = q.strip()
        matches = [Member.name.contains(q, autoescape=True)]
        if q.isascii() and q.isalpha():
            matches.append(Member.name_initials.startswith(q.lower(), autoescape=True))
        stmt = stmt.where(or_(*matches))
    if sort == "name":
        keys = [Member.name_initials, Member.name]
    else:
        keys = [getattr(Member, sort)]
    keys.append(Member.id)
    return stmt.order_by(*(k.desc() if descending else k.asc() for k in keys))
