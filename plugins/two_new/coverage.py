"""两个覆盖: how each registered unit is covered, worked out set-based from the register.

A unit's coverage (:data:`plugins.two_new.models.COVERAGES`) is derived, never stored:

* ``own`` — ``covered_by_org_id`` names an active organisation that is not a joint one
  (its kind is not ``joint_branch`` and its 所在单位情况 is not 联合党支部);
* ``joint`` — it names an active joint branch (or an organisation recorded as 联合党支部);
* ``instructor`` — no organisation, but an instructor (党建指导员 / 第一书记) in post on the
  day: work coverage without organisation coverage;
* ``none`` — neither (a 空白点).

Organisation coverage (党的组织覆盖) is ``own`` or ``joint``; work coverage (党的工作覆盖) is
any of the first three. 应建尽建: a unit with ``branch_min_full_members`` (3) full members or
more should have its *own* organisation; one with fewer members may be covered jointly.

The label is one SQL ``CASE`` (:func:`coverage_case`), so the API filters and pages on it
and the checks read it. A unit counts from its registration until ``closed_on``. Every
reader here is one or two queries, whatever the number of organisations or units
(:func:`summary` three).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from core.sdk import Organization, OrgUnit, db, subtree_filter
from plugins.two_new.models import (
    INSTRUCTOR,
    JOINT,
    NONE,
    OWN,
    TwoNewGroup,
    TwoNewInstructor,
    TwoNewUnit,
)

NAMES_SHOWN = 5


@dataclass(frozen=True)
class UnitCoverage:
    """One unit as the checks see it."""

    id: uuid.UUID
    org_id: uuid.UUID  # supervising
    name: str
    credit_code: str | None
    party_members: int
    full_members: int
    covered_by_org_id: uuid.UUID | None
    instructor_id: uuid.UUID | None
    instructor_name: str | None
    instructor_ended_on: date | None
    coverage: str


def in_post(started_on: date | None, ended_on: date | None, as_of: date) -> bool:
    return started_on is not None and started_on <= as_of and (ended_on is None or ended_on > as_of)


def coverage_case(covering, as_of: date):
    """SQL: the coverage label of a unit row joined to its covering organisation
    (``covering``, an alias of ``Organization``) and its instructor."""
    active = covering.status == "active"
    return case(
        (and_(active, or_(covering.kind == "joint_branch", covering.unit_relation == "joint")), JOINT),
        (active, OWN),
        (and_(TwoNewInstructor.started_on <= as_of,
              or_(TwoNewInstructor.ended_on.is_(None), TwoNewInstructor.ended_on > as_of)), INSTRUCTOR),
        else_=NONE,
    )


def registered_on(as_of: date):
    """SQL condition: the unit is in the register on ``as_of`` (not closed by then)."""
    return or_(TwoNewUnit.closed_on.is_(None), TwoNewUnit.closed_on > as_of)


def _unit_select(as_of: date):
    """The registered units with what :class:`UnitCoverage` reads, the coverage label last."""
    covering = aliased(Organization)
    return (
        select(TwoNewUnit.id, TwoNewUnit.org_id, TwoNewUnit.name, TwoNewUnit.credit_code,
               TwoNewUnit.party_members, TwoNewUnit.full_members,
               TwoNewUnit.covered_by_org_id, TwoNewUnit.instructor_id,
               TwoNewInstructor.person_name, TwoNewInstructor.ended_on,
               coverage_case(covering, as_of).label("coverage"))
        .select_from(TwoNewUnit)
        .outerjoin(covering, covering.id == TwoNewUnit.covered_by_org_id)
        .outerjoin(TwoNewInstructor, TwoNewInstructor.id == TwoNewUnit.instructor_id)
        .where(registered_on(as_of))
    )


def _coverage(row) -> UnitCoverage:
    (unit_id, org_id, name, code, members, full, covered_by, instructor_id, instructor_name,
     ended, coverage) = row[:11]
    return UnitCoverage(
        id=unit_id, org_id=org_id, name=name, credit_code=code, party_members=members or 0,
        full_members=full or 0, covered_by_org_id=covered_by, instructor_id=instructor_id,
        instructor_name=instructor_name, instructor_ended_on=ended, coverage=coverage,
    )


def units(as_of: date, *conditions) -> list[UnitCoverage]:
    """Registered units (on ``as_of``) matching ``conditions``, with their coverage."""
    stmt = _unit_select(as_of).where(*conditions).order_by(TwoNewUnit.name, TwoNewUnit.id)
    return [_coverage(row) for row in db.session.execute(stmt)]


def units_under(orgs, as_of: date) -> dict[uuid.UUID, list[UnitCoverage]]:
    """``{org_id: [units]}`` for every organisation of ``orgs`` (a SELECT of ids): the
    registered units whose supervising organisation is the organisation itself or below it
    (a city committee sees its districts' registers). One query: the organisations joined
    to the supervising organisations by materialised path."""
    measured = aliased(Organization)
    supervising = aliased(Organization)
    stmt = (
        _unit_select(as_of)
        .add_columns(measured.id)
        .join(supervising, supervising.id == TwoNewUnit.org_id)
        # Paths are '/'-separated hex ids: no LIKE wildcard can occur in them.
        .join(measured, supervising.path.startswith(measured.path))
        .where(measured.id.in_(orgs))
    )
    found: dict[uuid.UUID, list[UnitCoverage]] = defaultdict(list)
    for row in db.session.execute(stmt):
        found[row[-1]].append(_coverage(row))
    return found


def should_form_own(unit: UnitCoverage, min_full_members: int) -> bool:
    """应建尽建: enough full members for a branch of its own, and no organisation of its own."""
    return unit.full_members >= min_full_members and unit.coverage != OWN


def organisation_covered(unit: UnitCoverage, min_full_members: int) -> bool:
    """Is a unit with members covered as 应建尽建 asks: its own organisation, or a joint one
    while it has too few full members for its own."""
    return unit.coverage == OWN or (unit.coverage == JOINT and unit.full_members < min_full_members)


def work_covered(unit: UnitCoverage) -> bool:
    return unit.coverage != NONE


def covered_units(orgs, as_of: date) -> dict[uuid.UUID, list[str]]:
    """``{org_id: [unit names]}``: the distinct units each organisation of ``orgs`` (a
    SELECT of ids) covers — register units naming it as ``covered_by_org_id`` and core units
    (``OrgUnit``) it serves, one unit counted once when both hold it (same credit code, or
    the same name when a code is missing). Two queries."""
    register = db.session.execute(
        select(TwoNewUnit.covered_by_org_id, TwoNewUnit.name, TwoNewUnit.credit_code)
        .where(TwoNewUnit.covered_by_org_id.in_(orgs), registered_on(as_of))
    ).all()
    served = db.session.execute(
        select(OrgUnit.org_id, OrgUnit.name, OrgUnit.credit_code).where(OrgUnit.org_id.in_(orgs))
    ).all()
    seen: dict[uuid.UUID, dict[tuple, str]] = defaultdict(dict)
    for org_id, name, code in [*register, *served]:
        key = ("code", code) if code else ("name", name.strip())
        seen[org_id].setdefault(key, name)
    # A unit with a code in one table and none in the other is matched by name too.
    result = {}
    for org_id, keyed in seen.items():
        names_with_code = {name.strip() for (how, _), name in keyed.items() if how == "code"}
        result[org_id] = sorted(
            {name for (how, value), name in keyed.items()
             if how == "code" or value not in names_with_code}
        )
    return result


def group_rows(*conditions):
    """New-employment groups with their covering organisation's figures: ``(group,
    covering status, sector, kind, attributes)``; one query."""
    covering = aliased(Organization)
    stmt = (
        select(TwoNewGroup, covering.status, covering.sector, covering.kind, covering.attributes)
        .outerjoin(covering, covering.id == TwoNewGroup.covering_org_id)
        .where(*conditions)
        .order_by(TwoNewGroup.name, TwoNewGroup.id)
    )
    return db.session.execute(stmt).all()


def group_covered(kind: str, covering_status, covering_sector, covering_kind, attributes) -> bool:
    """Is a group covered: by an active comprehensive committee of the sector that, when it
    lists the groups it covers, lists this kind."""
    if covering_status != "active" or covering_sector != "two_new" or covering_kind != "committee":
        return False
    attributes = attributes or {}
    if not attributes.get("comprehensive"):
        return False
    listed = attributes.get("covers_groups") or []
    return not listed or kind in listed


def groups_under(orgs) -> dict[uuid.UUID, list[tuple]]:
    """``{org_id: [(group, covered)]}`` for the organisations of ``orgs`` and the groups
    registered at or below each of them; one query."""
    measured = aliased(Organization)
    supervising = aliased(Organization)
    covering = aliased(Organization)
    stmt = (
        select(measured.id, TwoNewGroup.name, TwoNewGroup.kind, TwoNewGroup.workers,
               covering.status, covering.sector, covering.kind, covering.attributes)
        .select_from(TwoNewGroup)
        .join(supervising, supervising.id == TwoNewGroup.org_id)
        .join(measured, and_(supervising.path.startswith(measured.path), measured.id.in_(orgs)))
        .outerjoin(covering, covering.id == TwoNewGroup.covering_org_id)
    )
    found: dict[uuid.UUID, list[tuple]] = defaultdict(list)
    for org_id, name, kind, workers, status, sector, covering_kind, attributes in db.session.execute(stmt):
        found[org_id].append(((name, kind, workers or 0),
                              group_covered(kind, status, sector, covering_kind, attributes)))
    return found


def names(items, shown: int = NAMES_SHOWN) -> str:
    """The first names of a list, with “等 N 个” when there are more."""
    items = list(items)
    head = "、".join(items[:shown])
    return head if len(items) <= shown else f"{head}等 {len(items)} 个"


def rate(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in %, two decimals; ``None`` when there is nothing to count."""
    return round(part * 100 / whole, 2) if whole else None


def summary(root: Organization, as_of: date, min_full_members: int) -> dict:
    """两个覆盖 of ``root``'s subtree on ``as_of``: the units by coverage, both rates, the
    应建尽建 and uncovered units, the new-employment groups and the instructors in post.
    Three queries."""
    under = select(Organization.id).where(subtree_filter(root.path))
    rows = units(as_of, TwoNewUnit.org_id.in_(under))
    by_coverage = {c: 0 for c in (OWN, JOINT, INSTRUCTOR, NONE)}
    for unit in rows:
        by_coverage[unit.coverage] += 1
    with_members = [u for u in rows if u.party_members > 0]
    org_covered = sum(1 for u in with_members if organisation_covered(u, min_full_members))
    work = sum(1 for u in rows if work_covered(u))
    groups = groups_under(select(Organization.id).where(Organization.id == root.id)).get(root.id, [])
    instructors = db.session.scalar(
        select(func.count()).select_from(TwoNewInstructor).where(
            TwoNewInstructor.org_id.in_(under), TwoNewInstructor.started_on <= as_of,
            or_(TwoNewInstructor.ended_on.is_(None), TwoNewInstructor.ended_on > as_of)))

    def named(unit: UnitCoverage) -> dict:
        return {"id": unit.id, "name": unit.name, "party_members": unit.party_members,
                "full_members": unit.full_members, "coverage": unit.coverage}

    return {
        "org_id": root.id, "as_of": as_of, "units": len(rows), "by_coverage": by_coverage,
        "with_members": len(with_members), "organisation_covered": org_covered,
        "organisation_coverage_rate": rate(org_covered, len(with_members)),
        "work_covered": work, "work_coverage_rate": rate(work, len(rows)),
        "should_form": [named(u) for u in rows if should_form_own(u, min_full_members)],
        "uncovered": [named(u) for u in rows if not work_covered(u)],
        "groups": len(groups), "groups_covered": sum(1 for _, ok in groups if ok),
        "group_workers": sum(g[2] for g, _ in groups),
        "group_workers_covered": sum(g[2] for g, ok in groups if ok),
        "instructors_in_post": int(instructors or 0),
    }
