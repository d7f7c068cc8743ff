"""The exports (导出): the members and the organisations of what the user sees, as .xlsx.

The same as ``GET /api/v1/exports/members`` and ``/orgs``: any logged-in user, limited to
the organisations they see (``visible_orgs_clause``) inside the chosen organisation's
subtree (404 for one they do not see); ID number, phone and address masked unless the user
may see them in full (:func:`core.members.masking.can_see_personal`). The workbook is
streamed from the database into a temporary file (:mod:`core.excel.exporter`), so a subtree
of 100,000 members does not sit in memory; answered at once, no job.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.auth.permissions import has_role, visible_org, visible_orgs_clause
from core.db import db
from core.excel import exporter
from core.excel.importer import IMPORT_ROLE
from core.members.masking import can_see_personal
from core.orgs.models import Organization
from core.web.blueprint import bp, page
from core.web.screens.imports.forms import ExportForm, MemberExportForm
from core.web.screens.imports.upload import send_xlsx

CHOICE_LEVELS = 3  # levels below the user's highest organisation offered in the list
CHOICE_MAX = 500


def _choices() -> list[tuple[str, str]]:
    """The visible active organisations of the upper levels, indented, in tree order
    (bounded: a city has thousands of branches; a deeper one is exported by its link)."""
    visible = visible_orgs_clause()
    top = db.session.scalar(select(func.min(Organization.depth)).where(visible))
    choices = [("", _("Everything I can see"))]
    if top is None:
        return choices
    rows = db.session.execute(
        select(Organization.id, Organization.code, Organization.name, Organization.depth)
        .where(visible, Organization.status == "active", Organization.depth < top + CHOICE_LEVELS)
        .order_by(Organization.path).limit(CHOICE_MAX)
    )
    for org_id, code, name, depth in rows:
        choices.append((str(org_id), f"{'　' * (depth - top)}{name}（{code}）"))
    return choices


def _read(cls):
    """The form from the query string and its organisation: 404 when the user does not see
    it, None for everything the user sees."""
    form = cls(formdata=request.args)
    chosen = form.org.data
    return form, (visible_org(chosen) if chosen else None)


@bp.route("/exports")
@page
def exports():
    """The two export forms (GET: a download changes nothing), for ``?org=`` if given."""
    (members, root), orgs = _read(MemberExportForm), ExportForm(formdata=request.args)
    choices = _choices()
    if root is not None and str(root.id) not in {value for value, _label in choices}:
        choices.append((str(root.id), f"{root.name}（{root.code}）"))
    members.org.choices = orgs.org.choices = choices
    orgs.org.id = orgs.org.label.field_id = "orgs-org"  # two forms on one page: distinct ids
    return render_template("web/exports.html", members=members, orgs=orgs, root=root,
                           has_import=has_role(IMPORT_ROLE))


@bp.route("/exports/members.xlsx")
@page
def export_members():
    form, root = _read(MemberExportForm)
    visible = visible_orgs_clause()
    return send_xlsx(
        lambda out: exporter.write_members(out, root, visible=visible, full_view=can_see_personal,
                                           include_former=bool(form.include_former.data)),
        exporter.export_name("members", root),
    )


@bp.route("/exports/orgs.xlsx")
@page
def export_orgs():
    _form, root = _read(ExportForm)
    visible = visible_orgs_clause()
    return send_xlsx(lambda out: exporter.write_orgs(out, root, visible=visible),
                     exporter.export_name("orgs", root))
