"""系统管理: the tenant administrator's hub, one card per configuration screen with a short
summary of where it stands. A screen group that is not registered (yet) gets no card, so
the hub never links to a missing page.

:func:`admin_page` is the gate every admin screen uses: logged in (else the login form), and
a tenant administrator (else 403, like the API's ``roles_required("tenant_admin")``).
"""

from __future__ import annotations

import functools
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core.api.errors import abort
from core.auth.permissions import has_role
from core.db import db
from core.db.mixins import utcnow
from core.web.blueprint import bp, page

ROLE = "tenant_admin"


def admin_page(view):
    """A page for tenant administrators only: 403 for anyone else who is logged in."""

    @functools.wraps(view)
    def gate(*args, **kwargs):
        if not has_role(ROLE):
            abort(403, _l("This page is for tenant administrators."))
        return view(*args, **kwargs)

    return page(gate)


# (endpoint, title, what it is for); shown in this order when the endpoint exists.
SCREENS = (
    ("web.admin_plugins", _l("Plugins and settings"),
     _l("Which sector plugins this city uses, and their settings.")),
    ("web.admin_standards", _l("Standards and indicators"),
     _l("Weights and parameters of the indicators, with a preview of the scores.")),
    ("web.admin_stars", _l("Star thresholds"),
     _l("The scores for each star and the cap on five-star organisations.")),
    ("web.admin_warning_rules", _l("Warning rules"),
     _l("Which warnings are raised, and their thresholds.")),
    ("web.admin_point_rules", _l("Point rules"),
     _l("What members earn or lose points for.")),
    ("web.admin_partners", _l("Redemption partners"),
     _l("Merchants who accept points, their offers and keys.")),
    ("web.admin_users", _l("Users and roles"),
     _l("Accounts and the roles they hold on subtrees.")),
    ("web.admin_audit", _l("Audit log"),
     _l("Who changed what, and when.")),
)


def _summaries() -> dict[str, str]:
    """One line per screen of mine: a few aggregate queries, nothing per row."""
    from flask_babel import gettext as _

    from core.audit.models import AuditEntry
    from core.plugins import service as plugins
    from core.plugins.manager import installed_plugins
    from core.points import registry as point_rules
    from core.points.models import Partner
    from core.warnings import service as warnings

    rules = warnings.describe_rules()
    points = point_rules.tenant_rules().values()
    partners = db.session.execute(
        select(func.count(), func.count().filter(Partner.active.is_(True))).select_from(Partner)
    ).one()
    week = db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.at >= utcnow() - timedelta(days=7)))
    return {
        "web.admin_plugins": _("%(on)s of %(all)s plugins enabled",
                               on=len(plugins.enabled_plugins()), all=len(installed_plugins())),
        "web.admin_warning_rules": _("%(on)s of %(all)s rules on",
                                     on=sum(1 for r in rules if r["enabled"]), all=len(rules)),
        "web.admin_point_rules": _("%(on)s of %(all)s rules on",
                                   on=sum(1 for r in points if r.active), all=len(points)),
        "web.admin_partners": _("%(on)s of %(all)s partners active",
                                on=partners[1], all=partners[0]),
        "web.admin_audit": _("%(n)s changes in the last 7 days", n=week),
    }


@bp.route("/admin")
@admin_page
def admin():
    registered = current_app.view_functions
    summaries = _summaries()
    cards = [(endpoint, title, purpose, summaries.get(endpoint))
             for endpoint, title, purpose in SCREENS if endpoint in registered]
    return render_template("web/admin/hub.html", cards=cards)
