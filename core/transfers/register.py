"""The member-register changes a transfer makes: taking a member in, moving one between
organisations, and marking one transferred out. Each leaves its history event; the caller
commits (a transfer's effects always share one transaction with its letter).

Built on :mod:`core.members.service`, so records are checked by the same rules as any other
write, with the events saying *transfer* (``transfer_in`` / ``transfer_out``). The one change
that service has no operation for — a person who once left this register coming back — is
made here, with the same rules, as one ``transfer_in`` event.
"""

from __future__ import annotations

from datetime import date

from core.api.errors import ApiError
from core.db.encrypted import blind_index
from core.members import service as members
from core.members.history import record_event
from core.members.models import ACTIVE_STATUSES, Member
from core.members.pinyin import name_initials
from core.members.validation import check_record, complete_record, effective_status
from core.orgs.models import Organization

# The parts of a member's record that travel with a letter. Mobility and lost-contact details
# describe the member's situation in the sending register and stay there.
CARRIED_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "address",
    "education", "job", "work_unit", "joined_on", "full_on", "status",
    "is_retired", "is_farmer", "is_student", "is_unemployed", "community_registered",
)
_DATE_FIELDS = ("birth_date", "joined_on", "full_on")
_SITUATION_FIELDS = ("lost_contact_since", "lost_contact_reason", "mobile_since",
                     "mobile_destination")


def snapshot_of(member: Member) -> dict:
    """The member's carried record as JSON-safe values (dates as ISO strings)."""
    record = {}
    for name in CARRIED_FIELDS:
        value = getattr(member, name)
        record[name] = value.isoformat() if isinstance(value, date) else value
    return record


def record_values(snapshot: dict) -> dict:
    """A carried record as model values: dates parsed, and the status the member has on
    arrival — probationary or full (someone mobile or out of contact where they were is an
    ordinary member of the organisation they arrive in)."""
    values = {name: snapshot.get(name) for name in CARRIED_FIELDS}
    for name in _DATE_FIELDS:
        if values[name]:
            values[name] = date.fromisoformat(values[name])
    if values["status"] not in ("probationary", "full"):
        values["status"] = None
    values["status"] = effective_status(values)
    return values


def _invalid(errors: dict) -> ApiError:
    return ApiError(422, "The member record carried by the letter is not valid here.", errors)


def admit(snapshot: dict, org: Organization, *, occurred_on: date, reason: str,
          details: dict) -> Member:
    """Take the member of ``snapshot`` into ``org`` (a ``transfer_in`` event).

    A person this register knows as transferred out (someone coming back) is the same record,
    taken in again with the carried values; one still active here, deceased or gone otherwise
    cannot be admitted (409 naming ``id_number``).
    """
    values = record_values(snapshot) | {"org_id": org.id}
    existing = members.find_by_id_number(values["id_number"])
    if existing is None:
        return members.create_member(  # checked by the register's rules (422)
            values, occurred_on=occurred_on, reason=reason, details=details,
            event_kind="transfer_in",
        )
    if existing.status != "transferred_out":
        if existing.status in ACTIVE_STATUSES:
            message = "This person is already in this tenant's member register."
        else:
            message = f"This person is recorded here with status {existing.status!r}."
        raise ApiError(409, message, {"id_number": [message]})
    values |= dict.fromkeys(_SITUATION_FIELDS)
    errors = check_record(values)
    if errors:
        raise _invalid(errors)
    complete_record(values)
    member, from_status, from_org_id = existing, existing.status, existing.org_id
    for name, value in values.items():
        if getattr(member, name) != value:
            setattr(member, name, value)
    member.id_number_index = blind_index(values["id_number"])
    member.name_initials = name_initials(values["name"])
    record_event(
        member, "transfer_in", occurred_on, reason=reason, from_org_id=from_org_id,
        to_org_id=org.id, from_status=from_status, to_status=member.status, details=details,
    )
    return member


def move(member: Member, org: Organization, *, occurred_on: date, reason: str,
         details: dict) -> None:
    """Move ``member`` to ``org`` of the same tenant (the register's ``moved`` event)."""
    members.move_member(member, org, occurred_on, reason, details=details)


def mark_transferred_out(member: Member, *, occurred_on: date, reason: str,
                         details: dict) -> None:
    """The member left for another tenant: status ``transferred_out`` (mobility and
    lost-contact details cleared, as any status change clears them) with a ``transfer_out``
    event. The record stays in this register, with its history."""
    members.change_status(
        member, "transferred_out", occurred_on, reason, details=details,
        event_kind="transfer_out",
    )
