"""The 红黑榜 (通报): a public notice of the user's subtree, printable.

Two parts, each by the rules of its slice:

* the star rating — the latest published cycle the user sees part of (or the one chosen):
  four and five stars on the red list, two stars or fewer (and vetoes) on the black list
  (:func:`core.assessment.lists.red_black`);
* warnings — ``GET /api/v1/warnings/ranking``'s lists over the same period, branches by the
  weighted count of their warnings (:func:`core.warnings.ranking.ranking`).

Any logged-in user opens it and sees only the organisations they see.
"""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request

from core.assessment import lists
from core.auth.permissions import visible_orgs_clause
from core.warnings import ranking as warning_ranking
from core.web.blueprint import bp, page
from core.web.scope import root_for_request

LIMIT = 20
WARNINGS_LIMIT = 10


@bp.route("/ranking")
@page
def ranking():
    visible = visible_orgs_clause()
    root = root_for_request()
    path = root.path if root is not None else None
    published = lists.published_seen(visible)
    wanted = request.args.get("cycle")
    if wanted:
        cycle = next((c for c in published if str(c.id) == wanted), None)
        if cycle is None:
            abort(404)
    else:
        cycle = published[0] if published else None
    if cycle is not None:
        period = (cycle.starts_on, cycle.ends_on)
    else:
        today = date.today()
        period = (date(today.year, 1, 1), today)
    stars = lists.red_black(cycle, path, visible, LIMIT) if cycle is not None else None
    warnings = warning_ranking.ranking(path, visible, *period, kind="branch", limit=WARNINGS_LIMIT)
    return render_template("web/ranking.html", root=root, cycle=cycle, published=published,
                           stars=stars, warnings=warnings, period=period, limit=LIMIT)
