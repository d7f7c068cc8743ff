"""Who may open an archive, for both faces (the API and the web pages).

An archive is confidential (political review, assessments by the organisation): reading,
filing, correcting and removing need ``branch_secretary`` on the organisation keeping it.
Nobody reads their own archive through their member account — as archive rules have it
(任何个人不得查阅本人档案), being the member is no key. Someone who sees the organisation
but may not open the archive gets a 403; anyone else a 404, exactly like an unknown or
another tenant's id.
"""

from __future__ import annotations

from core.api.errors import abort
from core.api.smorest import parse_id
from core.archives import service
from core.auth.permissions import has_role
from core.development import service as development
from core.members import service as members
from core.orgs import service as orgs
from core.orgs.models import Organization

KEEPER_ROLE = "branch_secretary"


def may_keep(org: Organization) -> bool:
    return has_role(KEEPER_ROLE, org)


def _checked(subject: service.Subject | None, raw_id, what: str):
    org = orgs.get(subject.org_id) if subject is not None else None
    if subject is None or org is None or not has_role("member", org):
        abort(404, f"{what} {raw_id} not found")
    if not may_keep(org):
        abort(403, f"A member's archive needs the {KEEPER_ROLE} role on the organization.")
    return subject, org


def member_archive(member_id, write: bool = False) -> tuple[service.Subject, Organization]:
    """The member's archive and the organisation keeping it: 404 unseen, 403 not allowed.
    ``write``: the same role is needed today for reading and writing; callers say which they
    do, so a read-only keeper role can be added in one place."""
    parsed = parse_id(member_id)
    member = members.get_member(parsed) if parsed is not None else None
    return _checked(service.member_subject(member) if member is not None else None,
                    member_id, "member")


def person_archive(person_id, write: bool = False) -> tuple[service.Subject, Organization]:
    """A development person's archive (their member's once admitted): as above."""
    parsed = parse_id(person_id)
    person = development.get_person(parsed) if parsed is not None else None
    return _checked(service.person_subject(person) if person is not None else None,
                    person_id, "person")


def document(subject: service.Subject, document_id):
    """A document of this archive (removed ones too): 404 for any other id."""
    row = service.get_document(subject, parse_id(document_id))
    if row is None:
        abort(404, f"document {document_id} not found")
    return row
