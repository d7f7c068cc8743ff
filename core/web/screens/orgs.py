"""The organisation tree browser and an organisation's page."""

from __future__ import annotations

from flask import render_template

from core.auth.permissions import visible_org
from core.orgs import stats, terms, tree
from core.web.blueprint import bp, page
from core.web.scope import root_for_request


@bp.route("/orgs")
@page
def org_tree():
    """The tree below the chosen organisation, three levels at a time, with member counts."""
    root = root_for_request()
    nodes = tree.nested(root, max_depth=3) if root is not None else None
    return render_template("web/org_tree.html", root=root, nodes=nodes)


@bp.route("/orgs/<org_id>")
@page
def org_page(org_id):
    org = visible_org(org_id)
    return render_template(
        "web/org_page.html", org=org, figures=stats.subtree_stats(org),
        term_ends_on=terms.term_ends_on(org), term_years=terms.effective_term_years(org),
    )
