"""The two_new register's rules: units (两新组织), instructors (党建指导员, 第一书记) and
new-employment groups (新就业群体). Callers check permissions and commit; a refusal writes
nothing (every check runs before the first change).

* The *supervising* organisation (``org_id``) of every record is an active two_new
  committee or general branch (a 两新工委, a 综合党委): the body that keeps the register.
* A unit's covering organisation is an active committee, general branch, branch or joint
  branch in the supervising organisation's subtree; its instructor is one sent by the
  supervising organisation or one above it, still in post when assigned.
* ``full_members`` defaults to ``party_members`` and never exceeds it; Party members never
  exceed the employees (or the workers of a group) when those are given.
* A group's covering organisation is an active two_new comprehensive committee
  (``comprehensive: true``) in the subtree which, when it lists the groups it covers,
  lists the group's kind.
* The 统一社会信用代码 is checked (:mod:`plugins.two_new.codes`) and unique in the tenant (409).

Referenced ids that are unknown, another tenant's or outside the subtree are refused alike
(422 naming the field), so nothing is revealed about them (the API also refuses an
instructor's ``member_id`` the user cannot see, the same way).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from core.sdk import (
    MEMBER_ACTIVE_STATUSES,
    ApiError,
    Member,
    Organization,
    credit_code_problem,
    db,
    normalise_credit_code,
)
from plugins.two_new.attributes import SECTOR
from plugins.two_new.models import (
    GROUP_KIND_LABELS,
    GROUP_KINDS,
    INSTRUCTOR_ROLES,
    UNIT_KINDS,
    TwoNewGroup,
    TwoNewInstructor,
    TwoNewUnit,
)

SUPERVISING_KINDS = ("committee", "general_branch")
COVERING_KINDS = ("committee", "general_branch", "branch", "joint_branch")

UNIT_FIELDS = ("name", "credit_code", "kind", "industry", "employees", "party_members",
               "full_members", "covered_by_org_id", "instructor_id", "surveyed_on", "closed_on",
               "notes")
INSTRUCTOR_FIELDS = ("person_name", "member_id", "role", "employer", "phone", "started_on",
                     "ended_on", "end_reason")
GROUP_FIELDS = ("kind", "name", "workers", "party_members", "covering_org_id", "surveyed_on",
                "notes")


def _refuse(field: str, message: str, status: int = 422):
    raise ApiError(status, f"{field}: {message}", {field: [message]})


def _org(org_id: uuid.UUID | None) -> Organization | None:
    if org_id is None:
        return None
    return db.session.scalar(select(Organization).where(Organization.id == org_id))


def check_supervising(org: Organization) -> Organization:
    """``org`` may keep the register: an active two_new committee or general branch."""
    if org.status != "active":
        _refuse("org_id", f"The organization is {org.status}; choose an active one.")
    if org.sector != SECTOR or org.kind not in SUPERVISING_KINDS:
        _refuse("org_id", "The register is kept by a two_new committee or general branch "
                          "(两新工委、综合党委、党总支).")
    return org


def _in_subtree(org_id: uuid.UUID, root: Organization, field: str,
                kinds: tuple[str, ...]) -> Organization:
    org = _org(org_id)
    if org is None or not org.path.startswith(root.path):
        _refuse(field, "Unknown organization, or not under the supervising organization.")
    if org.status != "active":
        _refuse(field, f"The organization is {org.status}; choose an active one.")
    if org.kind not in kinds:
        _refuse(field, f"Must be one of the kinds {', '.join(kinds)}.")
    return org


def _today() -> date:
    return date.today()


def _not_future(values: dict, *names: str) -> None:
    for name in names:
        if values.get(name) is not None and values[name] > _today():
            _refuse(name, "Must not be in the future.")


# -- units -----------------------------------------------------------------------------------



def _check_code(values: dict, own_id: uuid.UUID | None) -> None:
    code = normalise_credit_code(values.get("credit_code"))
    values["credit_code"] = code
    if code is None:
        return
    why = credit_code_problem(code)
    if why:
        _refuse("credit_code", why)
    with db.session.no_autoflush:
        other = db.session.scalar(select(TwoNewUnit.id).where(TwoNewUnit.credit_code == code))
    if other is not None and other != own_id:
        _refuse("credit_code", "Another unit of the register has this code.", 409)


def _check_instructor(instructor_id: uuid.UUID, supervising: Organization) -> None:
    row = get_instructor(instructor_id)
    sender = _org(row.org_id) if row is not None else None
    if sender is None or not supervising.path.startswith(sender.path):
        _refuse("instructor_id", "Unknown instructor, or not sent by the supervising organization "
                                 "or one above it.")
    if row.ended_on is not None and row.ended_on <= _today():
        _refuse("instructor_id", "The instructor's stationing has ended; choose one in post.")


def _check_unit(supervising: Organization, values: dict, changed: set[str],
                own_id: uuid.UUID | None = None) -> None:
    if values["kind"] not in UNIT_KINDS:
        _refuse("kind", f"Must be one of {', '.join(UNIT_KINDS)}.")
    if "credit_code" in changed:
        _check_code(values, own_id)
    members, full = values["party_members"], values["full_members"]
    if full > members:
        _refuse("full_members", "Cannot exceed party_members.")
    if values.get("employees") is not None and members > values["employees"]:
        _refuse("party_members", "Cannot exceed employees.")
    if "covered_by_org_id" in changed and values.get("covered_by_org_id") is not None:
        _in_subtree(values["covered_by_org_id"], supervising, "covered_by_org_id", COVERING_KINDS)
    if "instructor_id" in changed and values.get("instructor_id") is not None:
        _check_instructor(values["instructor_id"], supervising)
    _not_future(values, "surveyed_on", "closed_on")


def create_unit(supervising: Organization, data: dict) -> TwoNewUnit:
    """Register a unit under ``supervising``. ``data``: the fields of :data:`UNIT_FIELDS`
    (``name`` and ``kind`` required)."""
    check_supervising(supervising)
    values = {key: data.get(key) for key in UNIT_FIELDS}
    values["party_members"] = values["party_members"] or 0
    if values["full_members"] is None:
        values["full_members"] = values["party_members"]
    values["surveyed_on"] = values["surveyed_on"] or _today()
    _check_unit(supervising, values, set(UNIT_FIELDS))
    unit = TwoNewUnit(org_id=supervising.id, **values)
    db.session.add(unit)
    db.session.flush()
    return unit


def update_unit(unit: TwoNewUnit, supervising: Organization, changes: dict) -> TwoNewUnit:
    """Correct a unit: only what is sent changes (``None`` clears an optional field)."""
    unknown = sorted(set(changes) - set(UNIT_FIELDS))
    if unknown:
        raise ValueError(f"not editable unit fields: {unknown}")
    for required in ("name", "kind", "party_members", "full_members", "surveyed_on"):
        if required in changes and changes[required] is None:
            _refuse(required, "Must not be empty.")
    values = {key: getattr(unit, key) for key in UNIT_FIELDS}
    changed = {k for k, v in changes.items() if values[k] != v}
    values.update(changes)
    _check_unit(supervising, values, changed, unit.id)
    for key in UNIT_FIELDS:
        if getattr(unit, key) != values[key]:
            setattr(unit, key, values[key])
    db.session.flush()
    return unit


def delete_unit(unit: TwoNewUnit) -> None:
    """Remove a unit registered by mistake (a closed one keeps ``closed_on`` instead)."""
    db.session.delete(unit)
    db.session.flush()


# -- instructors -------------------------------------------------------------------------------


def get_instructor(instructor_id: uuid.UUID) -> TwoNewInstructor | None:
    return db.session.scalar(select(TwoNewInstructor).where(TwoNewInstructor.id == instructor_id))


def _check_instructor_values(values: dict, changed: set[str]) -> None:
    if values["role"] not in INSTRUCTOR_ROLES:
        _refuse("role", f"Must be one of {', '.join(INSTRUCTOR_ROLES)}.")
    if "member_id" in changed and values.get("member_id") is not None:
        member = db.session.scalar(select(Member).where(Member.id == values["member_id"]))
        if member is None:
            _refuse("member_id", "Unknown member.")
        if member.status not in MEMBER_ACTIVE_STATUSES:
            _refuse("member_id", f"The member's status is {member.status}.")
        if not values.get("person_name"):
            values["person_name"] = member.name
    if not values.get("person_name"):
        _refuse("person_name", "Give the instructor's name (or member_id).")
    if values.get("started_on") is None:
        _refuse("started_on", "Must not be empty.")
    if values.get("ended_on") is not None and values["ended_on"] < values["started_on"]:
        _refuse("ended_on", "Cannot be before started_on.")


def create_instructor(supervising: Organization, data: dict) -> TwoNewInstructor:
    """Record an instructor or first secretary sent by ``supervising``."""
    check_supervising(supervising)
    values = {key: data.get(key) for key in INSTRUCTOR_FIELDS}
    values["role"] = values["role"] or "instructor"
    _check_instructor_values(values, set(INSTRUCTOR_FIELDS))
    row = TwoNewInstructor(org_id=supervising.id, **values)
    db.session.add(row)
    db.session.flush()
    return row


def update_instructor(row: TwoNewInstructor, changes: dict) -> TwoNewInstructor:
    """Correct an instructor's record or end the stationing (``ended_on``, ``end_reason``)."""
    unknown = sorted(set(changes) - set(INSTRUCTOR_FIELDS))
    if unknown:
        raise ValueError(f"not editable instructor fields: {unknown}")
    for required in ("person_name", "role", "started_on"):
        if required in changes and changes[required] is None:
            _refuse(required, "Must not be empty.")
    values = {key: getattr(row, key) for key in INSTRUCTOR_FIELDS}
    changed = {k for k, v in changes.items() if values[k] != v}
    values.update(changes)
    _check_instructor_values(values, changed)
    for key in INSTRUCTOR_FIELDS:
        if getattr(row, key) != values[key]:
            setattr(row, key, values[key])
    db.session.flush()
    return row


def delete_instructor(row: TwoNewInstructor) -> None:
    """Remove an instructor recorded by mistake; 409 while units name them (end the
    stationing instead: it is the history of who served)."""
    serving = db.session.scalar(
        select(func.count()).select_from(TwoNewUnit).where(TwoNewUnit.instructor_id == row.id))
    if serving:
        _refuse("id", f"{serving} unit(s) name this instructor; end the stationing instead.", 409)
    db.session.delete(row)
    db.session.flush()


# -- new-employment groups ---------------------------------------------------------------------



def _check_group(supervising: Organization, values: dict, changed: set[str]) -> None:
    if values["kind"] not in GROUP_KINDS:
        _refuse("kind", f"Must be one of {', '.join(GROUP_KINDS)}.")
    if values["party_members"] > values["workers"]:
        _refuse("party_members", "Cannot exceed workers.")
    if ({"covering_org_id", "kind"} & changed) and values.get("covering_org_id") is not None:
        org = _in_subtree(values["covering_org_id"], supervising, "covering_org_id", ("committee",))
        attributes = org.attributes or {}
        if org.sector != SECTOR or not attributes.get("comprehensive"):
            _refuse("covering_org_id", "Must be a comprehensive committee (综合党委: a two_new "
                                       "committee with comprehensive: true).")
        listed = attributes.get("covers_groups") or []
        if listed and values["kind"] not in listed:
            _refuse("covering_org_id", f"This committee does not cover "
                                       f"{GROUP_KIND_LABELS[values['kind']]} ({values['kind']}).")
    _not_future(values, "surveyed_on")


def create_group(supervising: Organization, data: dict) -> TwoNewGroup:
    """Register a new-employment group under ``supervising``."""
    check_supervising(supervising)
    values = {key: data.get(key) for key in GROUP_FIELDS}
    values["workers"] = values["workers"] or 0
    values["party_members"] = values["party_members"] or 0
    values["surveyed_on"] = values["surveyed_on"] or _today()
    _check_group(supervising, values, set(GROUP_FIELDS))
    group = TwoNewGroup(org_id=supervising.id, **values)
    db.session.add(group)
    db.session.flush()
    return group


def update_group(group: TwoNewGroup, supervising: Organization, changes: dict) -> TwoNewGroup:
    unknown = sorted(set(changes) - set(GROUP_FIELDS))
    if unknown:
        raise ValueError(f"not editable group fields: {unknown}")
    for required in ("kind", "name", "workers", "party_members", "surveyed_on"):
        if required in changes and changes[required] is None:
            _refuse(required, "Must not be empty.")
    values = {key: getattr(group, key) for key in GROUP_FIELDS}
    changed = {k for k, v in changes.items() if values[k] != v}
    values.update(changes)
    _check_group(supervising, values, changed)
    for key in GROUP_FIELDS:
        if getattr(group, key) != values[key]:
            setattr(group, key, values[key])
    db.session.flush()
    return group


def delete_group(group: TwoNewGroup) -> None:
    db.session.delete(group)
    db.session.flush()
