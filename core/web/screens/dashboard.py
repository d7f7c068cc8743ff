"""The dashboard (工作台) of a subtree: members and organisations by status and sector, the
队伍结构 (age, education, gender, 党龄), members admitted per year, open warnings by rule,
the star distribution of the latest published rating, the points leaders and overdue
problems.

Every figure is an aggregate query over the subtree (:mod:`core.orgs.stats`,
:mod:`core.web.figures` and the slices' own counts): the page makes the same, small number
of statements for a branch of ten members as for a county of 100,000. Charts are inline SVG
(``web/charts.html``): no script, no outside host.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from core.assessment import cycles
from core.auth.permissions import current_user, has_role, visible_orgs_clause
from core.members.labels import EDUCATION
from core.orgs import stats
from core.problems.models import STATUS_LABELS as PROBLEM_STATUS_LABELS
from core.tenancy import current_tenant_id
from core.warnings import service as warnings
from core.web import cache, figures
from core.web import labels as web_labels
from core.web.blueprint import bp, page
from core.web.scope import root_for_request

AGE_BANDS = {
    "30_and_under": _l("30 and under"), "31_35": _l("31 to 35"), "36_40": _l("36 to 40"),
    "41_45": _l("41 to 45"), "46_50": _l("46 to 50"), "51_55": _l("51 to 55"),
    "56_60": _l("56 to 60"), "61_70": _l("61 to 70"), "over_70": _l("Over 70"),
}
STANDING_BANDS = {
    "under_5": _l("Under 5 years"), "5_10": _l("5 to 10 years"), "10_20": _l("10 to 20 years"),
    "20_30": _l("20 to 30 years"), "30_40": _l("30 to 40 years"), "40_50": _l("40 to 50 years"),
    "50_and_over": _l("50 years and more"),
}
ORG_STATUSES = {"active": _l("Active"), "merged": _l("Merged"), "dissolved": _l("Dissolved")}
UNKNOWN = _l("Not recorded")
BEIJING = timezone(timedelta(hours=8))


def _rows(counts: dict, labels, keep_zero: bool = False) -> list[tuple[str, int]]:
    """``(label, n)`` pairs for a chart; ``labels`` is a dict of names or a function."""
    name = labels.get if isinstance(labels, dict) else labels
    return [(str(name(code) or UNKNOWN) if code != stats.UNKNOWN else str(UNKNOWN), n)
            for code, n in counts.items() if n or keep_zero]


def _sector_name(key: str) -> str:
    return str(web_labels.sector(key)) if key else str(UNKNOWN)


def _aggregates(root, today: date) -> dict:
    """The scans over the subtree's members, warnings and points: plain data, cacheable."""
    visible = visible_orgs_clause()
    subtree = stats.subtree_stats(root, today)
    members, organizations = subtree["members"], subtree["organizations"]
    return {
        "members": members,
        "organizations": organizations,
        "warnings": warnings.open_by_rule(root.path, visible),
        "leaders": figures.points_leaders(root, today.year),
        "charts": {
            "members_by_status": _rows(members["by_status"], web_labels.member_status),
            "members_by_sector": _rows(figures.members_by_sector(root), _sector_name),
            "orgs_by_status": _rows(organizations["by_status"], ORG_STATUSES),
            "orgs_by_sector": _rows(figures.orgs_by_sector(root), _sector_name),
            "orgs_by_kind": _rows(organizations["by_kind"], web_labels.kind),
            "gender": _rows(members["by_gender"], web_labels.gender),
            "age": _rows(members["by_age_band"], AGE_BANDS, keep_zero=True),
            "education": _rows(members["by_education"], EDUCATION.label),
            "standing": _rows(members["by_standing"], STANDING_BANDS, keep_zero=True),
            "admitted": figures.admitted_per_year(root, today),
        },
    }


def dashboard_figures(root, today: date | None = None, *, fresh: bool = False) -> dict:
    """Everything the dashboard shows of ``root``'s subtree (for the page and its tests).

    The member, warning and points aggregates come through :mod:`core.web.cache` (per user,
    organisation and day); the rating, problems and what links to records are read live."""
    today = today or date.today()
    visible = visible_orgs_clause()
    key = ("dashboard", current_tenant_id(), str(root.id), str(current_user().id), today.isoformat())
    aggregates, computed_at = cache.remember(key, lambda: _aggregates(root, today), fresh=fresh)
    cycle = cycles.newest_published()
    stars = cycles.star_counts(cycle, root.path, visible) if cycle is not None else None
    problems = figures.problem_counts(root, visible, today)
    charts = {
        **aggregates["charts"],
        "stars": [("★" * level, stars[level]) for level in (5, 4, 3, 2, 1)] if stars else [],
        "problems": _rows(problems["by_status"], PROBLEM_STATUS_LABELS),
    }
    return {
        **aggregates,
        "charts": charts,
        "computed_at": computed_at,
        "computed_time": computed_at.astimezone(BEIJING).strftime("%H:%M:%S"),
        "cycle": cycle,
        "stars": stars,
        "problems": problems,
        "overdue": figures.most_overdue(root, visible, today) if problems["overdue"] else [],
        "year": today.year,
    }


@bp.route("/")
@page
def dashboard():
    root = root_for_request()
    if root is None:
        return render_template("web/dashboard.html", root=None)
    return render_template("web/dashboard.html", root=root, sees_ledger=has_role("branch_secretary"),
                           **dashboard_figures(root, fresh=request.args.get("fresh") == "1"))
