"""The score preview (预览): how a change to a standard would move the last published
cycle's scores and stars — computed in memory, nothing written.

The cycle is the newest published cycle that used the standard. Its organisations rated
with the standard are scored again with the edited items, the whole cycle is rated again
(:func:`core.assessment.rating.rate`: stars, the five-star cap, the veto are cycle-wide, so a
change of one standard can move another standard's organisations too) with the adjustments
and vetoes the assessors entered and the tenant's current settings, and every organisation's
published score and stars are set beside the new ones.

What is measured again, item by item (a run stores each item's points and a rounded
value, not the measurement a checklist scores, so only what the stored figures determine
exactly is reused):

* an item whose indicator, parameters and weight are those of the version the cycle used:
  its published points;
* a ``threshold`` item with the same parameters and a new weight: met or not is what its
  published points say (full points or none), so it gets the new weight or 0;
* a ``manual`` item: the assessors' stored scores, capped by the new weight — as a run;
* anything else (new parameters, a new indicator, another scoring kind with a new weight):
  measured again over the cycle's period, once per indicator and parameters, for all the
  organisations at once (``measure`` is set-based), then scored by the run's own code.

So the new figures are what a run of the cycle's period with the edited standard would give
(``tests/assessment/test_preview.py`` proves it against a real run). A fixed number of
queries whatever the number of organisations: the results, the manual scores, adjustments
and vetoes, and one ``measure`` per re-measured indicator.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select

from core.api.errors import ApiError
from core.assessment import cycles as cycle_service
from core.assessment import rating
from core.assessment import standards as standard_service

# The run's own helpers: a preview measures and scores exactly as a run does.
from core.assessment.evaluate import canonical_params, measure_indicator, score_item
from core.assessment.indicators import NO_DATA, IndicatorContext, to_points
from core.assessment.models.cycles import PUBLISHED, Cycle, CycleStandard, ManualScore, OrgResult
from core.assessment.models.standards import Standard
from core.assessment.settings import current as current_settings
from core.db import db
from core.orgs.models import Organization
from core.tenancy import current_tenant_id

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# How each item of the edited standard is scored (see the module docstring).
KEPT, RESCALED, MANUAL, MEASURED = "kept", "rescaled", "manual", "measured"


class NoPublishedCycle(ApiError):
    """No published cycle used the standard: there is nothing to compare with."""

    def __init__(self, standard: Standard):
        super().__init__(
            409,
            f"No published assessment cycle has used the standard {standard.name!r} yet: "
            f"there are no scores to preview a change on.",
        )


@dataclass(frozen=True)
class Row:
    """One organisation: its published score and stars, and those with the change."""

    org_id: uuid.UUID
    code: str
    name: str
    standard_id: uuid.UUID
    old_score: Decimal
    old_stars: int
    new_score: Decimal
    new_stars: int

    @property
    def change(self) -> Decimal:
        return self.new_score - self.old_score

    @property
    def move(self) -> str:
        """``up``, ``down`` or ``same``: what happens to its stars."""
        return "up" if self.new_stars > self.old_stars else "down" if self.new_stars < self.old_stars else "same"


@dataclass
class Preview:
    """The preview of a change: ``rows`` are the organisations rated with the standard
    and, after them, any organisation of another standard whose result moves too."""

    standard: Standard
    cycle: Cycle
    cycle_version: int  # the version of the standard the cycle was scored with
    base_version: int  # the version the change is made to (the current one)
    rows: list[Row]
    items: dict[str, str] = field(default_factory=dict)  # indicator key → how it was scored

    @property
    def own(self) -> list[Row]:
        return [r for r in self.rows if r.standard_id == self.standard.id]

    @property
    def others(self) -> list[Row]:
        return [r for r in self.rows if r.standard_id != self.standard.id]

    def summary(self) -> dict:
        """Over the standard's organisations: how many gain, lose or keep stars, and the
        average change of score; ``others_moved`` counts the other standards' organisations
        whose result moves."""
        own = self.own
        moves = Counter(r.move for r in own)
        total = sum((r.change for r in own), ZERO)
        average = (total / len(own)).quantize(CENT) if own else ZERO
        return {
            "orgs": len(own), "up": moves["up"], "down": moves["down"], "same": moves["same"],
            "average_change": average,
            "old_average": _average([r.old_score for r in own]),
            "new_average": _average([r.new_score for r in own]),
            "others_moved": len(self.others),
        }

    @property
    def remeasured(self) -> list[str]:
        return sorted(k for k, how in self.items.items() if how == MEASURED)


def _average(values: list[Decimal]) -> Decimal:
    return (sum(values, ZERO) / len(values)).quantize(CENT) if values else ZERO


def last_published_cycle(standard: Standard) -> Cycle | None:
    """The newest published cycle of the tenant that used ``standard`` (by end of period,
    then publication)."""
    return db.session.scalar(
        select(Cycle)
        .join(CycleStandard, CycleStandard.cycle_id == Cycle.id)
        .where(CycleStandard.standard_id == standard.id, Cycle.state == PUBLISHED)
        .order_by(Cycle.ends_on.desc(), Cycle.published_at.desc(), Cycle.id.desc())
        .limit(1)
    )


def preview(standard: Standard, items: list[dict]) -> Preview:
    """How replacing the standard's items with ``items`` (as ``PUT`` takes them) would move
    the last published cycle's scores. 422 naming each bad field, exactly as saving would;
    :class:`NoPublishedCycle` (409) when no published cycle used the standard. Writes
    nothing."""
    _before, after = standard_service.proposed(standard, items=items)
    cycle = last_published_cycle(standard)
    if cycle is None:
        raise NoPublishedCycle(standard)
    frozen = next(v for s, v in cycle_service.frozen_versions(cycle) if s.id == standard.id)
    old_items = {item.key: item for item in standard_service.resolve_items(frozen)}
    new_items = standard_service.resolve_items(SimpleNamespace(items=after["items"]))

    results = db.session.execute(
        select(OrgResult.org_id, Organization.code, Organization.name, OrgResult.sector,
               OrgResult.kind, OrgResult.parent_id, OrgResult.standard_id,
               OrgResult.items_total, OrgResult.score, OrgResult.stars)
        .join(Organization, Organization.id == OrgResult.org_id)
        .where(OrgResult.cycle_id == cycle.id)
    ).all()
    mine = select(OrgResult.org_id).where(OrgResult.cycle_id == cycle.id,
                                          OrgResult.standard_id == standard.id)
    stored = {
        org_id: {entry["key"]: entry for entry in entries or ()}
        for org_id, entries in db.session.execute(
            select(OrgResult.org_id, OrgResult.items).where(OrgResult.org_id.in_(mine),
                                                           OrgResult.cycle_id == cycle.id))
    }
    plan = _plan(new_items, old_items, stored)
    totals = _new_totals(cycle, new_items, plan, stored, mine)

    adjustments = rating.adjustment_totals(cycle)
    vetoes = rating.veto_reasons(cycle)
    standings = [
        rating.Standing(r.org_id, r.code, r.sector, r.kind, r.parent_id,
                        totals.get(r.org_id, r.items_total),
                        adjustments.get(r.org_id, rating.ZERO), vetoes.get(r.org_id))
        for r in results
    ]
    rated = rating.rate(standings, current_settings())
    rows = []
    for r in results:
        new = rated[r.org_id]
        row = Row(r.org_id, r.code, r.name, r.standard_id, r.score, r.stars, new.score, new.stars)
        if r.standard_id == standard.id or (row.new_score, row.new_stars) != (row.old_score, row.old_stars):
            rows.append(row)
    rows.sort(key=lambda row: (row.standard_id != standard.id, row.code, str(row.org_id)))
    return Preview(standard, cycle, frozen.number, standard.current_version, rows,
                   {item.key: plan[n] for n, item in enumerate(new_items)})


def _plan(new_items, old_items: dict, stored: dict) -> list[str]:
    """How each edited item is scored: kept, rescaled, manual or measured."""
    plan = []
    for item in new_items:
        old = old_items.get(item.key)
        same_params = (old is not None and old.indicator is not None
                       and canonical_params(old.params) == canonical_params(item.params))
        # Published points are only reusable where every organisation has them as scored
        # by this indicator (not "unavailable" when the cycle ran).
        usable = all(
            entries.get(item.key, {}).get("scoring") == item.indicator.scoring
            and Decimal(entries[item.key]["weight"]) == (old.weight if old else None)
            for entries in stored.values()
        ) if same_params else False
        if item.indicator.scoring == "manual":
            plan.append(MANUAL)
        elif usable and old.weight == item.weight:
            plan.append(KEPT)
        elif usable and item.indicator.scoring == "threshold":
            plan.append(RESCALED)
        else:
            plan.append(MEASURED)
    return plan


def _new_totals(cycle: Cycle, new_items, plan: list[str], stored: dict, mine) -> dict:
    """``org_id → items total`` of the standard's organisations with the edited items."""
    measured: dict[tuple[str, str], dict] = {}
    tenant_id = current_tenant_id()
    for item, how in zip(new_items, plan, strict=True):
        group = (item.key, canonical_params(item.params))
        if how == MEASURED and group not in measured:
            ctx = IndicatorContext(tenant_id, cycle.starts_on, cycle.ends_on, mine, dict(item.params))
            measured[group] = measure_indicator(item.indicator, ctx)
    manual = {}
    if MANUAL in plan:
        manual = {
            (org_id, key): (points, reason)
            for org_id, key, points, reason in db.session.execute(
                select(ManualScore.org_id, ManualScore.indicator_key, ManualScore.points,
                       ManualScore.reason).where(ManualScore.cycle_id == cycle.id))
        }
    cache: dict = {}
    totals = {}
    for org_id, entries in stored.items():
        total = ZERO
        for position, (item, how) in enumerate(zip(new_items, plan, strict=True)):
            if how == KEPT:
                points = Decimal(entries[item.key]["points"])
            elif how == RESCALED:
                entry = entries[item.key]
                met = Decimal(entry["points"]) == Decimal(entry["weight"])
                points = to_points(item.weight) if met else ZERO
            elif how == MANUAL:
                points = score_item(item, position, NO_DATA, manual.get((org_id, item.key)), cache)[1]
            else:
                found = measured[(item.key, canonical_params(item.params))]
                points = score_item(item, position, found.get(org_id, NO_DATA), None, cache)[1]
            total += points
        totals[org_id] = total
    return totals
