"""The member API (``/api/v1/members``): the register, scoped to the user's grants.

* Reading needs any grant covering the member's organisation; a member outside them is a 404,
  exactly like an unknown or another tenant's id.
* Writing (create, correct, status change, move) needs ``branch_secretary`` or higher on the
  organisation concerned — for a move, on both; seen but not held is a 403.
* ID number, phone and address are masked unless :func:`~core.members.masking.can_see_personal`
  allows the full view for the member's organisation.
* A correction (PATCH) carries the ``version`` it was read at; a stale one is a 409.
* ``transferred_out`` is not set here: a transfer (``/api/v1/transfers``) does it once the
  receiving side has accepted.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import Blueprint, abort
from core.api.smorest import parse_id
from core.auth.permissions import has_role, login_required, require_org_access
from core.db import db
from core.members import service
from core.members.masking import can_see_personal, mask_values
from core.members.models import Member
from core.members.schemas import (
    MemberEventSchema,
    MemberQuerySchema,
    MemberSchema,
    MoveSchema,
    StatusChangeSchema,
)
from core.members.validation import PATCHABLE_FIELDS, MemberInputSchema, MemberPatchSchema
from core.orgs import service as orgs
from core.orgs.models import Organization

bp = Blueprint("members", __name__, description="The member register (党员).")

WRITE_ROLE = "branch_secretary"
SHOWN_FIELDS = tuple(MemberSchema().fields)


def present(member: Member, org: Organization | None = None, *, org_name: str | None = None,
            full: bool | None = None) -> dict:
    """``member`` as the API shows it to the current user (masked unless allowed)."""
    if full is None:
        full = org is not None and can_see_personal(org)
    values = {
        name: getattr(member, name) for name in SHOWN_FIELDS if hasattr(member, name)
    }
    values["org_name"] = org_name if org_name is not None else (org.name if org is not None else None)
    values["personal_masked"] = not full
    return values if full else mask_values(values)


def _not_found(member_id) -> None:
    abort(404, f"member {member_id} not found")


def _visible_member(member_id) -> tuple[Member, Organization]:
    """The member and its organisation, or the 404 an unknown id gets."""
    parsed = parse_id(member_id)
    member = service.get_member(parsed) if parsed is not None else None
    org = orgs.get(member.org_id) if member is not None else None
    if member is None or org is None or not has_role("member", org):
        _not_found(member_id)
    return member, org


def _writable_member(member_id) -> tuple[Member, Organization]:
    member, org = _visible_member(member_id)
    if not has_role(WRITE_ROLE, org):
        abort(403, f"This needs the {WRITE_ROLE} role on the member's organization.")
    return member, org


def _target_org(org_id) -> Organization:
    """An organisation named in a request body, for writing: 404 unseen, 403 not held."""
    org = orgs.get(org_id)
    if org is None:
        abort(404, f"organization {org_id} not found")
    return require_org_access(org, role=WRITE_ROLE)


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(MemberQuerySchema, location="query")
@bp.response(200, MemberSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_members(filters, pagination_parameters):
    """Members the user can see; filter by organisation (``org_id``, ``subtree_of``),
    ``status`` (repeatable), ``gender``, ``education``; ``q`` searches the name or its pinyin
    initials; ``sort`` by name, joined_on, birth_date or created_at, ``order`` asc/desc."""
    subtree = None
    if filters["subtree_of"] is not None:
        subtree = orgs.get(filters["subtree_of"])
        if subtree is None or not has_role("member", subtree):
            abort(404, f"organization {filters['subtree_of']} not found")
    stmt = service.search(
        org_id=filters["org_id"], subtree_of=subtree, status=filters["status"],
        gender=filters["gender"], education=filters["education"], q=filters["q"],
        sort=filters["sort"], descending=filters["order"] == "desc",
    )
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    )
    rows = db.session.execute(
        stmt.add_columns(Organization.path, Organization.name)
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    ).all()
    return [
        present(member, org_name=org_name, full=can_see_personal(path))
        for member, path, org_name in rows
    ]


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(MemberInputSchema)
@bp.response(201, MemberSchema)
def create_member(data):
    """Add a member to an organisation (needs branch_secretary or higher on it)."""
    org = _target_org(data["org_id"])
    member = service.create_member(data, reason="registered")
    db.session.commit()
    return present(member, org)


@bp.route("/<member_id>", methods=["GET"])
@login_required
@bp.response(200, MemberSchema)
def get_member(member_id):
    """One member (404 when unknown or outside the user's scope)."""
    member, org = _visible_member(member_id)
    return present(member, org)


@bp.route("/<member_id>", methods=["PATCH"])
@login_required
@bp.arguments(MemberPatchSchema(partial=PATCHABLE_FIELDS))
@bp.response(200, MemberSchema)
def update_member(data, member_id):
    """Correct a member's record; send the ``version`` you read (409 if it has changed)."""
    member, org = _writable_member(member_id)
    version = data.pop("version")
    service.update_member(member, data, expected_version=version)
    db.session.commit()
    return present(member, org)


@bp.route("/<member_id>/status", methods=["POST"])
@login_required
@bp.arguments(StatusChangeSchema)
@bp.response(200, MemberSchema)
def change_status(data, member_id):
    """Change a member's status on a date, with a reason (conversion, lost contact,
    mobile, left, deceased …); recorded in the member's history."""
    member, org = _writable_member(member_id)
    if data["status"] == "transferred_out":
        abort(422, "A member leaves through a transfer.",
              {"status": ["Use a transfer (/api/v1/transfers): it sets transferred_out once accepted."]})
    service.change_status(
        member, data["status"], data["on"], data["reason"],
        lost_contact_reason=data["lost_contact_reason"],
        mobile_destination=data["mobile_destination"],
        expected_version=data["version"],
    )
    db.session.commit()
    return present(member, org)


@bp.route("/<member_id>/move", methods=["POST"])
@login_required
@bp.arguments(MoveSchema)
@bp.response(200, MemberSchema)
def move_member(data, member_id):
    """Move a member to another organisation of this tenant (branch_secretary or higher on
    both); recorded in the member's history."""
    member, _ = _writable_member(member_id)
    target = _target_org(data["org_id"])
    service.move_member(member, target, data["on"], data["reason"],
                        expected_version=data["version"])
    db.session.commit()
    return present(member, target)


@bp.route("/<member_id>/history", methods=["GET"])
@login_required
@bp.response(200, MemberEventSchema(many=True))
def member_history(member_id):
    """The member's events (admitted, status changes, moves, transfers), oldest first."""
    member, _ = _visible_member(member_id)
    return service.history(member)

