"""Member archives (党员档案): whose archive a document is in, filing and correcting
documents, and completeness per development stage — for one person and set-based for a
whole subtree or tenant (the warning rules and the subtree figure use the same evaluation).

An archive's **subject** is a register member or a person in the development pipeline. A
member's archive holds the member's own documents and those of the development person linked
to them (step 17 admitted that person): an applicant's archive follows them into the
register. A person already admitted shows the same archive as their member.

The **stage** an archive is checked against: a person not yet admitted is at their
development stage (``applicant``, ``activist``, ``candidate``); a member is ``probationary``
or ``full`` (a mobile or lost-contact member by whether they have a 转正日期); a member gone
from the register (transferred out, deceased, left) or a stopped person is not checked.
Which members are checked at all (:func:`checked_members`) is in
:mod:`core.archives.settings` (``members_joined_from``).

Reads of other slices' rows here are joins for set-based evaluation; writes go only to this
slice's table. Every function works in the current tenant and leaves the commit to its
caller.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Select, and_, exists, false, or_, select

from core.api.errors import ApiError
from core.archives.models import ArchiveDocument
from core.archives.settings import document_types, required_types, settings
from core.auth.context import current_actor
from core.db import db, versioning
from core.development.models import DevelopmentPerson
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.transfers import codes as transfer_codes
from core.transfers.models import COMPLETED, TransferLetter

D = ArchiveDocument
STAGE_LABELS = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "candidate": "发展对象",
    "probationary": "预备党员",
    "full": "正式党员",
}
TRANSFER_LETTER = "transfer_letter"
EDITABLE = ("doc_type", "title", "dated_on", "note")


def _invalid(field_name: str, message: str, status: int = 422):
    raise ApiError(status, f"{field_name}: {message}", {field_name: [message]})


@dataclass(frozen=True)
class Subject:
    """Whose archive: ``kind`` ``member`` or ``person`` and that record's id; ``member_id``
    and ``person_ids`` select the documents (a member and the development people linked to
    them); ``org_id`` is the organisation keeping the archive; ``stage`` what it is checked
    against (``None``: not checked)."""

    kind: str
    id: uuid.UUID
    name: str
    org_id: uuid.UUID
    stage: str | None
    member_id: uuid.UUID | None
    person_ids: tuple[uuid.UUID, ...] = field(default=())


def member_stage(status: str, full_on: date | None) -> str | None:
    if status == "probationary":
        return "probationary"
    if status == "full":
        return "full"
    if status in ACTIVE_STATUSES:  # mobile, lost contact: by their record
        return "full" if full_on is not None else "probationary"
    return None


def person_stage(stage: str, status: str) -> str | None:
    return stage if status == "active" else None


def member_subject(member: Member) -> Subject:
    people = tuple(db.session.scalars(
        select(DevelopmentPerson.id).where(DevelopmentPerson.member_id == member.id)
        .order_by(DevelopmentPerson.created_at)))
    return Subject("member", member.id, member.name, member.org_id,
                   member_stage(member.status, member.full_on), member.id, people)


def person_subject(person: DevelopmentPerson) -> Subject:
    """A person's archive; once admitted, the member's (kept by the member's organisation)."""
    if person.member_id is not None:
        member = db.session.scalar(select(Member).where(Member.id == person.member_id))
        if member is not None:
            subject = member_subject(member)
            return Subject("person", person.id, person.name, subject.org_id, subject.stage,
                           subject.member_id, subject.person_ids)
    return Subject("person", person.id, person.name, person.org_id,
                   person_stage(person.stage, person.status), None, (person.id,))


def _owned_by(subject: Subject):
    conditions = []
    if subject.member_id is not None:
        conditions.append(D.member_id == subject.member_id)
    if subject.person_ids:
        conditions.append(D.person_id.in_(subject.person_ids))
    return or_(*conditions) if conditions else false()


def documents_of(subject: Subject, removed: bool = False) -> Sequence[ArchiveDocument]:
    """The archive's documents (or, ``removed``, those removed from it), by date."""
    state = D.removed_at.is_not(None) if removed else D.removed_at.is_(None)
    return db.session.scalars(
        select(D).where(_owned_by(subject), state)
        .order_by(D.dated_on, D.created_at, D.id)).all()


def get_document(subject: Subject, document_id: uuid.UUID | None) -> ArchiveDocument | None:
    """A document of this archive (removed or not); None for any other id."""
    if document_id is None:
        return None
    return db.session.scalar(select(D).where(D.id == document_id, _owned_by(subject)))


def completed_letters(member_id: uuid.UUID | None) -> int:
    """How many completed transfer letters the member has (组织关系介绍信 the transfer filed)."""
    if member_id is None:
        return 0
    return len(db.session.scalars(select(TransferLetter.id).where(
        TransferLetter.member_id == member_id, TransferLetter.status == COMPLETED)).all())


def letters_of(member_id: uuid.UUID | None) -> list[dict]:
    """The member's completed transfers, newest first: the 组织关系介绍信 on file (the
    transfers slice keeps the letters; the archive lists them, nothing is copied)."""
    if member_id is None:
        return []
    rows = db.session.scalars(
        select(TransferLetter).where(TransferLetter.member_id == member_id,
                                     TransferLetter.status == COMPLETED)
        .order_by(TransferLetter.issued_on.desc(), TransferLetter.created_at.desc())).all()
    return [{"code": transfer_codes.display(lt.code), "kind": lt.kind, "issued_on": lt.issued_on,
             "closed_at": lt.closed_at, "reason": lt.reason} for lt in rows]


def _checklist(stage: str | None, present: set[str], required: dict, labels: dict) -> dict:
    needed = required.get(stage, []) if stage is not None else []
    items = [{"doc_type": key, "label": labels.get(key, key), "present": key in present}
             for key in needed]
    missing = [item["doc_type"] for item in items if not item["present"]]
    return {
        "stage": stage, "stage_label": STAGE_LABELS.get(stage) if stage else None,
        "checked": stage is not None, "required": items, "missing": missing,
        "missing_labels": [labels.get(key, key) for key in missing],
        "complete": not missing, "present_count": len(needed) - len(missing),
        "required_count": len(needed),
    }


def completeness(subject: Subject) -> dict:
    """The archive's checklist at its stage: each required type and whether it is held,
    ``missing`` (keys), ``complete``. A completed transfer letter counts as a
    组织关系介绍信 where a tenant requires one."""
    values = settings()
    present = {d.doc_type for d in documents_of(subject)}
    if completed_letters(subject.member_id):
        present.add(TRANSFER_LETTER)
    return _checklist(subject.stage, present, required_types(values), document_types(values))


# -- writing -------------------------------------------------------------------------------------


def _actor() -> tuple[str, uuid.UUID | None]:
    actor = current_actor()
    return (actor.label, actor.user_id) if actor else ("system", None)


def _check_values(data: dict) -> None:
    if "doc_type" in data and data["doc_type"] not in document_types():
        _invalid("doc_type", "Unknown document type; see GET /api/v1/archives/types.")
    if "title" in data and not (data["title"] or "").strip():
        _invalid("title", "Must not be empty.")
    if data.get("dated_on") is not None and data["dated_on"] > date.today():
        _invalid("dated_on", "Cannot be in the future.")


def add_document(subject: Subject, data: dict, stored) -> ArchiveDocument:
    """File a document into the archive: ``data`` has ``doc_type``, ``title``, ``dated_on``
    and ``note``; ``stored`` is the file :func:`core.files.store` kept. A person's document
    is filed on the person (it follows them once admitted), a member's on the member. The
    caller commits (and discards the stored file if the commit fails)."""
    _check_values(data)
    label, user_id = _actor()
    document = D(
        member_id=subject.id if subject.kind == "member" else None,
        person_id=subject.id if subject.kind == "person" else None,
        doc_type=data["doc_type"], title=data["title"].strip(), dated_on=data["dated_on"],
        note=(data.get("note") or "").strip() or None,
        stored_name=stored.name, original_name=stored.original_name, file_type=stored.file_type,
        content_type=stored.content_type, size=stored.size,
        uploaded_by=label, uploaded_by_user_id=user_id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def _require_filed(document: ArchiveDocument) -> None:
    if document.removed_at is not None:
        _invalid("document", "This document was removed from the archive.", 409)


def update_document(document: ArchiveDocument, data: dict, expected_version: int | None) -> ArchiveDocument:
    """Correct a document's type, title, date or note (not its file: file a new one and
    remove this one). ``expected_version`` is the version read: a stale one is a 409."""
    versioning.check_version(document, expected_version, "document")
    _require_filed(document)
    data = {k: v for k, v in data.items() if k in EDITABLE}
    if "dated_on" in data and data["dated_on"] is None:
        _invalid("dated_on", "Must not be empty.")
    _check_values(data)
    for key, value in data.items():
        if key == "title":
            value = value.strip()
        elif key == "note":
            value = (value or "").strip() or None
        setattr(document, key, value)
    versioning.flush("document")
    return document


def remove_document(document: ArchiveDocument, reason: str, expected_version: int | None) -> ArchiveDocument:
    """Remove a document filed in error (soft: it leaves the archive and its checklist, its
    file and row stay with who removed it and why, see :mod:`core.archives.models`)."""
    versioning.check_version(document, expected_version, "document")
    _require_filed(document)
    reason = (reason or "").strip()
    if not reason:
        _invalid("reason", "Say why the document is removed.")
    label, user_id = _actor()
    document.removed_at = datetime.now(UTC)
    document.removed_by = label
    document.removed_by_user_id = user_id
    document.removal_reason = reason
    versioning.flush("document")
    return document


# -- set-based evaluation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """One archive of a set-based evaluation."""

    kind: str  # member / person
    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    stage: str
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def _in_scope(stmt: Select, model, root: Organization | None, visible=None) -> Select:
    if root is None and visible is None:
        return stmt
    stmt = stmt.join(Organization, and_(Organization.tenant_id == model.tenant_id,
                                        Organization.id == model.org_id))
    if root is not None:
        stmt = stmt.where(subtree_filter(root.path))
    if visible is not None:
        stmt = stmt.where(visible)
    return stmt


def checked_members(values: dict, root: Organization | None = None, visible=None) -> Select:
    """``select(Member.id, org_id, name, status, full_on)`` of the members whose archive is
    checked: in the register (not gone from it) and developed here, joined on or after
    ``members_joined_from``, or with a document filed."""
    developed = exists().where(DevelopmentPerson.tenant_id == Member.tenant_id,
                               DevelopmentPerson.member_id == Member.id)
    filed = exists().where(D.tenant_id == Member.tenant_id, D.member_id == Member.id,
                           D.removed_at.is_(None))
    reasons = [developed, filed]
    if values.get("members_joined_from") is not None:
        reasons.append(Member.joined_on >= values["members_joined_from"])
    stmt = select(Member.id, Member.org_id, Member.name, Member.status, Member.full_on).where(
        Member.status.in_(ACTIVE_STATUSES), or_(*reasons))
    return _in_scope(stmt, Member, root, visible)


def checked_people(root: Organization | None = None, visible=None) -> Select:
    """``select(DevelopmentPerson.id, org_id, name, stage)``: active people not admitted yet
    (an admitted person's archive is checked as their member's)."""
    stmt = select(DevelopmentPerson.id, DevelopmentPerson.org_id, DevelopmentPerson.name,
                  DevelopmentPerson.stage).where(DevelopmentPerson.status == "active",
                                                 DevelopmentPerson.member_id.is_(None))
    return _in_scope(stmt, DevelopmentPerson, root, visible)


def evaluate(root: Organization | None = None, visible=None) -> list[Checked]:
    """Every checked archive of the tenant (``root``'s subtree, limited to ``visible`` — a
    WHERE clause on Organization — when given) with what it misses. A fixed number of
    queries whatever the size: the subjects, then the document types held, by member and by
    person, and (when a stage requires one) the members with a completed transfer letter."""
    values = settings()
    required = required_types(values)
    members = db.session.execute(checked_members(values, root, visible)).all()
    people = db.session.execute(checked_people(root, visible)).all()
    member_ids = select(checked_members(values, root, visible).subquery().c.id)
    person_ids = select(checked_people(root, visible).subquery().c.id)

    held: dict[uuid.UUID, set[str]] = defaultdict(set)
    for owner, doc_type in db.session.execute(
        select(D.member_id, D.doc_type).distinct()
        .where(D.removed_at.is_(None), D.member_id.in_(member_ids))
    ):
        held[owner].add(doc_type)
    # Documents filed on a development person: the person's, or their member's once admitted.
    for person_id, member_id, doc_type in db.session.execute(
        select(DevelopmentPerson.id, DevelopmentPerson.member_id, D.doc_type).distinct()
        .join(D, and_(D.tenant_id == DevelopmentPerson.tenant_id, D.person_id == DevelopmentPerson.id))
        .where(D.removed_at.is_(None),
               or_(DevelopmentPerson.id.in_(person_ids), DevelopmentPerson.member_id.in_(member_ids)))
    ):
        held[member_id or person_id].add(doc_type)
    if any(TRANSFER_LETTER in types for types in required.values()):
        for (member_id,) in db.session.execute(
            select(TransferLetter.member_id).distinct()
            .where(TransferLetter.status == COMPLETED, TransferLetter.member_id.in_(member_ids))
        ):
            held[member_id].add(TRANSFER_LETTER)

    found = []
    for row in members:
        stage = member_stage(row.status, row.full_on)
        if stage is None:
            continue
        missing = tuple(t for t in required[stage] if t not in held.get(row.id, ()))
        found.append(Checked("member", row.id, row.org_id, row.name, stage, missing))
    for row in people:
        stage = person_stage(row.stage, "active")
        if stage not in required:
            continue
        missing = tuple(t for t in required[stage] if t not in held.get(row.id, ()))
        found.append(Checked("person", row.id, row.org_id, row.name, stage, missing))
    return found


def share(complete: int, total: int) -> float | None:
    return round(complete / total, 4) if total else None


def summary(checked: list[Checked]) -> dict:
    """The completeness figures of a set: archives checked, complete, ``share`` complete
    (None for none), and the same by stage."""
    total = len(checked)
    complete = sum(1 for c in checked if c.complete)
    by_stage_total = Counter(c.stage for c in checked)
    by_stage_complete = Counter(c.stage for c in checked if c.complete)
    return {
        "checked": total, "complete": complete, "incomplete": total - complete,
        "share": share(complete, total),
        "by_stage": [
            {"stage": stage, "stage_label": STAGE_LABELS[stage], "checked": by_stage_total[stage],
             "complete": by_stage_complete[stage],
             "share": share(by_stage_complete[stage], by_stage_total[stage])}
            for stage in STAGE_LABELS if by_stage_total[stage]
        ],
    }
