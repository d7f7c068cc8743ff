"""The dashboard (工作台) of a subtree: members and organisations, 队伍结构, open warnings
by rule and the star distribution of the latest published rating — aggregate queries only,
charts drawn as inline SVG (no script, no outside host)."""

from __future__ import annotations

from flask import render_template

from core.assessment import cycles
from core.auth.permissions import visible_orgs_clause
from core.orgs import stats
from core.warnings import service as warnings
from core.web.blueprint import bp, page
from core.web.scope import root_for_request


@bp.route("/")
@page
def dashboard():
    root = root_for_request()
    if root is None:
        return render_template("web/dashboard.html", root=None)
    visible = visible_orgs_clause()
    figures = stats.subtree_stats(root)
    cycle = cycles.newest_published()
    return render_template(
        "web/dashboard.html",
        root=root,
        members=figures["members"],
        organizations=figures["organizations"],
        warnings=warnings.open_by_rule(root.path, visible)[:10],
        cycle=cycle,
        stars=cycles.star_counts(cycle, root.path, visible) if cycle is not None else None,
    )
