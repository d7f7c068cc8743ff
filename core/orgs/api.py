"""The organisation API (``/api/v1/orgs``): the tree, its figures, and its changes.

Reading needs a grant covering the organisation (:func:`core.auth.permissions.visible_orgs_clause`);
an organisation outside the user's scope is a 404, like an unknown or another tenant's id.

Writing:

* an organisation's own record, posts and units need ``org_manager`` on it;
* creating a child needs ``org_manager`` on the parent, a root ``tenant_admin``;
* structural changes — move, merge, dissolve — belong to the level above: ``org_manager`` on
  the organisation's parent (``tenant_admin`` for a root) **and** on every destination
  (a new parent, the merge target, where members and children go); making a root needs
  ``tenant_admin``. So a branch secretary never moves their branch, and nobody moves an
  organisation out of or into a subtree they do not manage.

A sector must be one the tenant's enabled plugins offer.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from core.api import Blueprint, abort
from core.api.smorest import parse_id
from core.auth.permissions import has_role, login_required, require_org_access, visible_orgs_clause
from core.db import db
from core.db.versioning import check_version
from core.orgs import posts, sectors, service, stats, tree, units
from core.orgs.models import Organization, OrgUnit
from core.orgs.schemas import (
    OrgCreateSchema,
    OrgDetailSchema,
    OrgDissolveSchema,
    OrgMergeSchema,
    OrgMoveSchema,
    OrgOutcomeSchema,
    OrgPostEndSchema,
    OrgPostQuerySchema,
    OrgPostSchema,
    OrgQuerySchema,
    OrgSchema,
    OrgStatsQuerySchema,
    OrgStatsSchema,
    OrgTreeNodeSchema,
    OrgTreeQuerySchema,
    OrgUnitSchema,
    OrgUnitUpdateSchema,
    OrgUpdateSchema,
)

bp = Blueprint("orgs", __name__, description="The Party organisation tree (党组织).")


def _visible(org_id) -> Organization:
    """The organisation if the user can see it; 404 for unknown, foreign or out of scope."""
    parsed = parse_id(org_id)
    org = service.get(parsed) if parsed is not None else None
    if org is None or not has_role("member", org):
        abort(404, f"organization {org_id} not found")  # unknown and out of scope alike
    return org


def _destination(org_id, role: str = "org_manager") -> Organization:
    """An organisation named in a request body: seen (else 404) and managed (else 403)."""
    return require_org_access(_visible(org_id), role=role)


def _require_above(org: Organization) -> None:
    """``org_manager`` on ``org``'s parent, or ``tenant_admin`` for a root (403 otherwise)."""
    if org.parent_id is None:
        if not has_role("tenant_admin"):
            abort(403, "Only a tenant administrator can change a root organization.")
        return
    parent = service.get(org.parent_id)
    if parent is None or not has_role("org_manager", parent):
        abort(403, "This needs the org_manager role on the parent organization.")


# -- the list, one organisation, creating and editing --------------------------------------


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(OrgQuerySchema, location="query")
@bp.response(200, OrgSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_orgs(filters, pagination_parameters):
    """Organisations the user can see, in tree order. Filters: ``parent``, ``kind``,
    ``sector``, ``subtree_of`` (an organisation and all its descendants), ``q`` (name or
    code contains), ``status``; merged and dissolved ones only with ``include_inactive`` or
    ``status``."""
    conditions = [visible_orgs_clause()]
    if filters["parent"] is not None:
        conditions.append(Organization.parent_id == filters["parent"])
    if filters["kind"] is not None:
        conditions.append(Organization.kind == filters["kind"])
    if filters["sector"] is not None:
        conditions.append(Organization.sector == filters["sector"])
    if filters["subtree_of"] is not None:
        conditions.append(service.subtree_filter(_visible(filters["subtree_of"]).path))
    if filters["status"] is not None:
        conditions.append(Organization.status == filters["status"])
    elif not filters["include_inactive"]:
        conditions.append(Organization.status == "active")
    if filters["q"] is not None:
        conditions.append(
            or_(
                Organization.name.icontains(filters["q"], autoescape=True),
                Organization.code.icontains(filters["q"], autoescape=True),
            )
        )
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(Organization).where(*conditions)
    )
    return db.session.scalars(
        select(Organization)
        .where(*conditions)
        .order_by(Organization.path)
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    ).all()


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(OrgCreateSchema)
@bp.response(201, OrgSchema)
def create_org(data):
    """Create an organisation under ``parent_id`` (or a root, for a tenant administrator)."""
    parent_id = data.pop("parent_id")
    parent = None
    if parent_id is None:
        if not has_role("tenant_admin"):
            abort(403, "Only a tenant administrator can create a root organization.")
    else:
        parent = service.get(parent_id)
        if parent is None:
            abort(404, f"organization {parent_id} not found")
        require_org_access(parent, role="org_manager")
    sectors.check_enabled(data["sector"])
    org = service.create(parent=parent, **data)
    db.session.commit()
    return org


@bp.route("/<org_id>", methods=["GET"])
@login_required
@bp.response(200, OrgDetailSchema)
def get_org(org_id):
    """One organisation, with its current secretary (404 when unknown or outside the
    user's scope)."""
    return _visible(org_id)


# What a branch secretary keeps up to date on their own organisation (DESIGN: secretaries
# record sector data); its name, code, kind, place in the tree and term are the managers'.
SECRETARY_FIELDS = frozenset({"attributes", "contact", "phone"})


@bp.route("/<org_id>", methods=["PATCH"])
@login_required
@bp.arguments(OrgUpdateSchema)
@bp.response(200, OrgSchema)
def update_org(changes, org_id):
    """Change an organisation's record (``org_manager`` on it; a ``branch_secretary`` may
    change only its sector data and contact). Only the fields sent change; the result is
    validated as a whole; ``attributes`` replaces the object. Send the ``version`` you read:
    a stale one is a 409 and nothing changes."""
    expected = changes.pop("version", None)
    role = "branch_secretary" if set(changes) <= SECRETARY_FIELDS else "org_manager"
    org = require_org_access(_visible(org_id), role=role)
    check_version(org, expected, "organization")
    if "sector" in changes:
        sectors.check_enabled(changes["sector"])
    service.update(org, changes)
    db.session.commit()
    return org


# -- the subtree's shape and figures -------------------------------------------------------


@bp.route("/<org_id>/tree", methods=["GET"])
@login_required
@bp.arguments(OrgTreeQuerySchema, location="query")
@bp.response(200, OrgTreeNodeSchema)
def org_tree(args, org_id):
    """The organisation's subtree, nested, with active members registered at each node and
    in its whole subtree (``depth`` limits the levels shown, not the counts)."""
    org = _visible(org_id)
    return tree.nested(org, max_depth=args["depth"], include_inactive=args["include_inactive"])


@bp.route("/<org_id>/stats", methods=["GET"])
@login_required
@bp.arguments(OrgStatsQuerySchema, location="query")
@bp.response(200, OrgStatsSchema)
def org_stats(args, org_id):
    """队伍结构 of the whole subtree at ``as_of``: members by status, full/probationary,
    gender, age band, education, ethnicity and party standing; organisations by kind."""
    return stats.subtree_stats(_visible(org_id), args["as_of"])


# -- structural changes --------------------------------------------------------------------


def _outcome(org: Organization, outcome: tree.Outcome | None = None) -> dict:
    counts = outcome or tree.Outcome()
    return {"organization": org, **counts.__dict__}


@bp.route("/<org_id>/move", methods=["POST"])
@login_required
@bp.arguments(OrgMoveSchema)
@bp.response(200, OrgSchema)
def move_org(data, org_id):
    """Move the organisation and its whole subtree under ``parent_id`` (null: make it a
    root, for a tenant administrator)."""
    org = _visible(org_id)
    _require_above(org)
    if data["parent_id"] is None:
        if not has_role("tenant_admin"):
            abort(403, "Only a tenant administrator can make a root organization.")
        new_parent = None
    else:
        new_parent = _destination(data["parent_id"])
    tree.move_subtree(org, new_parent)
    db.session.commit()
    return org


@bp.route("/<org_id>/merge", methods=["POST"])
@login_required
@bp.arguments(OrgMergeSchema)
@bp.response(200, OrgOutcomeSchema)
def merge_org(data, org_id):
    """Merge the organisation into ``target_id``: its children, active members and units
    move there, its posts end, it stays as ``merged``."""
    org = _visible(org_id)
    _require_above(org)
    target = _destination(data["target_id"])
    outcome = tree.merge(org, target, data["on"] or date.today(), data["reason"])
    db.session.commit()
    return _outcome(org, outcome)


@bp.route("/<org_id>/dissolve", methods=["POST"])
@login_required
@bp.arguments(OrgDissolveSchema)
@bp.response(200, OrgOutcomeSchema)
def dissolve_org(data, org_id):
    """Dissolve the organisation; refused (409) while active members or children remain
    unless ``move_members_to`` / ``move_children_to`` say where they go."""
    org = _visible(org_id)
    _require_above(org)
    members_to = _destination(data["move_members_to"]) if data["move_members_to"] else None
    children_to = _destination(data["move_children_to"]) if data["move_children_to"] else None
    outcome = tree.dissolve(org, data["on"] or date.today(), data["reason"],
                            move_members_to=members_to, move_children_to=children_to)
    db.session.commit()
    return _outcome(org, outcome)


# -- units ---------------------------------------------------------------------------------


@bp.route("/<org_id>/units", methods=["GET"])
@login_required
@bp.response(200, OrgUnitSchema(many=True))
def list_units(org_id):
    """The non-Party units the organisation serves."""
    org = _visible(org_id)
    return [units.view(unit, org) for unit in units.units_of(org)]


@bp.route("/<org_id>/units", methods=["POST"])
@login_required
@bp.arguments(OrgUnitSchema)
@bp.response(201, OrgUnitSchema)
def create_unit(data, org_id):
    """Record a unit the organisation serves (``credit_code``: 统一社会信用代码, checked)."""
    org = require_org_access(_visible(org_id), role="org_manager")
    unit = units.create(org, **data)
    db.session.commit()
    return units.view(unit, org)


def _unit(org: Organization, unit_id) -> OrgUnit:
    parsed = parse_id(unit_id)
    unit = units.get(org, parsed) if parsed is not None else None
    if unit is None:
        abort(404, f"unit {unit_id} not found")
    return unit


@bp.route("/<org_id>/units/<unit_id>", methods=["PATCH"])
@login_required
@bp.arguments(OrgUnitUpdateSchema)
@bp.response(200, OrgUnitSchema)
def update_unit(data, org_id, unit_id):
    """Change a unit: only the fields sent; ``attributes`` replaces the object and is checked
    by the sector plugins' schemas for the unit type. A ``branch_secretary`` may change the
    attributes (the village's, the enterprise's figures); anything else needs ``org_manager``."""
    expected = data.pop("version", None)
    role = "branch_secretary" if set(data) <= {"attributes"} else "org_manager"
    org = require_org_access(_visible(org_id), role=role)
    unit = _unit(org, unit_id)
    check_version(unit, expected, "unit")
    unit = units.update(org, unit, data)
    db.session.commit()
    return units.view(unit, org)


@bp.route("/<org_id>/units/<unit_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_unit(org_id, unit_id):
    """Remove a unit the organisation no longer serves."""
    org = require_org_access(_visible(org_id), role="org_manager")
    units.delete(_unit(org, unit_id))
    db.session.commit()


# -- posts ---------------------------------------------------------------------------------


def _post_view(row, holder_name: str) -> dict:
    return {**{k: getattr(row, k) for k in ("id", "org_id", "post", "member_id", "person_name",
                                             "started_on", "ended_on", "end_reason",
                                             "version")},
            "holder_name": holder_name}


@bp.route("/<org_id>/posts", methods=["GET"])
@login_required
@bp.arguments(OrgPostQuerySchema, location="query")
@bp.response(200, OrgPostSchema(many=True))
def list_posts(args, org_id):
    """Who holds the organisation's committee posts (``include_ended``: the history)."""
    org = _visible(org_id)
    return [_post_view(row, name) for row, name in posts.posts_of(org, args["include_ended"])]


@bp.route("/<org_id>/posts", methods=["POST"])
@login_required
@bp.arguments(OrgPostSchema)
@bp.response(201, OrgPostSchema)
def start_post(data, org_id):
    """A register member (``member_id``) or someone outside it (``person_name``) takes a
    post from ``started_on``."""
    org = require_org_access(_visible(org_id), role="org_manager")
    row = posts.start(org, **data)
    db.session.commit()
    return _post_view(row, posts.holder_name(row))


@bp.route("/<org_id>/posts/<post_id>/end", methods=["POST"])
@login_required
@bp.arguments(OrgPostEndSchema)
@bp.response(200, OrgPostSchema)
def end_post(data, org_id, post_id):
    """End a post on ``ended_on`` (the row stays: the history of who served)."""
    org = require_org_access(_visible(org_id), role="org_manager")
    parsed = parse_id(post_id)
    row = posts.get(org, parsed) if parsed is not None else None
    if row is None:
        abort(404, f"post {post_id} not found")
    check_version(row, data.get("version"), "post")
    posts.end(row, data["ended_on"], data["reason"])
    db.session.commit()
    return _post_view(row, posts.holder_name(row))
