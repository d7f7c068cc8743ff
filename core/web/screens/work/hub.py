"""The daily-work hub: the organisations the user may write, then one organisation's
work — which meetings are due in their period, dues unpaid this month, people in
development, open warnings — each figure one aggregate query, and the ways to record."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from sqlalchemy import func, select

from core.auth.permissions import has_role, visible_orgs_clause
from core.db import db
from core.development.models import DevelopmentPerson
from core.development.steps import STAGE_NAMES
from core.dues.models import DuesPayment
from core.dues.rates import month_start
from core.life.models import KIND_LABELS, counted_meetings
from core.life.service import ORG_KINDS
from core.life.warnings import PERIODS, months_before
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.warnings import registry
from core.warnings.models import OPEN, Warning
from core.web.blueprint import bp, page
from core.web.paging import paginate
from core.web.screens.work.common import SECTOR_ROLE, require_worker, work_org, writable_clause

WARNINGS_SHOWN = 20


@bp.route("/work")
@page
def work():
    """The organisations the user may record work for, with this month's meetings and
    open warnings of each (two GROUP BYs over the page)."""
    require_worker()
    stmt = (select(Organization)
            .where(writable_clause(), visible_orgs_clause(), Organization.status == "active"))
    query = (request.args.get("q") or "").strip()
    if query:
        stmt = stmt.where(Organization.name.contains(query, autoescape=True))
    listed = paginate(stmt.order_by(Organization.depth, Organization.code))
    ids = [org.id for org in listed.items]
    first = month_start(date.today())
    held = counted_meetings()  # a joint meeting counts for each organisation credited
    meetings = dict(db.session.execute(
        select(held.org_id, func.count()).where(held.org_id.in_(ids), held.held_on >= first)
        .group_by(held.org_id)).all()) if ids else {}
    warnings = dict(db.session.execute(
        select(Warning.org_id, func.count())
        .where(Warning.org_id.in_(ids), Warning.state == OPEN, registry.shown_condition())
        .group_by(Warning.org_id)).all()) if ids else {}
    return render_template("web/work/hub.html", listed=listed, query=query,
                           meetings=meetings, warnings=warnings)


def meeting_status(org: Organization, today: date) -> list[dict]:
    """Each meeting kind ``org`` holds with a period: the last one held and whether one
    is held within the period (as the warning rules count it) — one GROUP BY."""
    kinds = [k for k in PERIODS if org.kind in ORG_KINDS[k] and org.kind in PERIODS[k][1]]
    held = counted_meetings()  # joint meetings included, as the warning rules count them
    last = dict(db.session.execute(
        select(held.kind, func.max(held.held_on))
        .where(held.org_id == org.id, held.kind.in_(kinds), held.held_on <= today)
        .group_by(held.kind)).all())
    rows = []
    for kind in kinds:
        months = PERIODS[kind][0]
        held = last.get(kind)
        rows.append({"kind": kind, "name": KIND_LABELS[kind], "months": months, "last": held,
                     "done": held is not None and held >= months_before(today, months)})
    return rows


def dues_status(org: Organization, today: date) -> dict:
    """Active members of the subtree and how many have paid this month: one aggregate."""
    month = month_start(today)
    paid = (select(DuesPayment.member_id)
            .where(DuesPayment.month == month).scalar_subquery())
    total, paid_count = db.session.execute(
        select(func.count(), func.count().filter(Member.id.in_(paid)))
        .select_from(Member).join(Organization, Organization.id == Member.org_id)
        .where(subtree_filter(org.path), Member.status.in_(ACTIVE_STATUSES))).one()
    return {"month": month, "members": total, "paid": paid_count or 0,
            "unpaid": total - (paid_count or 0)}


def development_status(org: Organization) -> list[tuple[str, int]]:
    rows = dict(db.session.execute(
        select(DevelopmentPerson.stage, func.count())
        .join(Organization, Organization.id == DevelopmentPerson.org_id)
        .where(subtree_filter(org.path), DevelopmentPerson.status == "active")
        .group_by(DevelopmentPerson.stage)).all())
    return [(name, rows[code]) for code, name in STAGE_NAMES.items() if rows.get(code)]


def open_warnings(org: Organization) -> tuple[list, int]:
    """The subtree's open warnings, newest first (the first few) and how many in all."""
    conditions = [subtree_filter(org.path), Warning.state == OPEN, registry.shown_condition()]
    base = select(Warning, Organization.name).join(Organization, Organization.id == Warning.org_id)
    total = db.session.scalar(select(func.count()).select_from(Warning)
                              .join(Organization, Organization.id == Warning.org_id)
                              .where(*conditions))
    rows = db.session.execute(base.where(*conditions)
                              .order_by(Warning.opened_at.desc(), Warning.id)
                              .limit(WARNINGS_SHOWN)).all()
    rules = registry.tenant_rules()
    shown = [{"warning": w, "org_name": name,
              "rule_name": rules[w.rule_key].name if w.rule_key in rules else w.rule_key}
             for w, name in rows]
    return shown, total


@bp.route("/work/<org_id>")
@page
def work_org_page(org_id):
    """One organisation's work: what is due, and where to record it."""
    org = work_org(org_id)
    today = date.today()
    shown, total = open_warnings(org)
    return render_template(
        "web/work/org.html", org=org, today=today, meetings=meeting_status(org, today),
        dues=dues_status(org, today), development=development_status(org),
        warnings=shown, warnings_total=total, may_edit_sector=has_role(SECTOR_ROLE, org),
    )
