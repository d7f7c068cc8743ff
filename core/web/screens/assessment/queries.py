"""Read queries of the assessment screens, and the API's visibility rules they rely on.

Who sees a cycle, a result or may act on them is the cycles API's decision
(:mod:`core.assessment.api.cycles`); the helpers here call those same functions instead of
restating the rules. Lists are paged in SQL, counts are GROUP BYs over the page's cycles.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from core.assessment.api import cycles as cycles_api
from core.assessment.models.cycles import PUBLISHED, Cycle, OrgResult
from core.auth.permissions import has_role, visible_orgs_clause
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.web.paging import Page

ASSESSOR = cycles_api.ASSESSOR
GROUP_KINDS = ("committee", "general_branch")
CHOICES_LIMIT = 500


def visible_cycle(cycle_id) -> tuple[Cycle, Organization, bool]:
    """``(cycle, root, assessor)``; 404 when the user does not see the cycle (the API's rule)."""
    return cycles_api.visible_cycle(cycle_id)


def assessable_cycle(cycle_id) -> Cycle:
    """The cycle if the user may act on it: 404 unseen, 403 seen without the role."""
    return cycles_api.assessable_cycle(cycle_id)


def present(cycle: Cycle, root: Organization, assessor: bool) -> dict:
    """The cycle as ``GET /api/v1/cycles/<id>`` shows it (standards, state name …)."""
    return cycles_api.present_cycle(cycle, root, assessor)


def result_detail(cycle: Cycle, assessor: bool, org_id) -> dict:
    """One organisation's result as ``GET …/results/<org_id>`` shows it; 404 when unseen."""
    return cycles_api.result_detail(cycle, assessor, org_id)


def visible_cycles(number: int, per_page: int) -> Page:
    """The cycles the user sees — as assessor, or published over part of what they see —
    latest period first (as ``GET /api/v1/cycles``). A tenant has a few cycles a year, so
    they are filtered on the roles in Python and then paged."""
    root = aliased(Organization)
    seen = exists().where(Organization.path.startswith(root.path), visible_orgs_clause())
    rows = db.session.execute(
        select(Cycle, root, seen.label("seen")).join(root, root.id == Cycle.root_org_id)
        .order_by(Cycle.ends_on.desc(), Cycle.created_at.desc(), Cycle.id)
    )
    visible = []
    for cycle, root_org, sees in rows:
        assessor = has_role(ASSESSOR, root_org)
        if assessor or (cycle.state == PUBLISHED and sees):
            visible.append((cycle, root_org, assessor))
    pages = max(1, -(-len(visible) // per_page))
    number = min(max(number, 1), pages)
    first = (number - 1) * per_page
    return Page(items=visible[first:first + per_page], number=number, per_page=per_page,
                total=len(visible))


def star_counts(cycle_ids, scoped_ids=frozenset()) -> dict:
    """``{cycle_id: {"orgs": n, 5: n, …, 1: n}}``: one GROUP BY for the cycles the user
    assesses, one more for those (``scoped_ids``) where they see only part of the results."""
    counts: dict = defaultdict(lambda: {"orgs": 0, **{s: 0 for s in range(1, 6)}})
    whole = [c for c in cycle_ids if c not in scoped_ids]
    for ids, conditions in ((whole, []), (list(scoped_ids), [visible_orgs_clause()])):
        if not ids:
            continue
        rows = db.session.execute(
            select(OrgResult.cycle_id, OrgResult.stars, func.count())
            .join(Organization, Organization.id == OrgResult.org_id)
            .where(OrgResult.cycle_id.in_(ids), *conditions)
            .group_by(OrgResult.cycle_id, OrgResult.stars)
        )
        for cycle_id, stars, n in rows:
            counts[cycle_id]["orgs"] += n
            counts[cycle_id][int(stars)] += n
    return counts


def result_conditions(cycle: Cycle, assessor: bool, under: Organization | None = None,
                      stars: int | None = None) -> list:
    """The WHERE of a cycle's results list: the API's scope and filters."""
    conditions = [OrgResult.cycle_id == cycle.id, *([] if assessor else [visible_orgs_clause()])]
    if under is not None:
        conditions.append(orgs.subtree_filter(under.path))
    if stars is not None:
        conditions.append(OrgResult.stars == stars)
    return conditions


def results_select(conditions: list):
    """Rows ``(OrgResult, Organization)`` best score first, then code (as the API orders)."""
    return (
        select(OrgResult, Organization)
        .join(Organization, Organization.id == OrgResult.org_id)
        .where(*conditions)
        .order_by(OrgResult.score.desc(), Organization.code, OrgResult.org_id)
    )


def group_choices(root: Organization, assessor: bool) -> list[Organization]:
    """Organisations with others below them in the cycle's subtree (for the subtree
    filter): committees and general branches the user sees, highest first."""
    conditions = [orgs.subtree_filter(root.path), Organization.status == "active",
                  Organization.kind.in_(GROUP_KINDS)]
    if not assessor:
        conditions.append(visible_orgs_clause())
    return list(db.session.scalars(
        select(Organization).where(*conditions)
        .order_by(Organization.depth, Organization.code).limit(CHOICES_LIMIT)
    ))


def assessable_roots() -> list[Organization]:
    """Where the user may open a cycle: the committees and general branches (and their own
    granted organisations) on which they hold ``org_manager`` or more, highest first."""
    candidates = db.session.scalars(
        select(Organization)
        .where(visible_orgs_clause(), Organization.status == "active",
               Organization.kind.in_(GROUP_KINDS))
        .order_by(Organization.depth, Organization.code).limit(CHOICES_LIMIT)
    )
    return [org for org in candidates if has_role(ASSESSOR, org)]


def standard_names(cycle_ids) -> dict:
    """``{cycle_id: ["name v2", …]}`` of the standards frozen for the cycles (one query)."""
    from core.assessment.models.cycles import CycleStandard
    from core.assessment.models.standards import Standard, StandardVersion

    names: dict = defaultdict(list)
    if not cycle_ids:
        return names
    rows = db.session.execute(
        select(CycleStandard.cycle_id, Standard.name, StandardVersion.number)
        .join(Standard, Standard.id == CycleStandard.standard_id)
        .join(StandardVersion, StandardVersion.id == CycleStandard.version_id)
        .where(CycleStandard.cycle_id.in_(list(cycle_ids)))
        .order_by(Standard.name, Standard.id)
    )
    for cycle_id, name, number in rows:
        names[cycle_id].append((name, number))
    return names
