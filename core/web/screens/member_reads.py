"""What the member page and the card page read about one member: each section one or two
bounded queries (newest rows first, a few at most), through the slices' services where they
have one, so the page costs the same for a member with ten years of records as for a new one.

Who sees which section follows the API: the record, history, points, dues, development path
and meetings for anyone who sees the member's organisation (personal fields masked as
:mod:`core.members.masking` decides); transfer letters for a branch secretary or higher.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from core.auth.permissions import has_role, visible_orgs_clause
from core.db import db
from core.development import service as development
from core.development import steps as development_steps
from core.development.models import DevelopmentPerson
from core.dues import service as dues
from core.dues.models import DuesPayment
from core.life.models import Attendance, Meeting
from core.members import service as members
from core.members.masking import can_see_personal, mask_values
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.points import cards, ledger, ranking
from core.points.models import MemberCard, PointEntry
from core.transfers import codes as transfer_codes
from core.transfers.models import TransferLetter

RECENT = 10
RECENT_PAYMENTS = 12
KEEPER_ROLE = "branch_secretary"  # keeps a register: transfers, cards
RECORD_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "address", "education",
    "job", "work_unit", "joined_on", "full_on", "status", "is_retired", "is_farmer",
    "is_student", "is_unemployed", "community_registered", "lost_contact_since",
    "lost_contact_reason", "mobile_since", "mobile_destination",
)
# The path a developed member came along: the step that puts a person in each stage.
PATH = (("applicant", development_steps.APPLICATION), ("activist", development_steps.ACTIVIST),
        ("candidate", development_steps.CANDIDATE), ("probationary", development_steps.APPROVAL),
        ("full", development_steps.CONVERSION_APPROVAL))


def record(member: Member, org: Organization) -> tuple[dict, bool]:
    """The member's fields as the API shows them to this user, and whether they are masked."""
    values = {name: getattr(member, name) for name in RECORD_FIELDS}
    full = can_see_personal(org)
    return (values if full else mask_values(values)), not full


def org_names(ids) -> dict[uuid.UUID, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all())


def history(member: Member) -> tuple[list, dict]:
    """The member's lifecycle events (oldest first) and the names of the organisations they
    mention (one query for all)."""
    events = list(members.history(member))
    names = org_names([e.from_org_id for e in events] + [e.to_org_id for e in events])
    return events, names


def transfer_letters(member: Member, org: Organization) -> list[dict] | None:
    """The member's transfer letters, newest first, for a branch secretary or higher (None
    for anyone else: the API keeps letters to register keepers)."""
    if not has_role(KEEPER_ROLE, org):
        return None
    letters = db.session.scalars(
        select(TransferLetter).where(TransferLetter.member_id == member.id)
        .order_by(TransferLetter.created_at.desc()).limit(RECENT)
    ).all()
    names = org_names([lt.from_org_id for lt in letters] + [lt.to_org_id for lt in letters])
    return [{"code": transfer_codes.display(lt.code), "kind": lt.kind, "status": lt.status,
             "issued_on": lt.issued_on, "expires_on": lt.expires_on,
             "from": names.get(lt.from_org_id) or (lt.peer_org if lt.kind == "incoming" else None),
             "to": names.get(lt.to_org_id) or (lt.peer_org if lt.kind == "outgoing" else None),
             "reason": lt.reason} for lt in letters]


@dataclass
class Points:
    year: int
    total: object
    rank: str | None
    exempt: bool
    earned: object
    balance: object
    level: str | None
    entries: list


def branch_of(org: Organization) -> Organization:
    """The branch a member of ``org`` is ranked in (a group's parent)."""
    branch_id = ranking.branch_of(org)
    return org if branch_id == org.id else (orgs.get(branch_id) or org)


def points(member: Member, org: Organization, today: date | None = None,
           recent: int = RECENT) -> Points:
    """This year's total and rank in the branch (as the card shows them), the account and
    the newest ledger entries."""
    year = (today or date.today()).year
    start, end = ledger.year_bounds(year)
    standing = ranking.standing_of(member.id, start, end, branch_of(org))
    held = ledger.account(member.id)
    entries = db.session.scalars(
        select(PointEntry).where(PointEntry.member_id == member.id)
        .order_by(PointEntry.occurred_on.desc(), PointEntry.created_at.desc()).limit(recent)
    ).all() if recent else []
    return Points(
        year=year, total=standing.total if standing else ledger.ZERO,
        rank=ranking.rank_text(standing.branch_rank, standing.branch_ranked) if standing else None,
        exempt=standing.exempt if standing else False,
        earned=held["earned"], balance=held["balance"], level=ledger.card_level(held["earned"]),
        entries=list(entries),
    )


def dues_summary(member: Member) -> tuple[object, list]:
    """The member's arrears as the dues slice counts them (None for a member no longer
    owing dues) and the newest payments."""
    found = dues.member_arrears(member_ids=[member.id])
    payments = db.session.scalars(
        select(DuesPayment).where(DuesPayment.member_id == member.id)
        .order_by(DuesPayment.month.desc()).limit(RECENT_PAYMENTS)
    ).all()
    return (found[0] if found else None), list(payments)


@dataclass
class DevelopmentPath:
    person: DevelopmentPerson
    stages: list  # (stage code, date entered or None)
    steps: list  # (Step, DevelopmentStep)


def development_path(member: Member) -> DevelopmentPath | None:
    """The development record the member came through (None when they joined otherwise or
    before the system): the five stages with the day each began, and every recorded step."""
    person = db.session.scalar(select(DevelopmentPerson).where(DevelopmentPerson.member_id == member.id))
    if person is None:
        return None
    recorded = development.steps_of(person)
    first = {}
    for row in recorded:
        first.setdefault(row.code, row.done_on)
    stages = [(stage, first.get(code)) for stage, code in PATH]
    if member.full_on is not None:  # the day of conversion, not of the approval (step 24)
        stages[-1] = ("full", member.full_on)
    return DevelopmentPath(
        person=person, stages=stages,
        steps=[(development_steps.BY_CODE.get(row.code), row) for row in recorded],
    )


def meetings(member: Member, recent: int = RECENT) -> list:
    """The newest meetings the member was expected at, in organisations the user sees:
    ``(Meeting, Attendance, organisation name)``."""
    return db.session.execute(
        select(Meeting, Attendance, Organization.name)
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .join(Organization, Organization.id == Meeting.org_id)
        .where(Attendance.member_id == member.id, visible_orgs_clause())
        .order_by(Meeting.held_on.desc(), Meeting.id).limit(recent)
    ).all()


def card_of(member: Member) -> MemberCard | None:
    return cards.card_of(member.id)
