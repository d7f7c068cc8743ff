"""Filling the statistics tables: one aggregate query per table.

Every cell is a SQL condition over a table's *source* (members, member events,
organisations or units of the subtree); :func:`figures` counts each condition with
``COUNT(*) FILTER`` and :mod:`core.statistics.drill` lists the rows of the same condition,
so a drill-down always has exactly as many rows as its figure.

What each figure reads (the reference date ``end`` is the period's last day):

* composition tables (gender … job): the members in the register (active statuses) at
  ``end``, in the subtree at ``end``, who had joined by then; full at ``end`` means converted
  (``full_on``) by then, ages are whole years at ``end``. The register holds today's state, so
  the state at ``end`` is read back through the member's history: the first event after
  ``end`` that names where the member came from (``from_org_id``) or what they were
  (``from_status``) says where and what they were at ``end`` (see :func:`_org_at` and
  :func:`_status_at`) — a member who left, died or moved after ``end`` is counted where they
  were;
* development and lost contact: ``joined_on`` (admitted as probationary) and ``full_on`` (转正) in the period,
  lost contact since a day in the period, and lost contact at ``end`` (by the recorded
  reason);
* transfers and leaving: the member events of the period (the organisation an event names
  is where the member was), a move across the subtree's edge counting as in or out;
* organisations: those that existed on ``end`` (founded by then, not yet dissolved/merged);
* coverage: the non-public enterprises and social organisations the subtree's
  organisations serve. Units without any Party organisation are in the two_new plugin's
  register, which core does not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, not_, or_, select, true
from sqlalchemy.orm import aliased

from core.db import db
from core.members.models import ACTIVE_STATUSES, Member, MemberEvent
from core.orgs.models import KINDS, Organization, OrgUnit
from core.orgs.service import subtree_filter
from core.orgs.terms import add_years
from core.plugins import service as plugin_service
from core.statistics.tables import (
    AGE_BANDS,
    BY_KEY,
    CATEGORY_LABELS,
    EDUCATION_LABELS,
    LEAVE_REASONS,
    LOST_CONTACT_LABELS,
    TABLES,
    TOTAL,
    UNKNOWN,
    Table,
    period_bounds,
)

HAN = "汉族"
# Words of a ``left`` event's reason that name the way the member left, in precedence order.
LEAVE_WORDS = {
    "expelled": ("开除", "出党"),
    "withdrew": ("退党",),
    "lapsed": ("脱党",),
    "removed": ("除名",),
}
FromOrg, ToOrg = aliased(Organization), aliased(Organization)


@dataclass(frozen=True)
class Spec:
    """How to count and list one table: the base query (FROM/JOIN/WHERE), the columns a
    drill-down shows, and each row's and column's condition."""

    base: object  # a Select without columns chosen yet: built by select_from()
    # (id, name, org_id, org_name, occurred_on or None), or such a tuple per column key
    item: tuple | dict
    rows: dict
    columns: dict


def _first_after(column, end: date):
    """``column`` of the member's first event after ``end`` that records it (a correlated
    scalar subquery): what the member was, or where, before the change that came next."""
    return (
        select(column)
        .where(MemberEvent.member_id == Member.id, MemberEvent.occurred_on > end,
               column.is_not(None))
        .order_by(MemberEvent.occurred_on, MemberEvent.created_at, MemberEvent.id)
        .limit(1)
        .correlate(Member)
        .scalar_subquery()
    )


def _current(end: date) -> bool:
    """No event can lie after ``end`` yet: today's state is the state at ``end``."""
    return end >= date.today()


def _org_at(end: date):
    """The member's organisation at ``end``."""
    if _current(end):
        return Member.org_id
    return func.coalesce(_first_after(MemberEvent.from_org_id, end), Member.org_id)


def _status_at(end: date):
    """The member's status at ``end``."""
    if _current(end):
        return Member.status
    return func.coalesce(_first_after(MemberEvent.from_status, end), Member.status)


def _last_lost_contact(column, end: date):
    """``column`` of the member's last change to lost contact on or before ``end``: the day
    (and, in its details, the reason) they lost contact, as the event keeps it after the
    register's own fields are cleared (contact regained, death)."""
    return (
        select(column)
        .where(MemberEvent.member_id == Member.id, MemberEvent.occurred_on <= end,
               MemberEvent.to_status == "lost_contact")
        .order_by(MemberEvent.occurred_on.desc(), MemberEvent.created_at.desc(),
                  MemberEvent.id.desc())
        .limit(1)
        .correlate(Member)
        .scalar_subquery()
    )


def _lost_since(end: date):
    if _current(end):
        return Member.lost_contact_since
    return func.coalesce(_last_lost_contact(MemberEvent.occurred_on, end),
                         Member.lost_contact_since)


def _lost_reason(end: date):
    if _current(end):
        return Member.lost_contact_reason
    recorded = _last_lost_contact(MemberEvent.details["lost_contact_reason"].as_string(), end)
    return func.coalesce(recorded, Member.lost_contact_reason)


def _members_base(root: Organization, end: date):
    """Members with their organisation at ``end``, in ``root``'s subtree."""
    return (
        select()
        .select_from(Member)
        .join(Organization, Organization.id == _org_at(end))
        .where(subtree_filter(root.path))
    )


def _member_item():
    return (Member.id, Member.name, Organization.id, Organization.name, None)


def _composition(root: Organization, end: date, columns: dict) -> Spec:
    base = _members_base(root, end).where(
        _status_at(end).in_(ACTIVE_STATUSES), Member.joined_on <= end
    )
    full = and_(Member.full_on.is_not(None), Member.full_on <= end)
    rows = {TOTAL: true(), "full": full, "probationary": not_(full)}
    return Spec(base, _member_item(), rows, {TOTAL: true(), **columns})


def _age_columns(end: date) -> dict:
    columns = {}
    for index, (key, _label, low) in enumerate(AGE_BANDS):
        parts = [Member.birth_date <= add_years(end, -low)] if low else []
        if index + 1 < len(AGE_BANDS):
            parts.append(Member.birth_date > add_years(end, -AGE_BANDS[index + 1][2]))
        columns[key] = and_(*parts)
    return columns


def _job_columns(root: Organization, end: date) -> dict:
    """人员类别 is free text: one column per value found, and ``unknown`` for none."""
    spec = _composition(root, end, {})
    found = db.session.scalars(spec.base.add_columns(Member.job).distinct()).all()
    columns = {job: Member.job == job for job in sorted(j for j in found if j)}
    if any(not job for job in found):
        columns[UNKNOWN] = or_(Member.job.is_(None), Member.job == "")
    return columns


def _events_base(root: Organization, start: date, end: date):
    return (
        select()
        .select_from(MemberEvent)
        .join(Member, Member.id == MemberEvent.member_id)
        .outerjoin(FromOrg, FromOrg.id == MemberEvent.from_org_id)
        .outerjoin(ToOrg, ToOrg.id == MemberEvent.to_org_id)
        .where(MemberEvent.occurred_on >= start, MemberEvent.occurred_on <= end)
    )


def _inside(alias, root: Organization):
    return and_(alias.id.is_not(None), alias.path.startswith(root.path, autoescape=True))


def _lost_contact(root: Organization, end: date) -> Spec:
    """Members out of contact at ``end`` (as the development table's last column), by the
    reason recorded when contact was lost."""
    since, reason_at = _lost_since(end), _lost_reason(end)
    base = _members_base(root, end).where(
        _status_at(end) == "lost_contact", or_(since.is_(None), since <= end)
    )
    known = list(LOST_CONTACT_LABELS)
    columns = {
        TOTAL: true(),
        **{reason: reason_at == reason for reason in known},
        UNKNOWN: or_(reason_at.is_(None), reason_at.not_in(known)),
    }
    return Spec(base, _member_item(), {TOTAL: true()}, columns)


def _transfers(root: Organization, start: date, end: date) -> Spec:
    to_in, from_in = _inside(ToOrg, root), _inside(FromOrg, root)
    moved = MemberEvent.kind == "moved"
    columns = {
        "in": and_(to_in, or_(MemberEvent.kind == "transfer_in", and_(moved, not_(from_in)))),
        "out": and_(from_in, or_(MemberEvent.kind == "transfer_out", and_(moved, not_(to_in)))),
    }
    rows = {
        TOTAL: true(),
        "external": MemberEvent.kind.in_(("transfer_in", "transfer_out")),
        "internal": moved,
    }
    item = (Member.id, Member.name, MemberEvent.from_org_id, FromOrg.name, MemberEvent.occurred_on)
    # an "in" row names the organisation received into
    item_in = (Member.id, Member.name, MemberEvent.to_org_id, ToOrg.name, MemberEvent.occurred_on)
    base = _events_base(root, start, end).where(or_(to_in, from_in))
    return Spec(base, {"in": item_in, "out": item}, rows, columns)


def _leaving(root: Organization, start: date, end: date) -> Spec:
    base = _events_base(root, start, end).where(
        MemberEvent.kind == "status_changed",
        MemberEvent.to_status.in_(("deceased", "left")),
        _inside(FromOrg, root),
    )
    left = MemberEvent.to_status == "left"
    reason = func.coalesce(MemberEvent.reason, "")
    columns, earlier = {TOTAL: true(), "death": MemberEvent.to_status == "deceased"}, []
    for key, words in LEAVE_WORDS.items():
        named = or_(*(reason.contains(word, autoescape=True) for word in words))
        columns[key] = and_(left, named, *(not_(c) for c in earlier))
        earlier.append(named)
    columns["other"] = and_(left, *(not_(c) for c in earlier))
    assert set(columns) == {TOTAL, *LEAVE_REASONS}
    item = (Member.id, Member.name, MemberEvent.from_org_id, FromOrg.name, MemberEvent.occurred_on)
    return Spec(base, item, {TOTAL: true()}, columns)


def _organizations(root: Organization, end: date) -> Spec:
    existed = and_(
        or_(Organization.founded_on.is_(None), Organization.founded_on <= end),
        or_(Organization.status == "active", Organization.dissolved_on > end),
        or_(Organization.dissolved_on.is_(None), Organization.dissolved_on > end),
    )
    base = select().select_from(Organization).where(subtree_filter(root.path), existed)
    rows = {TOTAL: true(), **{kind: Organization.kind == kind for kind in KINDS}}
    codes = list(CATEGORY_LABELS)
    columns = {
        TOTAL: true(),
        **{str(c): Organization.category_code == c for c in codes},
        UNKNOWN: or_(
            Organization.category_code.is_(None), Organization.category_code.not_in(codes)
        ),
    }
    item = (Organization.id, Organization.name, Organization.id, Organization.code, None)
    return Spec(base, item, rows, columns)


def _coverage(root: Organization) -> Spec:
    base = (
        select()
        .select_from(OrgUnit)
        .join(Organization, Organization.id == OrgUnit.org_id)
        .where(subtree_filter(root.path), Organization.status == "active")
    )
    rows = {kind: OrgUnit.unit_type == kind for kind in ("enterprise", "social_organisation")}
    columns = {
        "units": true(),
        "own_org": Organization.kind != "joint_branch",
        "joint": Organization.kind == "joint_branch",
    }
    item = (OrgUnit.id, OrgUnit.name, Organization.id, Organization.name, None)
    return Spec(base, item, rows, columns)


def spec(table: Table, root: Organization, year: int, period: str) -> Spec:
    """The conditions of ``table`` for ``root``'s subtree and the period."""
    if table.spec is not None:
        return table.spec(root, year, period)
    start, end = period_bounds(year, period)
    match table.key:
        case "gender":
            return _composition(root, end, {g: Member.gender == g for g in ("male", "female")})
        case "ethnicity":
            return _composition(
                root, end, {"han": Member.ethnicity == HAN, "minority": Member.ethnicity != HAN}
            )
        case "age":
            return _composition(root, end, _age_columns(end))
        case "education":
            known = list(EDUCATION_LABELS)
            return _composition(
                root,
                end,
                {
                    **{e: Member.education == e for e in known},
                    UNKNOWN: or_(Member.education.is_(None), Member.education.not_in(known)),
                },
            )
        case "job":
            return _composition(root, end, _job_columns(root, end))
        case "development":
            between = lambda column: and_(column >= start, column <= end)  # noqa: E731
            lost = _status_at(end) == "lost_contact"
            return Spec(
                _members_base(root, end),
                _member_item(),
                {TOTAL: true()},
                {
                    "admitted": between(Member.joined_on),
                    "converted": between(Member.full_on),
                    "lost_contact_new": and_(lost, between(_lost_since(end))),
                    "lost_contact": and_(
                        lost, or_(_lost_since(end).is_(None), _lost_since(end) <= end)
                    ),
                },
            )
        case "lost_contact":
            return _lost_contact(root, end)
        case "transfers":
            return _transfers(root, start, end)
        case "leaving":
            return _leaving(root, start, end)
        case "organizations":
            return _organizations(root, end)
        case "coverage":
            return _coverage(root)
    raise KeyError(table.key)


def figures_of(table: Table, root: Organization, year: int, period: str) -> dict:
    """``{"rows", "columns", "cells": {row: {column: n}}}`` of one table, one query."""
    s = spec(table, root, year, period)
    pairs = [(r, c) for r in s.rows for c in s.columns]
    counts = db.session.execute(
        s.base.add_columns(*(func.count().filter(and_(s.rows[r], s.columns[c])) for r, c in pairs))
    ).one()
    cells: dict[str, dict] = {r: {} for r in s.rows}
    for (r, c), n in zip(pairs, counts, strict=True):
        cells[r][c] = int(n or 0)
    labels = dict(table.columns) if table.columns else {TOTAL: "合计", UNKNOWN: "未填写"}
    return {
        "key": table.key,
        "title": table.title,
        "rows": [{"key": key, "label": label} for key, label in table.rows],
        "columns": [{"key": c, "label": labels.get(c, c)} for c in s.columns],
        "cells": cells,
    }


def figures(root: Organization, year: int, period: str) -> dict:
    """Every table of ``root``'s subtree for the period: what the API and a screen show."""
    start, end = period_bounds(year, period)
    return {
        "org_id": root.id,
        "org_name": root.name,
        "year": year,
        "period": period,
        "start": start,
        "end": end,
        "tables": [figures_of(table, root, year, period) for table in all_tables()],
    }


def all_tables() -> list[Table]:
    """Core's tables, then those of the plugins the current tenant has enabled (a sector's
    register, e.g. two_new's units without a Party organisation, is the plugin's to read)."""
    found = list(TABLES)
    for tables in plugin_service.hook("dangjian_statistics_tables")():
        found.extend(t for t in tables if t.key not in BY_KEY and t.spec is not None)
    return found


def table(key: str) -> Table | None:
    return BY_KEY.get(key) or next((t for t in all_tables() if t.key == key), None)
