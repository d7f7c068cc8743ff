"""The yearly-work hub (年度工作): the work an organisation department runs once a year or
over the year — secretaries' reviews (述职评议), brands and model sites, pairing (双联结对),
member archives (党员档案) and Party statistics — one entry each, for the subtree the user sees.

An entry is shown only when its screen group is installed (its endpoint registered) and the
user holds its least role somewhere; each page then checks its own rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from core.auth.permissions import has_role
from core.web.blueprint import bp, page
from core.web.scope import root_for_request


@dataclass(frozen=True)
class Entry:
    endpoint: str
    title: object  # lazy translations
    summary: object
    role: str = "member"


ENTRIES = (
    Entry("web.review_list", _l("Secretaries' reviews"),
          _l("Each secretary's yearly report on their commitments and the assigned tasks, "
             "the ratings and the grade.")),
    Entry("web.brand_list", _l("Brands and model sites"),
          _l("The brand library, model site applications and re-reviews, and brand coverage.")),
    Entry("web.pairing_list", _l("Pairing"),
          _l("Organs, SOEs and enterprises paired with villages and communities: tasks, joint "
             "activities and idle pairings."), "branch_secretary"),
    Entry("web.member_archive_overview", _l("Member archives"),
          _l("How complete the members' and applicants' archives are, stage by stage, and "
             "what each incomplete one misses."), "branch_secretary"),
    Entry("web.statistics", _l("Party statistics"),
          _l("The half-year and annual statistics tables, each figure down to its records, "
             "and the .xlsx export.")),
)


@bp.route("/yearly")
@page
def yearly():
    registered = current_app.view_functions
    entries = [e for e in ENTRIES if e.endpoint in registered and has_role(e.role)]
    return render_template("web/yearly.html", entries=entries, root=root_for_request())
