"""Committee posts (书记、副书记、组织委员、宣传委员、纪检委员、委员) and who held them when.

A post is never deleted: ending it sets ``ended_on``, so the list of an organisation's
secretaries over the years stays. The holder is a register member (``member_id``) or, for
someone outside the register (a 第一书记 sent from a city department), a ``person_name``.
Secretary and the three 委员 posts with a portfolio have one holder at a time; deputies and
plain committee members may be several. Callers commit.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, select

from core.api.errors import ApiError
from core.db import db
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs.models import POSTS, SINGLE_HOLDER_POSTS, Organization, OrgPost


def _refuse(field: str, message: str, status: int = 422):
    raise ApiError(status, f"{field}: {message}", {field: [message]})


def current_condition(as_of: date | None = None):
    """SQL condition: the post is held on ``as_of`` (today by default)."""
    as_of = as_of or date.today()
    return (
        OrgPost.started_on <= as_of,
        or_(OrgPost.ended_on.is_(None), OrgPost.ended_on > as_of),
    )


def start(org: Organization, *, post: str, started_on: date, member_id: uuid.UUID | None = None,
          person_name: str | None = None) -> OrgPost:
    """``member_id`` (or ``person_name``) takes ``post`` in ``org`` from ``started_on``.

    Refused: an unknown post; both or neither holder given; a member not in the register
    or no longer active (422); a single-holder post that someone still holds (409: end
    theirs first); the same person already holding the post.
    """
    if post not in POSTS:
        _refuse("post", f"Must be one of {', '.join(POSTS)}.")
    if org.status != "active":
        _refuse("org_id", f"The organization is {org.status}.")
    person_name = (person_name or "").strip() or None
    if (member_id is None) == (person_name is None):
        raise ApiError(422, "Give either member_id or person_name.",
                       {"member_id": ["Give either member_id or person_name."],
                        "person_name": ["Give either member_id or person_name."]})
    if member_id is not None:
        member = db.session.scalar(select(Member).where(Member.id == member_id))
        if member is None:
            _refuse("member_id", "No such member in the register.")
        if member.status not in ACTIVE_STATUSES:
            _refuse("member_id", f"The member's status is {member.status}.")
    if org.founded_on is not None and started_on < org.founded_on:
        _refuse("started_on", "Before the organization was founded.")
    holders = db.session.scalars(
        select(OrgPost).where(
            OrgPost.org_id == org.id, OrgPost.post == post, OrgPost.ended_on.is_(None)
        )
    ).all()
    same = [h for h in holders if (h.member_id, h.person_name) == (member_id, person_name)]
    if same:
        _refuse("post", "This person already holds the post.", 409)
    if post in SINGLE_HOLDER_POSTS and holders:
        _refuse("post", "The post has a current holder: end their term first.", 409)
    row = OrgPost(org_id=org.id, post=post, member_id=member_id, person_name=person_name,
                  started_on=started_on)
    db.session.add(row)
    return row


def end(row: OrgPost, ended_on: date, reason: str | None = None) -> OrgPost:
    """End a current post on ``ended_on`` (not before it started)."""
    if row.ended_on is not None:
        _refuse("ended_on", f"The post already ended on {row.ended_on.isoformat()}.", 409)
    if ended_on < row.started_on:
        _refuse("ended_on", "Before the post started.")
    row.ended_on = ended_on
    row.end_reason = reason
    return row


def get(org: Organization, post_id: uuid.UUID) -> OrgPost | None:
    return db.session.scalar(
        select(OrgPost).where(OrgPost.org_id == org.id, OrgPost.id == post_id)
    )


def holder_name(row: OrgPost) -> str:
    """The holder's name: the member's, or ``person_name``."""
    if row.member_id is None:
        return row.person_name or ""
    return db.session.scalar(select(Member.name).where(Member.id == row.member_id)) or ""


def posts_of(org: Organization, include_ended: bool = False) -> list[tuple[OrgPost, str]]:
    """``org``'s posts (current ones, or the whole history) with the holder's name, in
    post order then by start date — one query."""
    stmt = (
        select(OrgPost, Member.name)
        .outerjoin(Member, Member.id == OrgPost.member_id)
        .where(OrgPost.org_id == org.id)
    )
    if not include_ended:
        stmt = stmt.where(OrgPost.ended_on.is_(None))
    rows = db.session.execute(stmt).all()
    rank = {p: i for i, p in enumerate(POSTS)}
    rows.sort(key=lambda r: (rank.get(r[0].post, len(rank)), r[0].started_on, r[0].created_at))
    return [(row, name or row.person_name or "") for row, name in rows]


def current_holders(org_ids=None, post: str = "secretary",
                    as_of: date | None = None) -> dict[uuid.UUID, list[str]]:
    """Names of who holds ``post`` on ``as_of`` in each organisation (all, or ``org_ids``),
    one query: e.g. the secretaries for an export."""
    stmt = (
        select(OrgPost.org_id, Member.name, OrgPost.person_name)
        .outerjoin(Member, Member.id == OrgPost.member_id)
        .where(OrgPost.post == post, *current_condition(as_of))
        .order_by(OrgPost.started_on)
    )
    if org_ids is not None:
        stmt = stmt.where(OrgPost.org_id.in_(list(org_ids)))
    found: dict[uuid.UUID, list[str]] = {}
    for org_id, member_name, person_name in db.session.execute(stmt):
        found.setdefault(org_id, []).append(member_name or person_name or "")
    return found
