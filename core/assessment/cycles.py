"""Assessment cycles (考核周期): opening, the states, and the assessors' review.

States::

    open ──run──▶ evaluated ──publish──▶ published
                    ▲  │run                 │reopen (with a reason)
                    │  ▼                    ▼
                    └─ evaluated ◀──────────┘

* **open** — the standards are frozen (:class:`CycleStandard`: the version current at
  opening), nothing evaluated yet. Adjustments and vetoes may already be entered.
* **evaluated** — a run (:mod:`core.assessment.evaluate`) wrote the results; assessors score
  manual indicators, adjust (加减分) and veto (一票否决); each of these recomputes the
  cycle's totals, stars, caps and ranks at once (:func:`core.assessment.rating.recompute`),
  without measuring again. Running again replaces the computed results and keeps what the
  assessors entered.
* **published** — results are visible to everyone who sees the organisations; nothing
  changes until it is reopened (with a reason), which takes it back to *evaluated*.

Every transition and decision is an ORM write, so it is audited; the cycle's ``version``
(optimistic lock) moves with each of them, so a run and a publication, or two assessors,
cannot overwrite each other unseen (409). Permission checks are the API's; this module
assumes the caller may act. The caller commits.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.api.errors import ApiError
from core.assessment import standards as standard_service
from core.assessment.indicators import score as score_item
from core.assessment.indicators import to_points
from core.assessment.models.cycles import (
    EVALUATED,
    OPEN,
    PERIODS,
    PUBLISHED,
    Adjustment,
    Cycle,
    CycleStandard,
    Item,
    ManualScore,
    OrgResult,
    Veto,
)
from core.assessment.models.standards import Standard, StandardVersion
from core.auth.context import current_actor
from core.db import db, versioning
from core.db.mixins import utcnow
from core.orgs import service as orgs
from core.orgs.models import Organization

PARTS = {"year": 1, "half": 2, "quarter": 4}
PERIOD_NAMES = {"year": "年度", "half": "半年", "quarter": "季度"}
STATE_NAMES = {OPEN: "未评估", EVALUATED: "已评估", PUBLISHED: "已发布"}
ADJUSTMENT_MAX = Decimal("100")


def _refuse(status: int, message: str, field: str | None = None):
    raise ApiError(status, message, {field: [message]} if field else None)


def period_dates(period: str, year: int, part: int = 1) -> tuple[date, date]:
    """The first and last day of ``part`` of ``year`` (422 naming the field when invalid)."""
    if period not in PARTS:
        _refuse(422, f"Unknown period {period!r}; one of {', '.join(PERIODS)}.", "period")
    if not 2000 <= year <= 2100:
        _refuse(422, "The year must be between 2000 and 2100.", "year")
    if not 1 <= part <= PARTS[period]:
        _refuse(422, f"A {period} has parts 1–{PARTS[period]}.", "part")
    months = 12 // PARTS[period]
    first = (part - 1) * months + 1
    last = first + months - 1
    end = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return date(year, first, 1), date.fromordinal(end.toordinal() - 1)


def _actor() -> tuple[str, uuid.UUID | None]:
    actor = current_actor()
    return (actor.label, actor.user_id) if actor is not None else ("system", None)


def flush() -> None:
    """Flush; a cycle changed by someone else since it was read is a 409."""
    versioning.flush("assessment cycle")


def check_version(cycle: Cycle, expected: int | None) -> None:
    versioning.check_version(cycle, expected, "assessment cycle")


def touch(cycle: Cycle) -> None:
    """Move the cycle's version (an assessor's decision changes what it says)."""
    cycle.updated_at = utcnow()


# -- opening and reading ---------------------------------------------------------------------


def open_cycle(*, name: str, period: str, year: int, part: int = 1, root_org: Organization,
               standard_ids: list | None = None) -> Cycle:
    """Open a cycle for ``root_org``'s subtree over the period, freezing the current version
    of each standard it uses: the ones given, or every active standard of the tenant.
    422 naming the field for an unknown or inactive standard, or none at all. Flushed."""
    starts_on, ends_on = period_dates(period, year, part)
    orgs.require_active(root_org, "root_org_id")
    if standard_ids is None:
        chosen = standard_service.list_standards(active_only=True)
        if not chosen:
            _refuse(422, "The tenant has no active standard to assess with; create one first.",
                    "standard_ids")
    else:
        if not standard_ids:
            _refuse(422, "Choose at least one standard (or leave it out: all active ones).",
                    "standard_ids")
        chosen, errors = [], {}
        for n, standard_id in enumerate(dict.fromkeys(standard_ids)):
            standard = standard_service.get_standard(standard_id)
            if standard is None:
                errors[f"standard_ids.{n}"] = ["Unknown standard."]
            elif not standard.active:
                errors[f"standard_ids.{n}"] = ["The standard is not active."]
            else:
                chosen.append(standard)
        if errors:
            raise ApiError(422, "Unknown or inactive standards.", errors)
    label, _ = _actor()
    cycle = Cycle(
        name=name, period=period, year=year, part=part, starts_on=starts_on, ends_on=ends_on,
        root_org_id=root_org.id, all_standards=standard_ids is None, state=OPEN, created_by=label,
    )
    db.session.add(cycle)
    db.session.flush()
    for standard in chosen:
        version = standard_service.latest_version(standard)
        db.session.add(CycleStandard(cycle_id=cycle.id, standard_id=standard.id, version_id=version.id))
    db.session.flush()
    return cycle


def get(cycle_id) -> Cycle | None:
    try:
        parsed = cycle_id if isinstance(cycle_id, uuid.UUID) else uuid.UUID(str(cycle_id))
    except (ValueError, TypeError, AttributeError):
        return None
    return db.session.scalar(select(Cycle).where(Cycle.id == parsed))


def frozen_versions(cycle: Cycle) -> list[tuple[Standard, StandardVersion]]:
    """The standards the cycle uses and the versions frozen for it, by standard name."""
    rows = db.session.execute(
        select(Standard, StandardVersion)
        .join(CycleStandard, CycleStandard.standard_id == Standard.id)
        .join(StandardVersion, StandardVersion.id == CycleStandard.version_id)
        .where(CycleStandard.cycle_id == cycle.id)
        .order_by(Standard.name, Standard.id)
    ).all()
    return [(s, v) for s, v in rows]


def root_of(cycle: Cycle) -> Organization:
    return orgs.get(cycle.root_org_id)


def result(cycle: Cycle, org_id) -> OrgResult | None:
    return db.session.scalar(
        select(OrgResult).where(OrgResult.cycle_id == cycle.id, OrgResult.org_id == org_id)
    )


def items(cycle: Cycle, org_id) -> list[Item]:
    """The organisation's item scores in the cycle, in the standard's order."""
    found = result(cycle, org_id)
    return [Item.from_json(entry) for entry in found.items or ()] if found is not None else []


def adjustments(cycle: Cycle, org_id) -> list[Adjustment]:
    return list(db.session.scalars(
        select(Adjustment)
        .where(Adjustment.cycle_id == cycle.id, Adjustment.org_id == org_id)
        .order_by(Adjustment.created_at, Adjustment.id)
    ))


def manual_scores(cycle: Cycle, org_id) -> list[ManualScore]:
    return list(db.session.scalars(
        select(ManualScore)
        .where(ManualScore.cycle_id == cycle.id, ManualScore.org_id == org_id)
        .order_by(ManualScore.indicator_key)
    ))


def veto(cycle: Cycle, org_id) -> Veto | None:
    return db.session.scalar(select(Veto).where(Veto.cycle_id == cycle.id, Veto.org_id == org_id))


# -- transitions -----------------------------------------------------------------------------


def require_runnable(cycle: Cycle) -> None:
    if cycle.state not in (OPEN, EVALUATED):
        _refuse(409, "A published cycle cannot be run again; reopen it first.", "state")


def publish(cycle: Cycle, expected_version: int | None = None) -> Cycle:
    """evaluated → published (409 from any other state or a stale ``version``)."""
    check_version(cycle, expected_version)
    if cycle.state != EVALUATED:
        why = "it has not been evaluated yet" if cycle.state == OPEN else "it is already published"
        _refuse(409, f"The cycle cannot be published: {why}.", "state")
    cycle.state = PUBLISHED
    cycle.published_at = utcnow()
    flush()
    return cycle


def reopen(cycle: Cycle, reason: str, expected_version: int | None = None) -> Cycle:
    """published → evaluated, with the reason (409 unless published or on a stale version)."""
    check_version(cycle, expected_version)
    if cycle.state != PUBLISHED:
        _refuse(409, "Only a published cycle can be reopened.", "state")
    if not reason or not reason.strip():
        _refuse(422, "Say why the cycle is reopened.", "reason")
    cycle.state = EVALUATED
    cycle.reopened_at = utcnow()
    cycle.reopen_reason = reason.strip()
    flush()
    return cycle


# -- the assessors' review -------------------------------------------------------------------


def _reviewable(cycle: Cycle) -> None:
    if cycle.state == PUBLISHED:
        _refuse(409, "The cycle is published: reopen it before changing results.", "state")


def _assessed(cycle: Cycle, org_id) -> OrgResult | None:
    """The organisation's result (evaluated cycle), or ``None`` in an open cycle after
    checking the organisation is in its subtree; 404 when it is not part of the cycle."""
    if cycle.state == OPEN:
        org = orgs.get(org_id)
        root = root_of(cycle)
        if org is None or org.status != "active" or not orgs.covers(root.path, org.path):
            raise ApiError(404, f"organization {org_id} is not in this cycle")
        return None
    found = result(cycle, org_id)
    if found is None:
        raise ApiError(404, f"organization {org_id} is not assessed in this cycle")
    return found


def set_manual_score(cycle: Cycle, org_id, indicator_key: str, points, reason: str,
                     expected_version: int | None = None) -> ManualScore:
    """An assessor's score for a manual indicator of the organisation's standard
    (0 … the item's weight; 422 naming ``points`` or ``indicator_key``). Recomputes the
    cycle. Needs an evaluated cycle: until a run, nobody knows which standard rates whom.
    ``expected_version``: the score's version the caller read (0: none yet); another one is
    a 409 naming ``version``."""
    _reviewable(cycle)
    if cycle.state == OPEN:
        _refuse(409, "Run the cycle first: manual scores are entered on its results.", "state")
    assessed = _assessed(cycle, org_id)
    entries = list(assessed.items or ())
    position = next((n for n, entry in enumerate(entries) if entry["key"] == indicator_key), None)
    item = Item.from_json(entries[position]) if position is not None else None
    if item is None or item.scoring != "manual":
        _refuse(422, f"{indicator_key!r} is not a manual indicator of this organisation's standard.",
                "indicator_key")
    points = _points(points, "points")
    if points < 0 or points > item.weight:
        _refuse(422, f"Must be between 0 and {item.weight} (the indicator's weight).", "points")
    reason = _reason(reason)
    label, user_id = _actor()
    entry = db.session.scalar(select(ManualScore).where(
        ManualScore.cycle_id == cycle.id, ManualScore.org_id == org_id,
        ManualScore.indicator_key == indicator_key,
    ))
    versioning.check_row_version(entry, expected_version, "manual score")
    if entry is None:
        entry = ManualScore(cycle_id=cycle.id, org_id=org_id, indicator_key=indicator_key)
        db.session.add(entry)
    entry.points, entry.reason = points, reason
    entry.entered_by, entry.entered_by_user_id = label, user_id
    entries[position] = _rescored(item, points, reason).to_json()
    assessed.items = entries  # a new list: the JSON column sees the change
    assessed.items_total = sum((Decimal(e["points"]) for e in entries), Decimal("0.00"))
    touch(cycle)
    _recompute(cycle)
    return entry


def _rescored(item: Item, points: Decimal, reason: str) -> Item:
    """The item as :func:`core.assessment.indicators.score` explains a manual score (the
    same words a run writes)."""
    from core.assessment.indicators import NO_DATA, Indicator

    stand_in = Indicator(key=item.key, name=item.name, scoring="manual", max_points=float(item.weight))
    scored = score_item(stand_in, NO_DATA, {}, item.weight, points, reason)
    return replace(item, points=scored.points, explanation=scored.explanation)


def add_adjustment(cycle: Cycle, org_id, points, reason: str) -> Adjustment:
    """± points with a reason (−100 … 100, not 0). Recomputes the cycle."""
    _reviewable(cycle)
    _assessed(cycle, org_id)
    points = _points(points, "points")
    if points == 0 or abs(points) > ADJUSTMENT_MAX:
        _refuse(422, "Must be between -100 and 100, and not 0.", "points")
    label, user_id = _actor()
    entry = Adjustment(cycle_id=cycle.id, org_id=org_id, points=points, reason=_reason(reason),
                       entered_by=label, entered_by_user_id=user_id)
    db.session.add(entry)
    touch(cycle)
    _recompute(cycle)
    return entry


def delete_adjustment(cycle: Cycle, org_id, adjustment_id) -> None:
    """Withdraw an adjustment (404 when it is not this organisation's in this cycle)."""
    _reviewable(cycle)
    _assessed(cycle, org_id)
    try:
        parsed = uuid.UUID(str(adjustment_id))
    except ValueError:
        parsed = None
    entry = parsed and db.session.scalar(select(Adjustment).where(
        Adjustment.id == parsed, Adjustment.cycle_id == cycle.id, Adjustment.org_id == org_id,
    ))
    if not entry:
        raise ApiError(404, f"adjustment {adjustment_id} not found")
    db.session.delete(entry)
    touch(cycle)
    _recompute(cycle)


def set_veto(cycle: Cycle, org_id, reason: str, note: str | None = None,
             expected_version: int | None = None) -> Veto:
    """一票否决 with one of the tenant's veto reasons (422 naming ``reason`` otherwise).
    Replaces an earlier veto of the organisation. Recomputes the cycle.
    ``expected_version``: the veto's version the caller read (0: none yet); another one is
    a 409 naming ``version``."""
    from core.assessment.settings import current

    _reviewable(cycle)
    _assessed(cycle, org_id)
    allowed = current()["veto_reasons"]
    if reason not in allowed:
        _refuse(422, f"Not one of the tenant's veto reasons: {'；'.join(allowed)}.", "reason")
    label, user_id = _actor()
    entry = veto(cycle, org_id)
    versioning.check_row_version(entry, expected_version, "veto")
    if entry is None:
        entry = Veto(cycle_id=cycle.id, org_id=org_id)
        db.session.add(entry)
    entry.reason, entry.note = reason, (note.strip() or None) if note else None
    entry.entered_by, entry.entered_by_user_id = label, user_id
    touch(cycle)
    _recompute(cycle)
    return entry


def clear_veto(cycle: Cycle, org_id) -> None:
    """Lift a veto (404 when there is none). Recomputes the cycle."""
    _reviewable(cycle)
    _assessed(cycle, org_id)
    entry = veto(cycle, org_id)
    if entry is None:
        raise ApiError(404, f"organization {org_id} has no veto in this cycle")
    db.session.delete(entry)
    touch(cycle)
    _recompute(cycle)


def _recompute(cycle: Cycle) -> None:
    from core.assessment import rating

    flush()
    if cycle.state != OPEN:
        rating.recompute(cycle)


def _points(raw, field: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite() or isinstance(raw, bool):
        _refuse(422, "Not a valid number.", field)
    if value != value.quantize(Decimal("0.01")):
        _refuse(422, "At most two decimal places.", field)
    return to_points(value)


def _reason(reason) -> str:
    if not isinstance(reason, str) or not reason.strip():
        _refuse(422, "Give the reason.", "reason")
    return reason.strip()


def latest_published(period: str, before: date) -> Cycle | None:
    """The published cycle of ``period`` that ended last before ``before`` (for display)."""
    return db.session.scalar(
        select(Cycle)
        .where(Cycle.period == period, Cycle.state == PUBLISHED, Cycle.ends_on < before)
        .order_by(Cycle.ends_on.desc(), Cycle.published_at.desc())
        .limit(1)
    )


def count_results(cycle: Cycle) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OrgResult).where(OrgResult.cycle_id == cycle.id)
    ) or 0


def newest_published() -> Cycle | None:
    """The most recently ended published cycle of the tenant."""
    return db.session.scalar(
        select(Cycle).where(Cycle.state == PUBLISHED)
        .order_by(Cycle.ends_on.desc(), Cycle.created_at.desc()).limit(1)
    )


def star_counts(cycle: Cycle, root_path: str | None, visible) -> dict[int, int]:
    """``{stars: organisations}`` of ``cycle``'s results in a subtree the user sees (one
    GROUP BY), every star level from 1 to 5 present."""
    from core.orgs.service import subtree_filter

    conditions = [OrgResult.cycle_id == cycle.id, visible]
    if root_path is not None:
        conditions.append(subtree_filter(root_path))
    rows = db.session.execute(
        select(OrgResult.stars, func.count())
        .join(Organization, Organization.id == OrgResult.org_id)
        .where(*conditions).group_by(OrgResult.stars)
    ).all()
    counts = {stars: 0 for stars in range(1, 6)}
    counts.update({int(stars): int(n) for stars, n in rows})
    return counts
