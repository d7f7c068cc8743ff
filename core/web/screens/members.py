"""The member list (花名册) of a subtree and a member's page.

The list is one paged query and one count over the register's own search
(:func:`core.members.service.search`, the query the API lists with), reading only the
columns it shows — so a subtree of 100,000 members costs what a branch costs. The
organisation filter moves the list's root up and down the tree the user sees.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import Form, SelectField, StringField
from wtforms.validators import Length, Optional

from core.api.smorest import parse_id
from core.auth.permissions import has_role, visible_orgs_clause
from core.db import db
from core.members import service as members
from core.members.models import ACTIVE_STATUSES, GENDERS, STATUSES, Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.web import labels
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.scope import root_for_request
from core.web.screens import member_labels, member_reads

LIST_ROLE = "branch_secretary"
CURRENT = ""  # the status filter's default: members the register still counts
ANY = "any"
MAX_CHILDREN = 200


class FilterForm(Form):
    """The list's filters: a GET form, so no CSRF token (it changes nothing)."""

    q = StringField(_l("Name or pinyin initials"), validators=[Optional(), Length(max=50)])
    status = SelectField(_l("Status"), default=CURRENT, validate_choice=True)
    gender = SelectField(_l("Gender"), default="", validate_choice=True)
    org = SelectField(_l("Organisation (and below)"), validate_choice=True)


def _statuses(value: str):
    if value == CURRENT:
        return list(ACTIVE_STATUSES)
    return None if value == ANY else value


def _org_choices(root: Organization) -> list[tuple[str, str]]:
    """The root's visible ancestors (to go up), the root, and its organisations one level
    down (to go down; groups are left to their branch) — one query each way."""
    ancestors = [i for i in orgs.ancestor_ids(root) if i != root.id]
    up = db.session.scalars(
        select(Organization).where(Organization.id.in_(ancestors), visible_orgs_clause())
        .order_by(Organization.depth)
    ).all() if ancestors else []
    down = db.session.scalars(
        select(Organization).where(Organization.parent_id == root.id, Organization.kind != "group",
                                   visible_orgs_clause())
        .order_by(Organization.code).limit(MAX_CHILDREN)
    ).all()
    choices = [(str(o.id), "↑ " + o.name) for o in up]
    choices.append((str(root.id), root.name))
    choices += [(str(o.id), "　" + o.name) for o in down]
    return choices


@bp.route("/members")
@page
def member_list():
    """The members under the chosen organisation, filtered, a page at a time."""
    if not has_role(LIST_ROLE):
        abort(403)
    root = root_for_request()
    form = FilterForm(request.args)
    form.status.choices = [(CURRENT, _l("Current members")), (ANY, _l("All statuses"))] + [
        (code, labels.member_status(code)) for code in STATUSES]
    form.gender.choices = [("", _l("Either"))] + [(code, labels.gender(code)) for code in GENDERS]
    form.org.choices = _org_choices(root) if root is not None else []
    if root is not None and not form.org.data:
        form.org.data = str(root.id)
    if root is None:
        return render_template("web/member_list.html", root=None, form=form, result=None)
    if not form.validate():
        return render_template("web/member_list.html", root=root, form=form, result=None), 422
    statement = members.search(
        subtree_of=root, status=_statuses(form.status.data), gender=form.gender.data or None,
        q=form.q.data or None,
    ).with_only_columns(
        Member.id, Member.name, Member.gender, Member.status, Member.joined_on,
        Organization.id.label("org_id"), Organization.name.label("org_name"),
        maintain_column_froms=True,
    )
    result = paginate(statement, scalars=False)
    return render_template("web/member_list.html", root=root, form=form, result=result)


def visible_member(member_id) -> tuple[Member, Organization]:
    """The member and their organisation, or 404 for an unknown id, another tenant's and
    one outside the user's organisations — one answer for all, as the API gives."""
    parsed = parse_id(member_id)
    member = members.get_member(parsed) if parsed is not None else None
    org = orgs.get(member.org_id) if member is not None else None
    if member is None or org is None or not has_role("member", org):
        abort(404)
    return member, org


@bp.route("/members/<member_id>")
@page
def member_page(member_id):
    """A member's record, history, transfers, points, dues, development path and meetings."""
    member, org = visible_member(member_id)
    values, masked = member_reads.record(member, org)
    events, event_orgs = member_reads.history(member)
    arrears, payments = member_reads.dues_summary(member)
    return render_template(
        "web/member_page.html", member=member, org=org, values=values, masked=masked,
        events=events, event_orgs=event_orgs,
        letters=member_reads.transfer_letters(member, org),
        points=member_reads.points(member, org), arrears=arrears, payments=payments,
        path=member_reads.development_path(member), meetings=member_reads.meetings(member),
        may_card=has_role(member_reads.KEEPER_ROLE, org), names=member_labels,
    )
