"""The two_new API (``/api/v1/two_new``): the register behind 两个覆盖.

* ``/units`` — non-public enterprises and social organisations (两新组织), with or without a
  Party organisation, each with its derived coverage and the 应建尽建 flag;
* ``/instructors`` — 党建指导员 and 党建第一书记 sent to them;
* ``/groups`` — new-employment groups (新就业群体) and the comprehensive committee covering
  them;
* ``/coverage?org=`` — the 两个覆盖 figures of an organisation's subtree.

Reading needs a grant covering the record's supervising organisation (``member``); lists
show only what the user sees. The register is kept by the committee: writing needs
``org_manager`` on the supervising organisation. Unknown, another tenant's and out-of-scope
ids are all 404; bad input is a 422 naming the field. Routes answer 404 for a tenant that
has not enabled the plugin (core does that).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from core.sdk import (
    Blueprint,
    Member,
    Organization,
    abort,
    db,
    expect_version,
    has_role,
    login_required,
    paged,
    plugin_settings,
    subtree_filter,
    visible_org,
    visible_orgs_clause,
    visible_record,
)
from plugins.two_new import coverage, service
from plugins.two_new.attributes import SECTOR
from plugins.two_new.models import (
    COVERAGE_LABELS,
    GROUP_KIND_LABELS,
    INSTRUCTOR_ROLE_LABELS,
    OWN,
    UNIT_KIND_LABELS,
    TwoNewGroup,
    TwoNewInstructor,
    TwoNewUnit,
)
from plugins.two_new.schemas import (
    TwoNewCoverageQuerySchema,
    TwoNewCoverageSchema,
    TwoNewGroupInputSchema,
    TwoNewGroupPatchSchema,
    TwoNewGroupQuerySchema,
    TwoNewGroupSchema,
    TwoNewInstructorInputSchema,
    TwoNewInstructorPatchSchema,
    TwoNewInstructorQuerySchema,
    TwoNewInstructorSchema,
    TwoNewUnitInputSchema,
    TwoNewUnitPatchSchema,
    TwoNewUnitQuerySchema,
    TwoNewUnitSchema,
)

bp = Blueprint("two_new", __name__, description="两新 register: units, instructors, "
               "new-employment groups and 两个覆盖 (organisation and work coverage).")


def _min_full() -> int:
    return plugin_settings(SECTOR)["branch_min_full_members"]


def _root_filter(org_id):
    """The subtree filter of a visible organisation (404 otherwise)."""
    return subtree_filter(visible_org(org_id).path)


# -- units -----------------------------------------------------------------------------------


def _unit_select(today: date):
    covering = aliased(Organization)
    label = coverage.coverage_case(covering, today)
    stmt = (
        select(TwoNewUnit, Organization.name, covering.name, TwoNewInstructor.person_name,
               label.label("coverage"))
        .select_from(TwoNewUnit)
        .join(Organization, Organization.id == TwoNewUnit.org_id)
        .outerjoin(covering, covering.id == TwoNewUnit.covered_by_org_id)
        .outerjoin(TwoNewInstructor, TwoNewInstructor.id == TwoNewUnit.instructor_id)
        .where(visible_orgs_clause())
    )
    return stmt, label


def _present_unit(row, min_full: int, today: date) -> dict:
    unit, org_name, covered_by_name, instructor_name, label = row
    values = {key: getattr(unit, key) for key in TwoNewUnitSchema().fields if hasattr(TwoNewUnit, key)}
    registered = unit.closed_on is None or unit.closed_on > today
    values.update(
        org_name=org_name, covered_by_name=covered_by_name, instructor_name=instructor_name,
        kind_label=UNIT_KIND_LABELS.get(unit.kind, unit.kind), coverage=label,
        coverage_label=COVERAGE_LABELS[label],
        should_form_own=registered and unit.full_members >= min_full and label != OWN,
    )
    return values


def _unit_view(unit: TwoNewUnit) -> dict:
    today = date.today()
    stmt, _ = _unit_select(today)
    return _present_unit(db.session.execute(stmt.where(TwoNewUnit.id == unit.id)).one(),
                         _min_full(), today)


def _unit(unit_id, role: str = "member") -> tuple[TwoNewUnit, Organization]:
    return visible_record(TwoNewUnit, unit_id, "unit", role)


@bp.route("/units", methods=["GET"])
@login_required
@bp.arguments(TwoNewUnitQuerySchema, location="query")
@bp.response(200, TwoNewUnitSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_units(filters, pagination_parameters):
    """Registered units of the organisations the user sees, by name: ``org`` (the
    supervising organisation and its subtree), ``kind``, ``coverage`` (own, joint,
    instructor, none), ``should_form`` (应建尽建), ``include_closed``."""
    today = date.today()
    min_full = _min_full()
    stmt, label = _unit_select(today)
    if filters["org"] is not None:
        stmt = stmt.where(_root_filter(filters["org"]))
    if not filters["include_closed"]:
        stmt = stmt.where(coverage.registered_on(today))
    if filters["kind"] is not None:
        stmt = stmt.where(TwoNewUnit.kind == filters["kind"])
    if filters["coverage"] is not None:
        stmt = stmt.where(label == filters["coverage"])
    if filters["should_form"] is not None:
        flagged = (TwoNewUnit.full_members >= min_full) & (label != OWN)
        stmt = stmt.where(flagged if filters["should_form"] else ~flagged)
    rows = paged(stmt.order_by(TwoNewUnit.name, TwoNewUnit.id), pagination_parameters)
    return [_present_unit(row, min_full, today) for row in rows]


@bp.route("/units", methods=["POST"])
@login_required
@bp.arguments(TwoNewUnitInputSchema)
@bp.response(201, TwoNewUnitSchema)
def create_unit(data):
    """Register a unit under its supervising organisation (``org_manager`` there). Give
    ``covered_by_org_id`` when it has its own or a joint Party organisation, ``instructor_id``
    when an instructor is sent to it; ``full_members`` defaults to ``party_members``."""
    org = visible_org(data.pop("org_id"), role="org_manager")
    unit = service.create_unit(org, data)
    db.session.commit()
    return _unit_view(unit)


@bp.route("/units/<unit_id>", methods=["GET"])
@login_required
@bp.response(200, TwoNewUnitSchema)
def get_unit(unit_id):
    """One unit with its coverage."""
    unit, _ = _unit(unit_id)
    return _unit_view(unit)


@bp.route("/units/<unit_id>", methods=["PATCH"])
@login_required
@bp.arguments(TwoNewUnitPatchSchema)
@bp.response(200, TwoNewUnitSchema)
def update_unit(data, unit_id):
    """Correct a unit (new figures after a survey, a new organisation or instructor, its
    closing day); only what is sent changes."""
    unit, org = _unit(unit_id, role="org_manager")
    service.update_unit(unit, org, expect_version(unit, data, "unit"))
    db.session.commit()
    return _unit_view(unit)


@bp.route("/units/<unit_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_unit(unit_id):
    """Remove a unit registered by mistake (set ``closed_on`` for one that closed)."""
    unit, _ = _unit(unit_id, role="org_manager")
    service.delete_unit(unit)
    db.session.commit()


# -- instructors -------------------------------------------------------------------------------


def _visible_member(data: dict) -> None:
    """An instructor's ``member_id`` must be a member the user sees: anything else is refused
    as unknown (422), whether it exists or not."""
    member_id = data.get("member_id")
    if member_id is None:
        return
    org = db.session.scalar(select(Organization).join(Member, Member.org_id == Organization.id)
                            .where(Member.id == member_id))
    if org is None or not has_role("member", org):
        abort(422, "member_id: Unknown member.", {"member_id": ["Unknown member."]})


def _in_post_condition(today: date):
    return (TwoNewInstructor.started_on <= today) & or_(
        TwoNewInstructor.ended_on.is_(None), TwoNewInstructor.ended_on > today)


def _instructor_select():
    serving = (
        select(func.count()).select_from(TwoNewUnit)
        .where(TwoNewUnit.instructor_id == TwoNewInstructor.id)
        .correlate(TwoNewInstructor).scalar_subquery()
    )
    return (
        select(TwoNewInstructor, Organization.name, serving)
        .join(Organization, Organization.id == TwoNewInstructor.org_id)
        .where(visible_orgs_clause())
    )


def _present_instructor(row, today: date) -> dict:
    instructor, org_name, units = row
    values = {key: getattr(instructor, key) for key in TwoNewInstructorSchema().fields
              if hasattr(TwoNewInstructor, key)}
    values.update(org_name=org_name, units=units,
                  role_label=INSTRUCTOR_ROLE_LABELS.get(instructor.role, instructor.role),
                  in_post=coverage.in_post(instructor.started_on, instructor.ended_on, today))
    return values


def _instructor_view(instructor: TwoNewInstructor) -> dict:
    row = db.session.execute(_instructor_select().where(TwoNewInstructor.id == instructor.id)).one()
    return _present_instructor(row, date.today())


def _instructor(instructor_id, role: str = "member") -> tuple[TwoNewInstructor, Organization]:
    return visible_record(TwoNewInstructor, instructor_id, "instructor", role)


@bp.route("/instructors", methods=["GET"])
@login_required
@bp.arguments(TwoNewInstructorQuerySchema, location="query")
@bp.response(200, TwoNewInstructorSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_instructors(filters, pagination_parameters):
    """Instructors and first secretaries sent by the organisations the user sees: ``org``
    (with its subtree), ``role``, ``in_post`` (today)."""
    today = date.today()
    stmt = _instructor_select()
    if filters["org"] is not None:
        stmt = stmt.where(_root_filter(filters["org"]))
    if filters["role"] is not None:
        stmt = stmt.where(TwoNewInstructor.role == filters["role"])
    if filters["in_post"] is not None:
        condition = _in_post_condition(today)
        stmt = stmt.where(condition if filters["in_post"] else ~condition)
    rows = paged(stmt.order_by(TwoNewInstructor.started_on.desc(), TwoNewInstructor.person_name,
                               TwoNewInstructor.id), pagination_parameters)
    return [_present_instructor(row, today) for row in rows]


@bp.route("/instructors", methods=["POST"])
@login_required
@bp.arguments(TwoNewInstructorInputSchema)
@bp.response(201, TwoNewInstructorSchema)
def create_instructor(data):
    """Record a 党建指导员 or 第一书记 sent by ``org_id`` (``org_manager`` there); a register
    member (``member_id``) or a name; assign them to units with the units' ``instructor_id``."""
    org = visible_org(data.pop("org_id"), role="org_manager")
    _visible_member(data)
    row = service.create_instructor(org, data)
    db.session.commit()
    return _instructor_view(row)


@bp.route("/instructors/<instructor_id>", methods=["GET"])
@login_required
@bp.response(200, TwoNewInstructorSchema)
def get_instructor(instructor_id):
    """One instructor, with the number of units naming them."""
    row, _ = _instructor(instructor_id)
    return _instructor_view(row)


@bp.route("/instructors/<instructor_id>", methods=["PATCH"])
@login_required
@bp.arguments(TwoNewInstructorPatchSchema)
@bp.response(200, TwoNewInstructorSchema)
def update_instructor(data, instructor_id):
    """Correct an instructor's record, or end the stationing (``ended_on``, ``end_reason``);
    then assign a successor to their units."""
    row, _ = _instructor(instructor_id, role="org_manager")
    _visible_member(data)
    service.update_instructor(row, expect_version(row, data, "instructor"))
    db.session.commit()
    return _instructor_view(row)


@bp.route("/instructors/<instructor_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_instructor(instructor_id):
    """Remove an instructor recorded by mistake (409 while units name them)."""
    row, _ = _instructor(instructor_id, role="org_manager")
    service.delete_instructor(row)
    db.session.commit()


# -- groups ------------------------------------------------------------------------------------


def _group_select():
    covering = aliased(Organization)
    return (
        select(TwoNewGroup, Organization.name, covering.name, covering.status, covering.sector,
               covering.kind, covering.attributes)
        .join(Organization, Organization.id == TwoNewGroup.org_id)
        .outerjoin(covering, covering.id == TwoNewGroup.covering_org_id)
        .where(visible_orgs_clause())
    )


def _present_group(row) -> dict:
    group, org_name, covering_name, status, sector, kind, attributes = row
    values = {key: getattr(group, key) for key in TwoNewGroupSchema().fields if hasattr(TwoNewGroup, key)}
    values.update(org_name=org_name, covering_name=covering_name,
                  kind_label=GROUP_KIND_LABELS.get(group.kind, group.kind),
                  covered=coverage.group_covered(group.kind, status, sector, kind, attributes))
    return values


def _group_view(group: TwoNewGroup) -> dict:
    return _present_group(db.session.execute(_group_select().where(TwoNewGroup.id == group.id)).one())


def _group(group_id, role: str = "member") -> tuple[TwoNewGroup, Organization]:
    return visible_record(TwoNewGroup, group_id, "group", role)


@bp.route("/groups", methods=["GET"])
@login_required
@bp.arguments(TwoNewGroupQuerySchema, location="query")
@bp.response(200, TwoNewGroupSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_groups(filters, pagination_parameters):
    """New-employment groups of the organisations the user sees: ``org`` (with its
    subtree), ``kind``, ``covered`` (by an active comprehensive committee)."""
    stmt = _group_select()
    if filters["org"] is not None:
        stmt = stmt.where(_root_filter(filters["org"]))
    if filters["kind"] is not None:
        stmt = stmt.where(TwoNewGroup.kind == filters["kind"])
    stmt = stmt.order_by(TwoNewGroup.name, TwoNewGroup.id)
    if filters["covered"] is None:
        return [_present_group(row) for row in paged(stmt, pagination_parameters)]
    # Coverage reads the committee's JSON attributes: filtered here, then paged.
    shown = [g for g in (_present_group(row) for row in db.session.execute(stmt))
             if g["covered"] == filters["covered"]]
    pagination_parameters.item_count = len(shown)
    first = pagination_parameters.first_item
    return shown[first:first + pagination_parameters.page_size]


@bp.route("/groups", methods=["POST"])
@login_required
@bp.arguments(TwoNewGroupInputSchema)
@bp.response(201, TwoNewGroupSchema)
def create_group(data):
    """Register a new-employment group (``org_manager`` on ``org_id``); ``covering_org_id``
    is the comprehensive committee (综合党委) covering it."""
    org = visible_org(data.pop("org_id"), role="org_manager")
    group = service.create_group(org, data)
    db.session.commit()
    return _group_view(group)


@bp.route("/groups/<group_id>", methods=["GET"])
@login_required
@bp.response(200, TwoNewGroupSchema)
def get_group(group_id):
    """One new-employment group."""
    group, _ = _group(group_id)
    return _group_view(group)


@bp.route("/groups/<group_id>", methods=["PATCH"])
@login_required
@bp.arguments(TwoNewGroupPatchSchema)
@bp.response(200, TwoNewGroupSchema)
def update_group(data, group_id):
    """Correct a group (new figures, a covering committee); only what is sent changes."""
    group, org = _group(group_id, role="org_manager")
    service.update_group(group, org, expect_version(group, data, "group"))
    db.session.commit()
    return _group_view(group)


@bp.route("/groups/<group_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_group(group_id):
    """Remove a group registered by mistake."""
    group, _ = _group(group_id, role="org_manager")
    service.delete_group(group)
    db.session.commit()


# -- coverage ----------------------------------------------------------------------------------


@bp.route("/coverage", methods=["GET"])
@login_required
@bp.arguments(TwoNewCoverageQuerySchema, location="query")
@bp.response(200, TwoNewCoverageSchema)
def get_coverage(filters):
    """两个覆盖 of ``org``'s subtree today: units by coverage, the organisation coverage rate
    (units with members covered as 应建尽建 asks), the work coverage rate (units covered by
    an organisation or an instructor), the 应建尽建 and uncovered units, the new-employment
    groups and the instructors in post."""
    root = visible_org(filters["org"])
    return coverage.summary(root, date.today(), _min_full())
