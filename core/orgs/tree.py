"""Whole-tree operations, set-based: subtree counts, moving a subtree, merging, dissolving.

The materialised path (``/<hex>/<hex>/…/``, every segment 33 characters) carries each
node's ancestors, so:

* **moving** a subtree is one UPDATE rewriting the path prefix of every descendant;
* **subtree counts** never walk the tree: each organisation's direct figures are spread to
  its ancestors by joining it with the numbers ``1..depth+1`` and cutting its path at each
  (``substr(path, 1, 33*k + 1)`` is the ancestor at depth ``k-1``), then grouping by that
  prefix — one statement for the whole tenant, proportional to organisations × depth.

Merging and dissolving keep everything: members move with one UPDATE and one bulk INSERT of
their history events, children move with the path UPDATE, the old organisation stays with
``status`` ``merged``/``dissolved``. The audit recorder logs each statement. Callers commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Integer,
    String,
    Subquery,
    Uuid,
    case,
    func,
    insert,
    inspect,
    literal,
    select,
    update,
)

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.db import db, new_id
from core.members.models import ACTIVE_STATUSES, Member, MemberEvent
from core.orgs.models import Organization, OrgPost, OrgUnit
from core.orgs.service import ancestor_ids, covers, subtree_filter

SEGMENT = 33  # "/" + 32 hex digits
MAX_DEPTH = 60  # a path of String(2000) holds at most 60 segments


def _refuse(field: str, message: str, status: int = 422):
    raise ApiError(status, f"{field}: {message}", {field: [message]})


# -- subtree counts --------------------------------------------------------------------------


def _levels():
    """``k = 1..MAX_DEPTH``, as a recursive CTE (no table: nothing tenant-owned)."""
    levels = select(literal(1, Integer).label("k")).cte("levels", recursive=True)
    return levels.union_all(select(levels.c.k + 1).where(levels.c.k < MAX_DEPTH))


def rollup(direct: Subquery, root: Organization | None = None) -> Subquery:
    """Spread per-organisation figures to every ancestor, in SQL.

    ``direct`` is a subquery with an ``org_id`` column and numeric columns (one row per
    organisation, e.g. members grouped by ``org_id``). Returns a subquery with ``path`` (an
    ancestor's path, within ``root``'s subtree when given) and the sum of each numeric column
    over that ancestor's whole subtree. Join it to :class:`Organization` on ``path``.
    """
    levels = _levels()
    measures = [c for c in direct.c if c.key != "org_id"]
    ancestor = func.substr(Organization.path, 1, SEGMENT * levels.c.k + 1, type_=String)
    conditions = []
    if root is not None:
        conditions += [subtree_filter(root.path), levels.c.k > root.depth]
    spread = (
        select(ancestor.label("path"), *measures)
        .select_from(Organization)
        .join(direct, direct.c.org_id == Organization.id)
        .join(levels, levels.c.k <= Organization.depth + 1)
        .where(*conditions)
        .subquery("spread")
    )
    return (
        select(spread.c.path, *[func.sum(spread.c[m.key]).label(m.key) for m in measures])
        .group_by(spread.c.path)
        .subquery("rolled")
    )


def direct_member_counts_query(statuses=ACTIVE_STATUSES) -> Subquery:
    """Members with one of ``statuses`` per organisation: ``(org_id, members)``."""
    return (
        select(Member.org_id.label("org_id"), func.count().label("members"))
        .where(Member.status.in_(statuses))
        .group_by(Member.org_id)
        .subquery("direct")
    )


def subtree_member_counts(root: Organization | None = None, statuses=ACTIVE_STATUSES,
                          include_inactive: bool = False) -> dict[uuid.UUID, int]:
    """Members (with one of ``statuses``) in each organisation's whole subtree, for every
    organisation of the tenant or of ``root``'s subtree — one query. Organisations without
    members are present with 0; merged and dissolved ones only with ``include_inactive``."""
    rolled = rollup(direct_member_counts_query(statuses), root)
    conditions = []
    if root is not None:
        conditions.append(subtree_filter(root.path))
    if not include_inactive:
        conditions.append(Organization.status == "active")
    rows = db.session.execute(
        select(Organization.id, func.coalesce(rolled.c.members, 0))
        .outerjoin(rolled, rolled.c.path == Organization.path)
        .where(*conditions)
    )
    return {org_id: int(n) for org_id, n in rows}


def direct_member_counts(root: Organization | None = None, statuses=ACTIVE_STATUSES,
                         ) -> dict[uuid.UUID, int]:
    """Members registered directly to each organisation (only organisations that have
    some), over the tenant or ``root``'s subtree — one query."""
    stmt = (
        select(Member.org_id, func.count())
        .where(Member.status.in_(statuses))
        .group_by(Member.org_id)
    )
    if root is not None:
        stmt = stmt.join(Organization, Organization.id == Member.org_id).where(
            subtree_filter(root.path)
        )
    return {org_id: int(n) for org_id, n in db.session.execute(stmt)}


# -- the nested tree -------------------------------------------------------------------------


def nested(root: Organization, max_depth: int | None = None,
           include_inactive: bool = False) -> dict:
    """``root``'s subtree as nested dicts, each node with ``member_count`` (registered
    directly) and ``subtree_member_count`` (its whole subtree, including levels deeper than
    ``max_depth``), ``children`` in code order. One select and one aggregate query."""
    conditions = [subtree_filter(root.path)]
    if max_depth is not None:
        conditions.append(Organization.depth <= root.depth + max_depth)
    if not include_inactive:
        conditions.append(Organization.status == "active")
    orgs = db.session.scalars(
        select(Organization).where(*conditions).order_by(Organization.depth, Organization.code)
    ).all()
    counts = db.session.execute(
        select(Organization.path, func.count())
        .select_from(Member)
        .join(Organization, Organization.id == Member.org_id)
        .where(subtree_filter(root.path), Member.status.in_(ACTIVE_STATUSES))
        .group_by(Organization.path)
    ).all()
    nodes: dict[str, dict] = {}
    for org in orgs:
        nodes[org.path] = {
            "id": org.id, "parent_id": org.parent_id, "code": org.code, "name": org.name,
            "kind": org.kind, "sector": org.sector, "status": org.status, "depth": org.depth,
            "member_count": 0, "subtree_member_count": 0, "children": [],
        }
    for path, n in counts:
        if path in nodes:
            nodes[path]["member_count"] = n
        # add to every shown ancestor (the path's prefixes within root's subtree)
        for end in range(len(root.path), len(path) + 1, SEGMENT):
            node = nodes.get(path[:end])
            if node is not None:
                node["subtree_member_count"] += n
    for org in orgs:  # depth order: a parent is placed before its children
        if org.path == root.path:
            continue
        parent = nodes.get(org.path[: -SEGMENT])
        if parent is not None:
            parent["children"].append(nodes[org.path])
    return nodes.get(root.path) or {}


# -- moving, merging, dissolving -------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a merge or dissolution moved and ended."""

    members_moved: int = 0
    children_moved: int = 0
    units_moved: int = 0
    posts_ended: int = 0


def _require_active(org: Organization, field: str) -> None:
    if org.status != "active":
        _refuse(field, f"The organization {org.code} is {org.status}.")


def _expire_loaded(cls, predicate=lambda values: True) -> None:
    """After a set-based UPDATE, forget what the session holds of the rows it changed.

    ``predicate`` sees the loaded values only (never triggers a load): an object whose
    values are not loaded has nothing stale to forget.
    """
    session = db.session()
    for obj in list(session.identity_map.values()):
        if isinstance(obj, cls):
            values = inspect(obj).dict
            if predicate(values):
                session.expire(obj)


def _lock(org: Organization, *destinations: Organization | None) -> None:
    """Lock (PostgreSQL ``FOR UPDATE``, in id order) ``org`` and every destination with its
    ancestors, and re-read them, before checking and changing the tree.

    Two concurrent moves that could make a cycle together (A under B while B's ancestor goes
    under A) share a locked row, so the second waits and then sees the first's paths; a
    subtree UPDATE always rewrites the current path of each row, so work on disjoint
    subtrees needs no lock. SQLite serialises writers anyway (no ``FOR UPDATE``).
    """
    ids = {org.id}
    for destination in destinations:
        if destination is not None:
            ids.update(ancestor_ids(destination))
    db.session.flush()
    db.session.execute(
        select(Organization.id)
        .where(Organization.id.in_(sorted(ids)))
        .order_by(Organization.id)
        .with_for_update()
    ).all()
    for obj in (org, *destinations):
        if obj is not None:
            db.session.refresh(obj)


def _rehome(prefix: str, new_prefix: str, depth_delta: int, reparent, new_parent_id,
            exclude_id: uuid.UUID | None = None) -> int:
    """One UPDATE: every node under ``prefix`` (but ``exclude_id``) gets ``new_prefix``
    instead and its depth shifted; the nodes matching ``reparent`` get ``new_parent_id``
    as parent. Returns the rows changed."""
    conditions = [subtree_filter(prefix)]
    if exclude_id is not None:
        conditions.append(Organization.id != exclude_id)
    stmt = (
        update(Organization)
        .where(*conditions)
        .values(
            path=literal(new_prefix, String).concat(
                func.substr(Organization.path, len(prefix) + 1, type_=String)
            ),
            depth=Organization.depth + depth_delta,
            parent_id=case(
                (reparent, literal(new_parent_id, Uuid)), else_=Organization.parent_id
            ),
        )
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(stmt)
    _expire_loaded(Organization, lambda v: covers(prefix, v.get("path") or "/nothing"))
    return result.rowcount or 0


def move_subtree(org: Organization, new_parent: Organization | None) -> Organization:
    """Put ``org`` and its whole subtree under ``new_parent`` (a root when ``None``): one
    UPDATE of every descendant's path and depth. Refuses (422, ``parent_id``) a move under
    ``org`` itself or one of its descendants, and inactive organisations."""
    _lock(org, new_parent)
    _require_active(org, "org_id")
    if new_parent is not None:
        _require_active(new_parent, "parent_id")
        if covers(org.path, new_parent.path):
            _refuse("parent_id", "An organization cannot move under itself or its descendant.")
    new_parent_id = new_parent.id if new_parent is not None else None
    if new_parent_id == org.parent_id:
        return org
    new_prefix = f"{new_parent.path if new_parent is not None else '/'}{org.id.hex}/"
    depth_delta = (new_parent.depth + 1 if new_parent is not None else 0) - org.depth
    _rehome(org.path, new_prefix, depth_delta, Organization.id == org.id, new_parent_id)
    db.session.refresh(org)
    return org


def _move_members(source: Organization, target: Organization, on: date, reason: str,
                  note: str | None) -> int:
    """One UPDATE moving ``source``'s active members to ``target``, and one bulk INSERT of
    a ``moved`` event per member. Returns how many moved."""
    moved = db.session.execute(
        update(Member)
        .where(Member.org_id == source.id, Member.status.in_(ACTIVE_STATUSES))
        .values(org_id=target.id, version=Member.version + 1)
        .returning(Member.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    if not moved:
        return 0
    actor = current_actor()
    extra = {"details": {"note": note}} if note else {}
    db.session.execute(
        insert(MemberEvent),
        [
            {
                "id": new_id(),
                "member_id": member_id,
                "kind": "moved",
                "occurred_on": on,
                "reason": reason,
                "from_org_id": source.id,
                "to_org_id": target.id,
                **extra,
                "actor_label": actor.label if actor else "system",
                "actor_user_id": actor.user_id if actor else None,
            }
            for member_id in moved
        ],
    )
    moved_ids = set(moved)
    _expire_loaded(Member, lambda v: v.get("id") in moved_ids)
    return len(moved)


def _move_units(source: Organization, target: Organization) -> int:
    result = db.session.execute(
        update(OrgUnit)
        .where(OrgUnit.org_id == source.id)
        .values(org_id=target.id)
        .execution_options(synchronize_session=False)
    )
    _expire_loaded(OrgUnit)
    return result.rowcount or 0


def _end_posts(org: Organization, on: date, reason: str) -> int:
    result = db.session.execute(
        update(OrgPost)
        .where(OrgPost.org_id == org.id, OrgPost.ended_on.is_(None))
        .values(ended_on=on, end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    _expire_loaded(OrgPost)
    return result.rowcount or 0


def _check_end_date(org: Organization, on: date) -> None:
    if org.founded_on is not None and on < org.founded_on:
        _refuse("on", "The date is before the organization was founded.")


def _check_destination(org: Organization, target: Organization, field: str) -> None:
    _require_active(target, field)
    if covers(org.path, target.path):
        _refuse(field, "The destination is this organization or one of its descendants.")


def _move_children(source: Organization, target: Organization) -> int:
    """One UPDATE: ``source``'s descendants (whole subtrees) go under ``target``."""
    return _rehome(source.path, target.path, target.depth - source.depth,
                   Organization.parent_id == source.id, target.id, exclude_id=source.id)


def _end(org: Organization, status: str, on: date, reason: str | None,
         merged_into: Organization | None = None) -> None:
    org.status = status
    org.dissolved_on = on
    org.end_reason = reason
    org.merged_into_id = merged_into.id if merged_into is not None else None


def merge(source: Organization, target: Organization, on: date,
          reason: str | None = None) -> Outcome:
    """Merge ``source`` into ``target``: its children (whole subtrees), its active members
    (each with a ``moved`` event, reason ``"merged"``) and its units move to ``target``; its
    current posts end on ``on``; it stays as ``merged`` with ``merged_into_id``."""
    _lock(source, target)
    _require_active(source, "org_id")
    _check_destination(source, target, "target_id")
    _check_end_date(source, on)
    outcome = Outcome(
        children_moved=_move_children(source, target),
        members_moved=_move_members(source, target, on, "merged", reason),
        units_moved=_move_units(source, target),
        posts_ended=_end_posts(source, on, "merged"),
    )
    db.session.refresh(source)
    _end(source, "merged", on, reason, merged_into=target)
    return outcome


def active_children_count(org: Organization) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Organization)
        .where(Organization.parent_id == org.id, Organization.status == "active")
    )


def active_member_count(org: Organization) -> int:
    """Active members registered directly to ``org``."""
    return db.session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.org_id == org.id, Member.status.in_(ACTIVE_STATUSES))
    )


def dissolve(org: Organization, on: date, reason: str | None = None,
             move_members_to: Organization | None = None,
             move_children_to: Organization | None = None) -> Outcome:
    """Dissolve ``org``. Active members and child organisations must go somewhere first:
    refused (409, naming ``move_members_to`` / ``move_children_to``) while any remain and
    no destination is given. Members move with a ``moved`` event (reason ``"dissolved"``),
    units go with the members, current posts end; ``org`` stays as ``dissolved``."""
    _lock(org, move_members_to, move_children_to)
    _require_active(org, "org_id")
    _check_end_date(org, on)
    members = active_member_count(org)
    children = active_children_count(org)
    problems = {}
    if members and move_members_to is None:
        problems["move_members_to"] = [f"{members} active members remain; say where they go."]
    if children and move_children_to is None:
        problems["move_children_to"] = [
            f"{children} active child organizations remain; say where they go."
        ]
    if problems:
        raise ApiError(409, "The organization still has members or child organizations.",
                       problems)
    if move_members_to is not None:
        _check_destination(org, move_members_to, "move_members_to")
    if move_children_to is not None:
        _check_destination(org, move_children_to, "move_children_to")
    outcome = Outcome(
        children_moved=_move_children(org, move_children_to) if move_children_to else 0,
        members_moved=(
            _move_members(org, move_members_to, on, "dissolved", reason) if move_members_to else 0
        ),
        units_moved=_move_units(org, move_members_to) if move_members_to else 0,
        posts_ended=_end_posts(org, on, "dissolved"),
    )
    db.session.refresh(org)
    _end(org, "dissolved", on, reason)
    return outcome
