"""The soe records' operations: the prior-review register (前置研究讨论), cross appointments
(双向进入、交叉任职), performance links (党建考核与经营业绩挂钩), vanguard posts (党员先锋岗、
责任区) and innovations (党员攻关、创新成果).

Every function works in the current tenant, checks everything before it changes anything (a
refusal writes nothing) and leaves the commit to its caller. Errors are
:class:`core.sdk.ApiError` naming the field: 422 for invalid input, 409 for a clash with what
is recorded (a year already recorded, a chairman already in post, a post the member holds).

Records belong to an active organisation of the soe sector that is not a 党小组. A member
named in a branch record must count for the branch (the branch or one of its 党小组).

A matter decided without the Party committee's prior study is *accepted* into the register:
recording it is the point (it is flagged, :func:`plugins.soe.checks.review_problem`).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, select

from core.sdk import ApiError, Member, Organization, db
from plugins.soe.models import (
    SINGLE_BUSINESS_POSTS,
    SINGLE_PARTY_POSTS,
    CrossAppointment,
    Decision,
    Innovation,
    InnovationMember,
    PerformanceLink,
    VanguardPost,
)
from plugins.soe.settings import PLUGIN

# Members who may hold a vanguard post or be credited with an innovation: those at work.
WORKING_STATUSES = ("full", "probationary")
APPOINTMENT_STATUSES = ("full", "probationary", "mobile")


def _invalid(field: str, message: str):
    raise ApiError(422, f"{field}: {message}", {field: [message]})


def _conflict(field: str, message: str):
    raise ApiError(409, f"{field}: {message}", {field: [message]})


def check_org(org: Organization) -> Organization:
    """``org`` if soe records may be kept for it (422 naming ``org_id`` otherwise)."""
    if org.sector != PLUGIN:
        _invalid("org_id", "Not an organization of the soe sector.")
    if org.status != "active":
        _invalid("org_id", f"The organization is {org.status}.")
    if org.kind == "group":
        _invalid("org_id", "A Party group (党小组) keeps no soe records; use its branch.")
    return org


def _fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "org_id"}


def _not_future(field: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        _invalid(field, "Must not be in the future.")


def _period(started_on: date, ended_on: date | None) -> None:
    if ended_on is not None and ended_on <= started_on:
        _invalid("ended_on", "Must be after started_on.")


def _overlaps(model, started_on: date, ended_on: date | None):
    """SQL: rows of ``model`` held on some day of ``[started_on, ended_on)``."""
    clauses = [or_(model.ended_on.is_(None), model.ended_on > started_on)]
    if ended_on is not None:
        clauses.append(model.started_on < ended_on)
    return clauses


def holder_ids(org: Organization) -> set[uuid.UUID]:
    """The organisation and its 党小组: where its members are registered."""
    groups = db.session.scalars(select(Organization.id).where(
        Organization.parent_id == org.id, Organization.kind == "group"))
    return {org.id, *groups}


def _member(field: str, member_id: uuid.UUID, statuses, within: set | None = None) -> Member:
    member = db.session.scalar(select(Member).where(Member.id == member_id))
    if member is None or (within is not None and member.org_id not in within):
        _invalid(field, "Not a member of this organization." if within is not None
                 else "No such member in the register.")
    if member.status not in statuses:
        _invalid(field, f"The member's status is {member.status}.")
    return member


# -- the prior-review register (前置研究讨论) -----------------------------------------------------


def _check_decision(values: dict, today: date) -> None:
    reviewed, outcome, decided = values["party_reviewed_on"], values["party_outcome"], values["decided_on"]
    if reviewed is None and decided is None:
        message = "Give the day the Party committee studied the matter, the day it was decided, or both."
        raise ApiError(422, message, {"party_reviewed_on": [message], "decided_on": [message]})
    if reviewed is not None and outcome is None:
        _invalid("party_outcome", "Say what the Party committee concluded.")
    if reviewed is None and outcome is not None:
        _invalid("party_reviewed_on", "An outcome needs the day the Party committee studied the matter.")
    if outcome == "withdrawn" and decided is not None:
        _invalid("decided_on", "The Party committee withdrew the matter: it was not put to a decision.")
    _not_future("party_reviewed_on", reviewed, today)
    _not_future("decided_on", decided, today)


DECISION_DEFAULTS = {"party_reviewed_on": None, "party_outcome": None, "decided_on": None,
                     "decided_by": "board", "minutes_ref": None, "note": None}


def record_decision(org: Organization, data: dict, today: date | None = None) -> Decision:
    """A matter of the register; decided without prior study is accepted (and flagged)."""
    check_org(org)
    values = {**DECISION_DEFAULTS, **_fields(data)}
    _check_decision(values, today or date.today())
    row = Decision(org_id=org.id, **values)
    db.session.add(row)
    db.session.flush()
    return row


def update_decision(row: Decision, changes: dict, today: date | None = None) -> Decision:
    values = {key: getattr(row, key) for key in DECISION_DEFAULTS} | changes
    _check_decision(values, today or date.today())
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.flush()
    return row


# -- cross appointments (双向进入、交叉任职) -------------------------------------------------------


def _check_appointment(org_id: uuid.UUID, values: dict, exclude: uuid.UUID | None, today: date) -> None:
    if values["party_post"] is None and values["business_post"] is None:
        message = "Give a Party post, a board or management post, or both."
        raise ApiError(422, message, {"party_post": [message], "business_post": [message]})
    _period(values["started_on"], values["ended_on"])
    _not_future("started_on", values["started_on"], today)
    for field, column, singles in (("party_post", CrossAppointment.party_post, SINGLE_PARTY_POSTS),
                                   ("business_post", CrossAppointment.business_post, SINGLE_BUSINESS_POSTS)):
        post = values[field]
        if post not in singles:
            continue
        stmt = select(CrossAppointment).where(
            CrossAppointment.org_id == org_id, column == post,
            *_overlaps(CrossAppointment, values["started_on"], values["ended_on"]))
        if exclude is not None:
            stmt = stmt.where(CrossAppointment.id != exclude)
        other = db.session.scalars(stmt.order_by(CrossAppointment.started_on)).first()
        if other is not None:
            until = other.ended_on.isoformat() if other.ended_on else "now"
            _conflict(field, f"{other.person_name} holds this post from {other.started_on.isoformat()} "
                             f"to {until}: one holder at a time (end theirs first).")


APPOINTMENT_DEFAULTS = {"member_id": None, "person_name": None, "party_post": None,
                        "business_post": None, "ended_on": None, "note": None}


def _person(values: dict) -> None:
    """``person_name`` from the member when only ``member_id`` is given."""
    if values["member_id"] is not None:
        member = _member("member_id", values["member_id"], APPOINTMENT_STATUSES)
        values["person_name"] = values["person_name"] or member.name
    if not values["person_name"]:
        _invalid("person_name", "Give the person's name (or member_id).")


def appoint(org: Organization, data: dict, today: date | None = None) -> CrossAppointment:
    """Someone holds a Party post and/or a board or management post from ``started_on``."""
    check_org(org)
    values = {**APPOINTMENT_DEFAULTS, **_fields(data)}
    _person(values)
    _check_appointment(org.id, values, None, today or date.today())
    row = CrossAppointment(org_id=org.id, **values)
    db.session.add(row)
    db.session.flush()
    return row


def update_appointment(row: CrossAppointment, changes: dict, today: date | None = None) -> CrossAppointment:
    """Correct an appointment or end it (``ended_on``)."""
    values = {key: getattr(row, key) for key in (*APPOINTMENT_DEFAULTS, "started_on")} | changes
    if changes.get("member_id") is not None and "person_name" not in changes:
        values["person_name"] = None  # the new member's name
    _person(values)
    _check_appointment(row.org_id, values, row.id, today or date.today())
    for key in changes.keys() | {"person_name"}:
        setattr(row, key, values[key])
    db.session.flush()
    return row


# -- performance links (党建考核与经营业绩挂钩) ---------------------------------------------------


def link_of(org_id: uuid.UUID, year: int) -> PerformanceLink | None:
    return db.session.scalar(select(PerformanceLink).where(
        PerformanceLink.org_id == org_id, PerformanceLink.year == year))


def record_link(org: Organization, data: dict, today: date | None = None) -> PerformanceLink:
    """The link of ``data["year"]`` (409 when that year is recorded: change it instead)."""
    check_org(org)
    if data["year"] > (today or date.today()).year:
        _invalid("year", "Must not be in the future.")
    if link_of(org.id, data["year"]) is not None:
        _conflict("year", "This year's link is already recorded; change it instead.")
    row = PerformanceLink(org_id=org.id, **_fields(data))
    db.session.add(row)
    db.session.flush()
    return row


def update_link(row: PerformanceLink, changes: dict) -> PerformanceLink:
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.flush()
    return row


# -- vanguard posts (党员先锋岗、责任区、示范岗) ----------------------------------------------------


def _check_vanguard(member_id: uuid.UUID, values: dict, exclude: uuid.UUID | None, today: date) -> None:
    _period(values["started_on"], values["ended_on"])
    _not_future("started_on", values["started_on"], today)
    stmt = select(VanguardPost.id).where(
        VanguardPost.member_id == member_id, VanguardPost.kind == values["kind"],
        *_overlaps(VanguardPost, values["started_on"], values["ended_on"]))
    if exclude is not None:
        stmt = stmt.where(VanguardPost.id != exclude)
    if db.session.scalar(stmt.limit(1)) is not None:
        _conflict("kind", "The member already holds a post of this kind in that period.")


def assign_vanguard(org: Organization, data: dict, today: date | None = None) -> VanguardPost:
    """A member of the branch takes a 先锋岗 / 责任区 / 示范岗 from ``started_on``."""
    check_org(org)
    values = {"duty": None, "ended_on": None, **_fields(data)}
    _member("member_id", values["member_id"], WORKING_STATUSES, holder_ids(org))
    _check_vanguard(values["member_id"], values, None, today or date.today())
    row = VanguardPost(org_id=org.id, **values)
    db.session.add(row)
    db.session.flush()
    return row


def update_vanguard(row: VanguardPost, changes: dict, today: date | None = None) -> VanguardPost:
    """Correct a vanguard post or end it (``ended_on``)."""
    values = {"kind": row.kind, "started_on": row.started_on, "ended_on": row.ended_on} | changes
    _check_vanguard(row.member_id, values, row.id, today or date.today())
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.flush()
    return row


# -- innovations (党员攻关、创新成果) ------------------------------------------------------------


def _check_members(org: Organization, member_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if not member_ids:
        _invalid("member_ids", "Name at least one member who took part.")
    if len(set(member_ids)) != len(member_ids):
        _invalid("member_ids", "Members must not repeat.")
    within = holder_ids(org)
    found = dict(db.session.execute(
        select(Member.id, Member.org_id).where(Member.id.in_(member_ids),
                                               Member.status.in_(WORKING_STATUSES))).all())
    for n, member_id in enumerate(member_ids):
        if found.get(member_id) not in within:
            raise ApiError(422, f"member_ids.{n}: Not a working member of this organization.",
                           {f"member_ids.{n}": ["Not a working member of this organization."]})
    return member_ids


def members_of(innovation_ids) -> dict[uuid.UUID, list[uuid.UUID]]:
    """``{innovation_id: [member_id, …]}`` in one query."""
    found: dict = {}
    for innovation_id, member_id in db.session.execute(
        select(InnovationMember.innovation_id, InnovationMember.member_id)
        .where(InnovationMember.innovation_id.in_(list(innovation_ids)))
        .order_by(InnovationMember.created_at, InnovationMember.member_id)
    ):
        found.setdefault(innovation_id, []).append(member_id)
    return found


def record_innovation(org: Organization, data: dict, today: date | None = None) -> Innovation:
    """An innovation or 攻关 result of the branch's members (``member_ids``: who took part)."""
    check_org(org)
    values = {"level": None, "benefit": None, **_fields(data)}
    member_ids = _check_members(org, values.pop("member_ids", None) or [])
    _not_future("achieved_on", values["achieved_on"], today or date.today())
    row = Innovation(org_id=org.id, **values)
    db.session.add(row)
    db.session.flush()
    db.session.add_all(InnovationMember(innovation_id=row.id, member_id=m) for m in member_ids)
    db.session.flush()
    return row


def update_innovation(row: Innovation, org: Organization, changes: dict,
                      today: date | None = None) -> Innovation:
    """Correct an innovation; ``member_ids`` replaces who took part."""
    changes = dict(changes)
    member_ids = changes.pop("member_ids", None)
    if member_ids is not None:
        _check_members(org, member_ids)
    _not_future("achieved_on", changes.get("achieved_on"), today or date.today())
    for key, value in changes.items():
        setattr(row, key, value)
    if member_ids is not None:
        links = _links(row)
        for link in links:
            if link.member_id not in member_ids:
                db.session.delete(link)
        kept = {link.member_id for link in links}
        db.session.add_all(InnovationMember(innovation_id=row.id, member_id=m)
                           for m in member_ids if m not in kept)
    db.session.flush()
    return row


def _links(row: Innovation) -> list[InnovationMember]:
    return list(db.session.scalars(
        select(InnovationMember).where(InnovationMember.innovation_id == row.id)))


def delete(row) -> None:
    """Remove a record entered by mistake (the audit log keeps what it was)."""
    if isinstance(row, Innovation):
        for link in _links(row):
            db.session.delete(link)
        db.session.flush()
    db.session.delete(row)
    db.session.flush()
