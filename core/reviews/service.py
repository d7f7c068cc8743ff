"""The secretaries' yearly review's operations: open a cycle for a subtree, collect each
secretary's report and items, take the ratings, publish the grades subtree by subtree.

Every function works in the current tenant and leaves the commit to its caller; each checks
everything before it changes anything, so a refusal writes nothing. Errors are
:class:`~core.api.errors.ApiError` naming the field: 422 for invalid input, 409 for a step the
cycle's state does not allow or a record changed since it was read (``version``), 403 for
someone who may not do it.

**Who may.**

* Opening a cycle, moving it on, assigning tasks (点题) and publishing: the higher level —
  ``org_manager`` on the cycle's root (for assigning: on the entry organisation's parent;
  for publishing: on the subtree published).
* Writing the report, its items' outcome and attachments, and submitting it: the
  organisation's secretary — the account of the register member who held the secretary
  post when the cycle opened — or an account keeping the organisation's records
  (``branch_secretary`` or higher on it, as for its meetings and its problems' rectification)
  (:func:`may_report`).
* Rating (:func:`rater_group`): the higher level (``org_manager`` on the parent); peers —
  the secretaries of sibling organisations in the same cycle; members — accounts of
  register members of the organisation or an organisation under it. Nobody rates
  themselves — the secretary's own account, or one granted ``branch_secretary`` on exactly
  that organisation (:func:`is_secretary`); one rating per rater and entry (a second one
  replaces the first).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select

from core.api.errors import ApiError
from core.auth import service as auth_service
from core.auth.context import current_actor
from core.auth.permissions import current_user, has_role
from core.db import db
from core.db.mixins import utcnow
from core.db.versioning import check_version, flush
from core.members import service as members
from core.orgs import service as orgs
from core.orgs.models import Organization, OrgPost
from core.orgs.posts import current_condition
from core.reviews import grading
from core.reviews.models import (
    ASSIGNED,
    COMMITMENT,
    CYCLE_STATE_LABELS,
    DRAFT,
    HIGHER,
    ITEM_KINDS,
    MEMBERS,
    NEXT,
    OPEN,
    PEERS,
    PUBLISHED,
    RATING,
    RATING_LABELS,
    RATINGS,
    REPORTING,
    SUBMITTED,
    WEAK_GRADES,
    ReviewAttachment,
    ReviewCycle,
    ReviewEntry,
    ReviewItem,
    ReviewRating,
)
from core.reviews.settings import settings

# The organisations whose secretaries a cycle reviews (groups have a leader, not a secretary).
REVIEWED_KINDS = ("committee", "general_branch", "branch", "joint_branch")
# The states in which a secretary still writes the report and its items.
WRITABLE = (OPEN, REPORTING)
NEXT_STATE = {OPEN: REPORTING, REPORTING: RATING}


def _invalid(field: str, message: str):
    raise ApiError(422, f"{field}: {message}", {field: [message]})


def _conflict(message: str, field: str = "state"):
    raise ApiError(409, message, {field: [message]})


def _forbidden(message: str):
    raise ApiError(403, message)


def _actor() -> tuple[str, uuid.UUID | None]:
    actor = current_actor()
    return (actor.label, actor.user_id) if actor is not None else ("system", None)


# -- reading -------------------------------------------------------------------------------


def get_cycle(cycle_id: uuid.UUID) -> ReviewCycle | None:
    return db.session.scalar(select(ReviewCycle).where(ReviewCycle.id == cycle_id))


def get_entry(entry_id: uuid.UUID) -> ReviewEntry | None:
    return db.session.scalar(select(ReviewEntry).where(ReviewEntry.id == entry_id))


def get_item(item_id: uuid.UUID) -> ReviewItem | None:
    return db.session.scalar(select(ReviewItem).where(ReviewItem.id == item_id))


def get_attachment(entry: ReviewEntry, attachment_id: uuid.UUID) -> ReviewAttachment | None:
    return db.session.scalar(select(ReviewAttachment).where(
        ReviewAttachment.id == attachment_id, ReviewAttachment.entry_id == entry.id))


def root_of(cycle: ReviewCycle) -> Organization:
    return orgs.get(cycle.root_org_id)


def entries_of(cycle: ReviewCycle, visible=None, root: Organization | None = None):
    """``(entry, organisation)`` of ``cycle`` in tree order, limited to the organisations
    ``visible`` (a WHERE clause on Organization) and to ``root``'s subtree."""
    stmt = (select(ReviewEntry, Organization).join(Organization, Organization.id == ReviewEntry.org_id)
            .where(ReviewEntry.cycle_id == cycle.id))
    if visible is not None:
        stmt = stmt.where(visible)
    if root is not None:
        stmt = stmt.where(orgs.subtree_filter(root.path))
    return db.session.execute(stmt.order_by(Organization.path)).all()


def items_of(entry: ReviewEntry) -> Sequence[ReviewItem]:
    order = {kind: i for i, kind in enumerate(ITEM_KINDS)}
    rows = db.session.scalars(select(ReviewItem).where(ReviewItem.entry_id == entry.id)
                              .order_by(ReviewItem.created_at, ReviewItem.id)).all()
    return sorted(rows, key=lambda r: order.get(r.kind, len(order)))


def attachments_of(entry: ReviewEntry) -> Sequence[ReviewAttachment]:
    return db.session.scalars(select(ReviewAttachment).where(ReviewAttachment.entry_id == entry.id)
                              .order_by(ReviewAttachment.created_at, ReviewAttachment.id)).all()


def ratings_of(entry: ReviewEntry) -> Sequence[ReviewRating]:
    return db.session.scalars(select(ReviewRating).where(ReviewRating.entry_id == entry.id)
                              .order_by(ReviewRating.created_at, ReviewRating.id)).all()


def rating_summary(entry: ReviewEntry) -> dict[str, dict[str, int]]:
    """rater group → rating → count (one GROUP BY)."""
    found: dict[str, dict[str, int]] = {}
    rows = db.session.execute(
        select(ReviewRating.rater_group, ReviewRating.rating, func.count())
        .where(ReviewRating.entry_id == entry.id)
        .group_by(ReviewRating.rater_group, ReviewRating.rating))
    for group, rating, count in rows:
        found.setdefault(group, {})[rating] = count
    return found


def own_rating(entry: ReviewEntry) -> ReviewRating | None:
    user = current_user()
    if user is None:
        return None
    return db.session.scalar(select(ReviewRating).where(
        ReviewRating.entry_id == entry.id, ReviewRating.rater_user_id == user.id))


def item_counts(entry_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """entry id → {"total", "done", "not_done"} over its commitments and assigned tasks."""
    found: dict[uuid.UUID, dict[str, int]] = {}
    if not entry_ids:
        return found
    rows = db.session.execute(
        select(ReviewItem.entry_id, ReviewItem.done, func.count())
        .where(ReviewItem.entry_id.in_(entry_ids), ReviewItem.kind != NEXT)
        .group_by(ReviewItem.entry_id, ReviewItem.done))
    for entry_id, done, count in rows:
        counts = found.setdefault(entry_id, {"total": 0, "done": 0, "not_done": 0})
        counts["total"] += count
        if done is True:
            counts["done"] += count
        elif done is False:
            counts["not_done"] += count
    return found


def search(visible, *, root: Organization | None = None, year: int | None = None,
           state: str | None = None):
    """A SELECT of ``(ReviewCycle, root Organization)`` of the cycles whose root the user
    sees (``visible``) — or that review an organisation the user sees — newest first."""
    seen_root = select(ReviewEntry.cycle_id).join(
        Organization, Organization.id == ReviewEntry.org_id).where(visible)
    stmt = (select(ReviewCycle, Organization)
            .join(Organization, Organization.id == ReviewCycle.root_org_id)
            .where(visible | ReviewCycle.id.in_(seen_root)))
    if root is not None:
        stmt = stmt.where(orgs.subtree_filter(root.path))
    if year is not None:
        stmt = stmt.where(ReviewCycle.year == year)
    if state is not None:
        stmt = stmt.where(ReviewCycle.state == state)
    return stmt.order_by(ReviewCycle.year.desc(), ReviewCycle.created_at.desc(), ReviewCycle.id.desc())


def secretary_names(rows) -> dict[uuid.UUID, str]:
    """entry id → the secretary's name to show for ``(entry, organisation)`` rows: the one
    recorded when the cycle opened, else whoever holds the post now (one query for those
    missing: an organisation given its secretary after the cycle opened)."""
    from core.orgs.posts import current_holders

    names = {entry.id: entry.secretary_name for entry, _org in rows if entry.secretary_name}
    missing = [org.id for entry, org in rows if not entry.secretary_name]
    if missing:
        holders = current_holders(missing)
        for entry, org in rows:
            if not entry.secretary_name and holders.get(org.id):
                names[entry.id] = "、".join(holders[org.id])
    return names


def may_see_cycle(cycle: ReviewCycle) -> bool:
    """The cycle's root is seen, or one organisation it reviews."""
    root = root_of(cycle)
    if root is not None and has_role("member", root):
        return True
    return any(has_role("member", org) for _entry, org in entries_of(cycle))


def seen_cycle(cycle_id: uuid.UUID | None) -> ReviewCycle | None:
    """The cycle if the user may see it (:func:`may_see_cycle`); None for any other id
    (the API and the pages answer both with a 404)."""
    cycle = get_cycle(cycle_id) if cycle_id is not None else None
    return cycle if cycle is not None and may_see_cycle(cycle) else None


def seen_entry(entry_id: uuid.UUID | None) -> tuple[ReviewEntry, Organization, ReviewCycle] | None:
    """The entry, its organisation and cycle if the user sees the organisation or rates it
    as a peer secretary; None for any other id (a 404 for the API and the pages)."""
    entry = get_entry(entry_id) if entry_id is not None else None
    org = orgs.get(entry.org_id) if entry is not None else None
    if entry is None or org is None or not (has_role("member", org) or rater_group(entry, org) == PEERS):
        return None
    return entry, org, get_cycle(entry.cycle_id)


# -- who may ---------------------------------------------------------------------------------


def parent_of(org: Organization) -> Organization | None:
    return orgs.get(org.parent_id) if org.parent_id is not None else None


def is_level_above(org: Organization) -> bool:
    """``org_manager`` on ``org``'s parent (``tenant_admin`` for a root organisation)."""
    parent = parent_of(org)
    return has_role("org_manager", parent) if parent is not None else has_role("tenant_admin")


def may_manage(cycle: ReviewCycle) -> bool:
    """Opening, moving on, publishing the whole cycle: ``org_manager`` on its root."""
    root = root_of(cycle)
    return root is not None and has_role("org_manager", root)


def _granted_exactly(org: Organization, role: str = "branch_secretary") -> bool:
    user = current_user()
    if user is None:
        return False
    from core.auth.permissions import RANK

    need = RANK[role]
    return any(path == org.path and RANK[granted] <= need
               for granted, path in auth_service.role_scopes(user.id))


def is_secretary(entry: ReviewEntry, org: Organization) -> bool:
    """Is the current user the entry's secretary (see the module)?"""
    user = current_user()
    if user is None:
        return False
    if entry.secretary_member_id is not None and user.member_id == entry.secretary_member_id:
        return True
    return _granted_exactly(org)


def may_report(entry: ReviewEntry, org: Organization) -> bool:
    """Writing the report, its items' outcome and attachments: the secretary's own account,
    or an account that keeps the organisation's records (``branch_secretary`` or higher on
    it — as the problem ledger's rectification and the meetings ask)."""
    user = current_user()
    if user is None:
        return False
    if entry.secretary_member_id is not None and user.member_id == entry.secretary_member_id:
        return True
    return has_role("branch_secretary", org)


def rater_group(entry: ReviewEntry, org: Organization) -> str | None:
    """The group the current user rates ``entry`` in — ``higher``, else ``peers``, else
    ``members`` — or None when they may not rate it (their own entry included)."""
    user = current_user()
    if user is None or is_secretary(entry, org):
        return None
    if is_level_above(org):
        return HIGHER
    if org.parent_id is not None:
        siblings = db.session.execute(
            select(ReviewEntry, Organization).join(Organization, Organization.id == ReviewEntry.org_id)
            .where(ReviewEntry.cycle_id == entry.cycle_id, Organization.parent_id == org.parent_id,
                   ReviewEntry.id != entry.id)).all()
        if any(is_secretary(sibling, sibling_org) for sibling, sibling_org in siblings):
            return PEERS
    if user.member_id is not None:
        member = members.get_member(user.member_id)
        home = orgs.get(member.org_id) if member is not None and member.org_id else None
        if home is not None and orgs.covers(org.path, home.path) and member.status in _ACTIVE:
            return MEMBERS
    return None


_ACTIVE = ("probationary", "full", "mobile", "lost_contact")


# -- opening ---------------------------------------------------------------------------------


def _secretaries(org_ids: list[uuid.UUID], on: date) -> dict[uuid.UUID, tuple[uuid.UUID | None, str]]:
    """org id → (member id, name) of who holds the secretary post on ``on`` (one query; the
    latest started wins)."""
    from core.members.models import Member

    rows = db.session.execute(
        select(OrgPost.org_id, OrgPost.member_id, Member.name, OrgPost.person_name)
        .outerjoin(Member, Member.id == OrgPost.member_id)
        .where(OrgPost.post == "secretary", OrgPost.org_id.in_(org_ids), *current_condition(on))
        .order_by(OrgPost.started_on))
    return {org_id: (member_id, name or person or "") for org_id, member_id, name, person in rows}


def _carried(org_ids: list[uuid.UUID], year: int) -> dict[uuid.UUID, list[ReviewItem]]:
    """org id → the ``next`` items of its newest earlier cycle's entry (the commitments
    this year's report answers to)."""
    rows = db.session.execute(
        select(ReviewEntry.org_id, ReviewCycle.year, ReviewItem)
        .join(ReviewCycle, ReviewCycle.id == ReviewEntry.cycle_id)
        .join(ReviewItem, ReviewItem.entry_id == ReviewEntry.id)
        .where(ReviewEntry.org_id.in_(org_ids), ReviewCycle.year < year, ReviewItem.kind == NEXT)
        .order_by(ReviewCycle.year, ReviewItem.created_at, ReviewItem.id)).all()
    newest: dict[uuid.UUID, int] = {}
    for org_id, cycle_year, _item in rows:
        newest[org_id] = max(newest.get(org_id, cycle_year), cycle_year)
    found: dict[uuid.UUID, list[ReviewItem]] = {}
    for org_id, cycle_year, item in rows:
        if cycle_year == newest[org_id]:
            found.setdefault(org_id, []).append(item)
    return found


def open_cycle(root: Organization, year: int, name: str | None = None,
               note: str | None = None) -> ReviewCycle:
    """Open the review of ``year`` for the committees and branches under ``root`` (not
    ``root`` itself: it is the reviewing level): one entry per active organisation with its
    secretary today, and last year's commitments carried over. 409 when ``root`` already
    has a cycle for ``year``; 422 when it has nothing to review. The caller checked the user
    may (``org_manager`` on ``root``)."""
    orgs.require_active(root, "root_org_id")
    if year < 2000 or year > date.today().year + 1:
        _invalid("year", "年度无效。")
    if db.session.scalar(select(ReviewCycle.id).where(ReviewCycle.root_org_id == root.id,
                                                       ReviewCycle.year == year)) is not None:
        _conflict(f"{root.name}已有 {year} 年度的述职评议。", "year")
    reviewed = db.session.scalars(
        select(Organization).where(orgs.subtree_filter(root.path), Organization.id != root.id,
                                   Organization.status == "active",
                                   Organization.kind.in_(REVIEWED_KINDS))
        .order_by(Organization.path)).all()
    if not reviewed:
        _invalid("root_org_id", "该组织下没有需要述职的党委、党总支或党支部。")
    label, user_id = _actor()
    cycle = ReviewCycle(root_org_id=root.id, year=year,
                        name=(name or "").strip() or f"{year}年度书记抓基层党建述职评议",
                        note=note, state=OPEN, created_by=label, created_by_user_id=user_id)
    db.session.add(cycle)
    db.session.flush()
    ids = [o.id for o in reviewed]
    secretaries = _secretaries(ids, date.today())
    carried = _carried(ids, year)
    for org in reviewed:
        member_id, person = secretaries.get(org.id, (None, None))
        entry = ReviewEntry(cycle_id=cycle.id, org_id=org.id, secretary_member_id=member_id,
                            secretary_name=(person or None), status=DRAFT)
        db.session.add(entry)
        db.session.flush()
        for item in carried.get(org.id, ()):
            db.session.add(ReviewItem(entry_id=entry.id, kind=COMMITMENT, title=item.title,
                                      carried_from_id=item.id, created_by=label))
    db.session.flush()
    return cycle


def update_cycle(cycle: ReviewCycle, changes: dict, expected_version: int | None) -> ReviewCycle:
    """Rename the cycle or change its note (any state but published)."""
    check_version(cycle, expected_version, "review cycle")
    if cycle.state == PUBLISHED:
        _conflict("已公布的述职评议不能修改。")
    if "name" in changes:
        if not (changes["name"] or "").strip():
            _invalid("name", "不能为空。")
        cycle.name = changes["name"].strip()
    if "note" in changes:
        cycle.note = changes["note"]
    flush("review cycle")
    return cycle


def advance(cycle: ReviewCycle, expected_version: int | None) -> ReviewCycle:
    """open → reporting (secretaries write) → rating (reports close, ratings open). Moving
    to rating needs every report submitted (409 naming the organisations)."""
    check_version(cycle, expected_version, "review cycle")
    target = NEXT_STATE.get(cycle.state)
    if target is None:
        _conflict(f"述职评议当前为“{CYCLE_STATE_LABELS[cycle.state]}”，不能进入下一阶段。")
    if target == RATING:
        waiting = [org.name for entry, org in entries_of(cycle) if entry.status == DRAFT]
        if waiting:
            shown = "、".join(waiting[:10]) + ("等" if len(waiting) > 10 else "")
            _conflict(f"以下组织尚未提交述职报告：{shown}。", "entries")
        cycle.rating_at = utcnow()
    else:
        cycle.reporting_at = utcnow()
    cycle.state = target
    flush("review cycle")
    return cycle


# -- reports and items ----------------------------------------------------------------------


def _require_writable(cycle: ReviewCycle, entry: ReviewEntry | None = None) -> None:
    if cycle.state not in WRITABLE:
        _conflict(f"述职评议当前为“{CYCLE_STATE_LABELS[cycle.state]}”，述职报告和事项已不能修改。")
    if entry is not None and entry.status != DRAFT:
        _conflict("述职报告已提交，不能再修改。", "status")


def write_report(entry: ReviewEntry, cycle: ReviewCycle, report: str | None,
                 expected_version: int | None) -> ReviewEntry:
    check_version(entry, expected_version, "review entry")
    _require_writable(cycle, entry)
    entry.report = (report or "").strip() or None
    flush("review entry")
    return entry


def submit_report(entry: ReviewEntry, cycle: ReviewCycle, report: str | None,
                  expected_version: int | None) -> ReviewEntry:
    """Submit the report: only while reporting, with its text and every commitment and
    assigned task marked done or not done (422 naming what is missing)."""
    check_version(entry, expected_version, "review entry")
    if cycle.state != REPORTING:
        _conflict(f"述职评议当前为“{CYCLE_STATE_LABELS[cycle.state]}”，只有述职阶段可以提交述职报告。")
    _require_writable(cycle, entry)
    text = (report if report is not None else entry.report) or ""
    if not text.strip():
        _invalid("report", "请填写述职报告。")
    open_items = [i.title for i in items_of(entry) if i.kind != NEXT and i.done is None]
    if open_items:
        _invalid("items", f"以下事项尚未填写完成情况：{'、'.join(open_items[:5])}。")
    label, _ = _actor()
    entry.report = text.strip()
    entry.status = SUBMITTED
    entry.submitted_at = utcnow()
    entry.submitted_by = label
    flush("review entry")
    return entry


def add_item(entry: ReviewEntry, org: Organization, cycle: ReviewCycle, kind: str, title: str,
             note: str | None = None) -> ReviewItem:
    """Add an item: ``assigned`` (点题) by the level above, any time before rating;
    ``commitment`` or ``next`` by the secretary while the report is a draft."""
    if kind not in ITEM_KINDS:
        _invalid("kind", f"须为以下之一：{', '.join(ITEM_KINDS)}。")
    if not (title or "").strip():
        _invalid("title", "不能为空。")
    if kind == ASSIGNED:
        if not is_level_above(org):
            _forbidden("上级点题任务须由上级党组织（对上级具有 org_manager 权限的用户）布置。")
        if cycle.state not in WRITABLE:
            _conflict(f"述职评议当前为“{CYCLE_STATE_LABELS[cycle.state]}”，不能再布置点题任务。")
    else:
        if not may_report(entry, org):
            _forbidden("承诺事项由本组织书记填写。")
        _require_writable(cycle, entry)
    label, _ = _actor()
    item = ReviewItem(entry_id=entry.id, kind=kind, title=title.strip(), note=note, created_by=label)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: ReviewItem, entry: ReviewEntry, org: Organization, cycle: ReviewCycle,
                changes: dict, expected_version: int | None) -> ReviewItem:
    """The secretary marks an item ``done`` (True/False) with a ``note``; the title of an
    assigned task changes only by the level above, of the others by the secretary."""
    secretary = may_report(entry, org)
    if "title" in changes and not (is_level_above(org) if item.kind == ASSIGNED else secretary):
        _forbidden("无权修改该事项的内容。")
    if ("done" in changes or "note" in changes) and not secretary:
        _forbidden("事项完成情况由本组织书记填写。")
    if not changes and not (secretary or is_level_above(org)):
        _forbidden("无权修改该事项。")
    check_version(item, expected_version, "review item")
    _require_writable(cycle, entry)
    if "title" in changes:
        if not (changes["title"] or "").strip():
            _invalid("title", "不能为空。")
        item.title = changes["title"].strip()
    if "done" in changes or "note" in changes:
        if item.kind == NEXT and changes.get("done") is not None:
            _invalid("done", "来年承诺事项在下一年度述职时填写完成情况。")
        if "done" in changes:
            item.done = changes["done"]
        if "note" in changes:
            item.note = changes["note"]
    flush("review item")
    return item


def delete_item(item: ReviewItem, entry: ReviewEntry, org: Organization, cycle: ReviewCycle) -> None:
    """Remove an item while the report is a draft: an assigned task by the level above,
    the others by the secretary; a carried commitment stays (it is last year's promise)."""
    if item.kind == ASSIGNED:
        if not is_level_above(org):
            _forbidden("上级点题任务须由上级党组织删除。")
    elif not may_report(entry, org):
        _forbidden("承诺事项由本组织书记维护。")
    _require_writable(cycle, entry)
    if item.kind != ASSIGNED:
        if item.carried_from_id is not None:
            _conflict("上年度承诺事项不能删除，请填写完成情况。", "kind")
    db.session.delete(item)
    db.session.flush()


def add_attachment(entry: ReviewEntry, cycle: ReviewCycle, stored) -> ReviewAttachment:
    """Attach a file already kept by :func:`core.files.store` to a draft report; the caller
    commits (and discards the file if that fails)."""
    _require_writable(cycle, entry)
    label, _ = _actor()
    row = ReviewAttachment(entry_id=entry.id, stored_name=stored.name, original_name=stored.original_name,
                           file_type=stored.file_type, content_type=stored.content_type,
                           size=stored.size, uploaded_by=label)
    db.session.add(row)
    db.session.flush()
    return row


def remove_attachment(entry: ReviewEntry, cycle: ReviewCycle, row: ReviewAttachment) -> str:
    _require_writable(cycle, entry)
    name = row.stored_name
    db.session.delete(row)
    db.session.flush()
    return name


# -- ratings -----------------------------------------------------------------------------------


def rate(entry: ReviewEntry, org: Organization, cycle: ReviewCycle, rating: str,
         comment: str | None, expected_version: int | None) -> ReviewRating:
    """The current user's rating of ``entry`` (created, or replacing their earlier one —
    send its ``version``), in the group :func:`rater_group` gives; only while rating and
    before the entry is published."""
    if rating not in RATINGS:
        _invalid("rating", f"须为以下之一：{', '.join(RATINGS)}。")
    group = rater_group(entry, org)
    if group is None:
        _forbidden("只有本组织党员、同级书记和上级党组织可以评议该书记，本人不能评议自己。")
    if cycle.state != RATING or entry.status == PUBLISHED:
        _conflict(f"述职评议当前为“{CYCLE_STATE_LABELS[cycle.state]}”，不在评议阶段。")
    user = current_user()
    label, _ = _actor()
    row = own_rating(entry)
    if row is None:
        if expected_version not in (None, 0):
            from core.db.versioning import stale

            stale("review rating")
        row = ReviewRating(entry_id=entry.id, rater_user_id=user.id, rater_label=label,
                           rater_group=group, rating=rating, comment=comment)
        db.session.add(row)
        from core.db.versioning import flush_first_write

        flush_first_write("review rating")
        return row
    check_version(row, expected_version, "review rating")
    row.rating = rating
    row.comment = comment
    row.rater_group = group
    flush("review rating")
    return row


# -- publication -------------------------------------------------------------------------------


def publish(cycle: ReviewCycle, root: Organization, expected_version: int | None = None) -> list[ReviewEntry]:
    """Publish the grades of the entries below ``root`` not yet published (the caller
    checked ``org_manager`` on ``root``; ``root``'s own secretary is published by the level
    above it): each graded by :func:`grading.compute`,
    and a 一般 or 差 grade opening a problem (:func:`open_problem`). The cycle is published
    with its last entry. 409 unless rating; 409 naming the organisations with neither a
    rating nor an assessment result (rate them first); nothing is written then."""
    check_version(cycle, expected_version, "review cycle")
    if cycle.state != RATING:
        _conflict(f"述职评议当前为“{CYCLE_STATE_LABELS[cycle.state]}”，只有评议阶段可以公布结果。")
    cycle_root = root_of(cycle)
    if not orgs.covers(cycle_root.path, root.path):
        _invalid("org_id", "须为本次述职评议范围内的党组织。")
    pending = [(e, o) for e, o in entries_of(cycle, root=root) if e.status != PUBLISHED and o.id != root.id]
    if not pending:
        _conflict("该范围内的述职评议结果已全部公布。", "org_id")
    values = settings()
    ratings = grading.ratings_for([e.id for e, _ in pending])
    org_ids = [o.id for _, o in pending]
    assessed = grading.assessment_scores_for(org_ids, cycle.year)
    warnings = grading.open_warnings_for(org_ids)
    graded = []
    ungradable = []
    for entry, org in pending:
        try:
            graded.append((entry, org, grading.compute(ratings.get(entry.id, {}), assessed.get(org.id),
                                                       warnings.get(org.id, 0), values)))
        except grading.Ungradable:
            ungradable.append(org.name)
    if ungradable:
        shown = "、".join(ungradable[:10]) + ("等" if len(ungradable) > 10 else "")
        _conflict(f"以下组织既无评议也无考核结果，无法评定等次：{shown}。", "ratings")
    label, _ = _actor()
    now = utcnow()
    for entry, org, result in graded:
        entry.score = result.score
        entry.grade = result.grade
        entry.breakdown = result.breakdown
        entry.status = PUBLISHED
        entry.published_at = now
        entry.published_by = label
        if result.grade in WEAK_GRADES:
            open_problem(entry, org, cycle)
    db.session.flush()
    remaining = db.session.scalar(select(func.count()).select_from(ReviewEntry).where(
        ReviewEntry.cycle_id == cycle.id, ReviewEntry.status != PUBLISHED))
    if not remaining:
        cycle.state = PUBLISHED
        cycle.published_at = now
    else:
        from core.db.versioning import touch

        touch(cycle)
    flush("review cycle")
    return [entry for entry, _, _ in graded]


def open_problem(entry: ReviewEntry, org: Organization, cycle: ReviewCycle):
    """A problem for rectification in the problem ledger for a 一般/差 grade, linked both
    ways (``entry.problem_id``; the problem's ``source_ref`` names the entry). Idempotent:
    an entry with a problem gets no second one."""
    from core.problems import service as problems
    from core.problems.models import Problem
    from core.problems.settings import settings as problem_settings

    if entry.problem_id is not None:
        return problems.get_problem(entry.problem_id)
    ref = f"review:{entry.id}"
    existing = db.session.scalar(select(Problem).where(Problem.source_ref == ref).limit(1))
    if existing is not None:
        entry.problem_id = existing.id
        return existing
    allowed = problem_settings()
    categories = allowed["categories"]
    category = next((c for c in ("组织建设", "其他") if c in categories), categories[0])
    grade = RATING_LABELS[entry.grade]
    problem = problems.create_problem(org, {
        "source": "assessment", "source_ref": ref, "category": category,
        "title": f"{cycle.year}年度书记抓基层党建述职评议为“{grade}”",
        "description": (f"{cycle.name}：{org.name}书记{entry.secretary_name or ''}评议等次为“{grade}”"
                        f"（得分 {entry.score}），须制定整改措施。"),
        "severity": "serious" if entry.grade == "poor" else "general",
        "found_on": date.today(),
        "deadline": date.today() + timedelta(days=allowed["default_deadline_days"]),
        "responsible_name": (entry.secretary_name or None) and entry.secretary_name[:50],
    })
    entry.problem_id = problem.id
    return problem
