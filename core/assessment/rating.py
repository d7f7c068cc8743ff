"""Stars (评星定级): totals, thresholds, the five-star cap, the veto, ranks and changes.

:func:`rate` is pure: from each organisation's item points, adjustments and veto it works
out, for the whole cycle at once,

* the score: items + adjustments, kept within 0–100; what keeping it there took is the
  ``clamp`` (shown as the item "调整"), so the breakdown always adds up to the score;
* stars from the tenant's thresholds (default 90/80/70/60 → 5/4/3/2, else 1);
* the five-star cap (``five_star_cap``, a share such as 0.2): of the *n* organisations
  assessed, only the best ``floor(share × n)`` by score keep five stars — equal scores
  ordered by organisation code, then id, and the note says so — the others get four;
* the veto (一票否决): ``veto_stars`` (default 1; never more than the score gives), with the
  reason in the notes; a vetoed organisation takes no five-star place;
* ranks "n of m" by score among peers (same sector and kind in the cycle) and among the
  organisations of the same parent — equal scores share a rank (1, 2, 2, 4);
* the change since the previous published cycle of the same period kind that ended before
  this one starts (latest per organisation): up, down, same, or new (升星/降星/持平/首次).

:func:`recompute` applies it to a cycle's stored results after an assessor's decision: a
fixed number of statements (read the results, adjustments and vetoes, one executemany UPDATE of the rows
that changed, then the vanguard indices of the organisations whose figures changed), however
many organisations the cycle has; nothing is measured again.

A change of one score moves the ranks of many organisations, but only those whose score,
stars or fortress index changed have their members' vanguard indices recomputed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import defer

from core.assessment.indicators import _fmt, to_points
from core.assessment.models.cycles import (
    PUBLISHED,
    Adjustment,
    Cycle,
    OrgResult,
    Veto,
)
from core.db import db
from core.db.mixins import utcnow
from core.orgs.models import Organization

ZERO = Decimal("0.00")
HUNDRED = Decimal("100.00")
CHANGE_NAMES = {"up": "升星", "down": "降星", "same": "持平", "new": "首次参评"}


@dataclass
class Standing:
    """What rating needs of one organisation."""

    org_id: uuid.UUID
    code: str
    sector: str | None
    kind: str
    parent_id: uuid.UUID | None
    items_total: Decimal
    adjustments_total: Decimal = ZERO
    veto_reason: str | None = None


@dataclass
class Rated:
    items_total: Decimal
    adjustments_total: Decimal
    clamp: Decimal
    score: Decimal
    score_stars: int
    stars: int
    capped: bool = False
    vetoed: bool = False
    notes: list[str] = field(default_factory=list)
    rank_peers: int | None = None
    peers_count: int | None = None
    rank_parent: int | None = None
    parent_count: int | None = None
    previous_cycle_id: uuid.UUID | None = None
    previous_stars: int | None = None
    change: str | None = None

    def values(self) -> dict:
        return dict(self.__dict__)


def stars_for(score: Decimal, thresholds) -> tuple[int, str]:
    """Stars by the thresholds (five, four, three, two stars' minimum) and why."""
    for stars, minimum in zip((5, 4, 3, 2), thresholds, strict=True):
        if score >= Decimal(minimum):
            return stars, f"得分 {_fmt(score)}，不低于 {_fmt(minimum)} 分，评为 {stars} 星"
    return 1, f"得分 {_fmt(score)}，低于 {_fmt(thresholds[-1])} 分，评为 1 星"


def _ranks(group: list[tuple[uuid.UUID, Decimal]]) -> dict[uuid.UUID, int]:
    """Competition ranks by score, highest first (1, 2, 2, 4)."""
    ordered = sorted(group, key=lambda pair: pair[1], reverse=True)
    ranks, previous, rank = {}, None, 0
    for position, (org_id, score) in enumerate(ordered, start=1):
        if score != previous:
            rank, previous = position, score
        ranks[org_id] = rank
    return ranks


def rate(standings: list[Standing], settings: dict,
         previous: dict[uuid.UUID, tuple[uuid.UUID, int]] | None = None) -> dict[uuid.UUID, Rated]:
    """The rating of every organisation of a cycle (see the module docstring)."""
    previous = previous or {}
    thresholds = [Decimal(t) for t in settings["star_thresholds"]]
    veto_stars = int(settings["veto_stars"])
    rated: dict[uuid.UUID, Rated] = {}
    for s in standings:
        raw = to_points(s.items_total) + to_points(s.adjustments_total)
        score = min(max(raw, ZERO), HUNDRED)
        stars, why = stars_for(score, thresholds)
        rated[s.org_id] = Rated(
            items_total=to_points(s.items_total), adjustments_total=to_points(s.adjustments_total),
            clamp=score - raw, score=score, score_stars=stars, stars=stars, notes=[why],
        )
    _cap(standings, rated, settings.get("five_star_cap"))
    for s in standings:
        if s.veto_reason is not None:
            r = rated[s.org_id]
            r.vetoed = True
            r.stars = min(r.stars, veto_stars)
            r.notes.append(f"一票否决：{s.veto_reason}，评为 {r.stars} 星")
    _rank(standings, rated)
    for s in standings:
        r = rated[s.org_id]
        before = previous.get(s.org_id)
        if before is None:
            r.change = "new"
            continue
        r.previous_cycle_id, r.previous_stars = before
        r.change = "up" if r.stars > r.previous_stars else "down" if r.stars < r.previous_stars else "same"
    return rated


def _cap(standings: list[Standing], rated: dict[uuid.UUID, Rated], share) -> None:
    if share is None:
        return
    share = Decimal(share)
    n = len(standings)
    places = int((share * n).to_integral_value(rounding=ROUND_FLOOR))
    five = [s for s in standings if rated[s.org_id].score_stars == 5 and s.veto_reason is None]
    five.sort(key=lambda s: (-rated[s.org_id].score, s.code, str(s.org_id)))
    if len(five) <= places:
        return
    last_kept = rated[five[places - 1].org_id].score if places else None
    for position, s in enumerate(five, start=1):
        r = rated[s.org_id]
        tie = last_kept is not None and r.score == last_kept
        tie_note = "（同分按组织编码先后排序）" if tie else ""
        if position <= places:
            if tie:
                r.notes.append(f"五星名额 {places} 个，按得分排第 {position} 位{tie_note}，保留五星")
            continue
        r.stars, r.capped = 4, True
        r.notes.append(
            f"五星比例上限 {_fmt(share * 100)}%：{n} 个参评组织至多 {places} 个五星，"
            f"本组织在五星档中按得分排第 {position} 位{tie_note}，评为 4 星"
        )


def _rank(standings: list[Standing], rated: dict[uuid.UUID, Rated]) -> None:
    peers, siblings = defaultdict(list), defaultdict(list)
    for s in standings:
        peers[(s.sector, s.kind)].append((s.org_id, rated[s.org_id].score))
        siblings[s.parent_id].append((s.org_id, rated[s.org_id].score))
    for group in peers.values():
        for org_id, rank in _ranks(group).items():
            rated[org_id].rank_peers, rated[org_id].peers_count = rank, len(group)
    for group in siblings.values():
        for org_id, rank in _ranks(group).items():
            rated[org_id].rank_parent, rated[org_id].parent_count = rank, len(group)


# -- reading what rating needs ---------------------------------------------------------------


def previous_stars(cycle: Cycle, org_ids) -> dict[uuid.UUID, tuple[uuid.UUID, int]]:
    """``org_id → (cycle id, stars)`` from the latest published cycle of the same period kind
    that ended before ``cycle`` starts and rated the organisation; ``org_ids`` is a SELECT."""
    ranked = (
        select(
            OrgResult.org_id, OrgResult.cycle_id, OrgResult.stars,
            func.row_number().over(
                partition_by=OrgResult.org_id,
                order_by=(Cycle.ends_on.desc(), Cycle.published_at.desc(), Cycle.id.desc()),
            ).label("n"),
        )
        .join(Cycle, Cycle.id == OrgResult.cycle_id)
        .where(
            Cycle.period == cycle.period, Cycle.state == PUBLISHED, Cycle.ends_on < cycle.starts_on,
            Cycle.tenant_id == OrgResult.tenant_id, OrgResult.org_id.in_(org_ids),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.org_id, ranked.c.cycle_id, ranked.c.stars).where(ranked.c.n == 1)
    )
    return {org_id: (cycle_id, stars) for org_id, cycle_id, stars in rows}


def adjustment_totals(cycle: Cycle) -> dict[uuid.UUID, Decimal]:
    rows = db.session.execute(
        select(Adjustment.org_id, func.sum(Adjustment.points))
        .where(Adjustment.cycle_id == cycle.id).group_by(Adjustment.org_id)
    )
    return {org_id: to_points(total or 0) for org_id, total in rows}


def veto_reasons(cycle: Cycle) -> dict[uuid.UUID, str]:
    return dict(db.session.execute(select(Veto.org_id, Veto.reason).where(Veto.cycle_id == cycle.id)).all())


RATED_COLUMNS = tuple(Rated.__dataclass_fields__)


def recompute(cycle: Cycle) -> set[uuid.UUID]:
    """Re-rate the cycle's stored results (after a manual score, an adjustment or a veto);
    returns the organisations whose row changed. Flushes nothing of its own; the caller
    has flushed its change and commits."""
    from core.assessment import indices
    from core.assessment.settings import current

    settings = current()
    fortress = indices.fortress_formula(settings)
    with_items = fortress.uses_prefix("ind_") or fortress.uses_prefix("val_")
    stored = db.session.execute(
        select(OrgResult, Organization.code)
        .join(Organization, Organization.id == OrgResult.org_id)
        .where(OrgResult.cycle_id == cycle.id)
        .options(*(() if with_items else (defer(OrgResult.items),)))
    ).all()
    if not stored:
        return set()
    adjustments = adjustment_totals(cycle)
    vetoes = veto_reasons(cycle)
    standings = [
        Standing(r.org_id, code, r.sector, r.kind, r.parent_id, r.items_total,
                 adjustments.get(r.org_id, ZERO), vetoes.get(r.org_id))
        for r, code in stored
    ]
    in_cycle = select(OrgResult.org_id).where(OrgResult.cycle_id == cycle.id)
    rated = rate(standings, settings, previous_stars(cycle, in_cycle))
    now = utcnow()
    changed_rows, changed_orgs, branch = [], set(), {}
    for row, _code in stored:
        values = rated[row.org_id].values()
        values["fortress_index"], values["index_note"] = indices.fortress_index(
            fortress, values, row.member_count, row.avg_points,
            indices.item_figures(row.items) if with_items else {},
        )
        figures_now = (values["score"], values["stars"], values["fortress_index"])
        if figures_now != (row.score, row.stars, row.fortress_index):
            branch[row.org_id] = figures_now  # what its members' vanguard indices read
        if any(getattr(row, k) != v for k, v in values.items()):
            changed_orgs.add(row.org_id)
            changed_rows.append({"tenant_id": row.tenant_id, "id": row.id, "updated_at": now, **values})
    # The rows were loaded as objects: expire them so nobody reads the old values after the
    # bulk UPDATE below (which bypasses the identity map).
    for row, _code in stored:
        db.session.expire(row)
    if changed_rows:
        db.session.execute(update(OrgResult), changed_rows)
    if branch:
        indices.refresh_members(cycle, branch, settings)
    return changed_orgs
