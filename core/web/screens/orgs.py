"""The organisation tree browser (with a search by name or code) and an organisation's page:
its record with the sector attributes explained, the units it serves, its term and
committee, recent meetings, the month's dues, open warnings and its latest published score.

Links to other screen groups (the score's explanation ``web.cycle_result``, daily work
``web.work``) appear only when those views are registered, so the page never points at a
screen that is not installed.
"""

from __future__ import annotations

import re
from datetime import date

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from core.auth.permissions import has_role, visible_org, visible_orgs_clause
from core.life.models import KIND_LABELS as MEETING_KINDS
from core.orgs import attributes, posts, stats, terms, tree, units
from core.orgs import service as orgs_service
from core.orgs.models import Organization
from core.web import figures
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.scope import root_for_request

POSTS = {
    "secretary": _l("Secretary"), "deputy_secretary": _l("Deputy secretary"),
    "organisation_member": _l("Committee member for organisation"),
    "propaganda_member": _l("Committee member for publicity"),
    "discipline_member": _l("Committee member for discipline"),
    "committee_member": _l("Committee member"),
}
UNIT_TYPES = {
    "village": _l("Village"), "community": _l("Community"), "enterprise": _l("Enterprise"),
    "social_organisation": _l("Social organisation"), "government_organ": _l("Government organ"),
    "soe": _l("State-owned enterprise"), "school": _l("School"),
    "public_institution": _l("Public institution"), "other": _l("Other unit"),
}
UNIT_RELATIONS = {"same_as_parent": _l("Same unit as the parent organisation"),
                  "legal_entity": _l("A legal entity"), "joint": _l("Joint branch of several units")}
# "户数 (households)", "村级党组织: true for …" → the short name before the explanation.
_SHORT = re.compile(r"\s*[(（:：]")


def _value(value):
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return "—" if value is None or value == "" else value


def described(schemas, stored: dict) -> list[dict]:
    """``stored`` attributes in their schemas' order, each with the short name and the whole
    description its plugin gives (``metadata["description"]``) and a readable value."""
    rows, seen = [], set()
    for schema in schemas:
        for name, field in schema.fields.items():
            key = field.data_key or name
            if key in seen or key not in stored:
                continue
            seen.add(key)
            description = field.metadata.get("description") or key
            rows.append({"key": key, "label": _SHORT.split(description, maxsplit=1)[0] or key,
                         "description": description, "value": _value(stored[key])})
    return rows


# -- the tree ----------------------------------------------------------------------------------


@bp.route("/orgs")
@page
def org_tree():
    """The tree below the chosen organisation, three levels at a time, with member counts;
    ``?q=`` searches the organisations the user sees by name or code (paged)."""
    query = (request.args.get("q") or "").strip()[:100]
    if query:
        found = paginate(
            select(Organization).where(
                visible_orgs_clause(), Organization.status == "active",
                or_(Organization.name.contains(query, autoescape=True),
                    Organization.code.startswith(query, autoescape=True)))
            .order_by(Organization.depth, Organization.code))
        return render_template("web/org_tree.html", root=None, nodes=None, query=query, found=found)
    root = root_for_request()
    # two levels at a time: a city root shows its counties and their committees (hundreds of
    # rows), each with a link further down — never the whole tree of thousands at once
    nodes = tree.nested(root, max_depth=2) if root is not None else None
    return render_template("web/org_tree.html", root=root, nodes=nodes, query="", found=None)


# -- one organisation --------------------------------------------------------------------------


def _units(org: Organization) -> list[dict]:
    return [
        {"unit": unit, "type": UNIT_TYPES.get(unit.unit_type, unit.unit_type),
         "attributes": described(attributes.unit_schemas_for(org.sector, unit.unit_type),
                                 attributes.visible_unit(unit, org.sector))}
        for unit in units.units_of(org)
    ]


def _links(org: Organization, latest) -> dict:
    registered = current_app.view_functions
    links = {}
    if latest is not None and "web.cycle_result" in registered:
        links["score"] = ("web.cycle_result", {"cycle_id": latest[0].id, "org_id": org.id})
    if "web.work" in registered and has_role("branch_secretary", org):
        links["work"] = ("web.work", {"org": org.id})
    if has_role("branch_secretary"):
        links["warnings"] = ("web.warning_list", {"org": org.id})
        links["problems"] = ("web.problem_list", {"org": org.id})
    return links


@bp.route("/orgs/<org_id>")
@page
def org_page(org_id):
    org = visible_org(org_id)
    today = date.today()
    latest = figures.latest_result(org)
    warnings, warning_count = figures.open_warnings(org, visible_orgs_clause())
    parent = orgs_service.get(org.parent_id) if org.parent_id is not None else None
    if parent is not None and not has_role("member", parent):
        parent = None  # a user whose grant starts here sees no link upwards
    return render_template(
        "web/org_page.html", org=org, parent=parent, figures=stats.subtree_stats(org, today),
        term_ends_on=terms.term_ends_on(org), term_years=terms.effective_term_years(org),
        attributes=described(attributes.schemas_for(org.sector, org.kind), attributes.visible(org)),
        units=_units(org), posts=[(POSTS.get(row.post, row.post), row, name) for row, name in posts.posts_of(org)],
        meetings=figures.recent_meetings(org), meeting_kinds=MEETING_KINDS,
        dues=figures.dues_of_month(org, today), warnings=warnings, warning_count=warning_count,
        latest=latest, links=_links(org, latest), unit_relations=UNIT_RELATIONS,
    )
