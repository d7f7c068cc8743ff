"""Who may open an archive, for both faces (the API and the web pages).

An archive is confidential (political review, personal documents): reading it needs
``branch_secretary`` on the organisation keeping it, or being the member whose archive it is
(their user account is linked to them); filing, correcting and removing need
``branch_secretary``. Someone who sees the organisation but may not open the archive gets a
403; anyone else a 404, exactly like an unknown or another tenant's id.
"""

from __future__ import annotations

from core.api.errors import abort
from core.api.smorest import parse_id
from core.archives import service
from core.auth.permissions import current_user, has_role
from core.development import service as development
from core.members import service as members
from core.orgs import service as orgs
from core.orgs.models import Organization

KEEPER_ROLE = "branch_secretary"


def is_own(subject: service.Subject) -> bool:
    user = current_user()
    return user is not None and subject.member_id is not None and user.member_id == subject.member_id


def may_keep(org: Organization) -> bool:
    return has_role(KEEPER_ROLE, org)


def _checked(subject: service.Subject | None, raw_id, what: str, write: bool):
    org = orgs.get(subject.org_id) if subject is not None else None
    if subject is None or org is None or not has_role("member", org):
        abort(404, f"{what} {raw_id} not found")
    if not may_keep(org) and (write or not is_own(subject)):
        abort(403, f"A member's archive needs the {KEEPER_ROLE} role on the organization.")
    return subject, org


def member_archive(member_id, write: bool = False) -> tuple[service.Subject, Organization]:
    """The member's archive and the organisation keeping it: 404 unseen, 403 not allowed."""
    parsed = parse_id(member_id)
    member = members.get_member(parsed) if parsed is not None else None
    return _checked(service.member_subject(member) if member is not None else None,
                    member_id, "member", write)


def person_archive(person_id, write: bool = False) -> tuple[service.Subject, Organization]:
    """A development person's archive (their member's once admitted): as above."""
    parsed = parse_id(person_id)
    person = development.get_person(parsed) if parsed is not None else None
    return _checked(service.person_subject(person) if person is not None else None,
                    person_id, "person", write)


def document(subject: service.Subject, document_id):
    """A document of this archive (removed ones too): 404 for any other id."""
    row = service.get_document(subject, parse_id(document_id))
    if row is None:
        abort(404, f"document {document_id} not found")
    return row
