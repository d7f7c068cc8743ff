"""One grade per review entry, from the ratings, the organisation's assessment result and
its open warnings, with the tenant's settings (:mod:`core.reviews.settings`).

The formula (every step is kept in the entry's ``breakdown``)::

    avg_g   = mean of score(rating) over the ratings of rater group g
              (score_good / score_fairly_good / score_average / score_poor)
    R       = Σ w_g · avg_g / Σ w_g   over the groups g with at least one rating
              (w_g = weight_members / weight_peers / weight_higher; a group with no rating
              drops out and the others share its weight); none: no R
    A       = the organisation's score in the year's published yearly star-rating cycle
              (评星定级), clamped to 0–100; none: no A
    base    = (1 − a) · R + a · A     with a = assessment_weight, when both exist
            = R                       without A
            = A                       without R
              (neither: the entry cannot be graded — publication refuses it)
    D       = min(warning_deduction_cap, warning_deduction · W),
              W = the organisation's warnings still open at publication
    score   = max(0, base − D), rounded half up to 0.01
    grade   = good (好) if score ≥ grade_good, fairly_good (较好) if ≥ grade_fairly_good,
              average (一般) if ≥ grade_average, else poor (差)

The arithmetic is :class:`~decimal.Decimal` throughout (settings are read through their
decimal text), so a grade is reproducible to the cent. :func:`compute` is pure; the
``*_for`` functions gather its inputs for many organisations at once (one query each).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from core.db import db
from core.reviews.models import (
    AVERAGE,
    FAIRLY_GOOD,
    GOOD,
    POOR,
    RATER_GROUPS,
    ReviewRating,
)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class Ungradable(ValueError):
    """Neither a rating nor an assessment result: nothing to grade from."""


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass
class Grade:
    score: Decimal
    grade: str
    breakdown: dict = field(default_factory=dict)


def grade_of(score: Decimal, settings: Mapping) -> str:
    if score >= _d(settings["grade_good"]):
        return GOOD
    if score >= _d(settings["grade_fairly_good"]):
        return FAIRLY_GOOD
    if score >= _d(settings["grade_average"]):
        return AVERAGE
    return POOR


def compute(ratings: Mapping[str, Iterable[str]], assessment_score, open_warnings: int,
            settings: Mapping) -> Grade:
    """The grade from ``ratings`` (rater group → the ratings given: ``good`` …),
    ``assessment_score`` (or None) and the number of ``open_warnings`` (see the module).
    Raises :class:`Ungradable` when there is neither a rating nor an assessment score."""
    points = {rating: _d(settings[f"score_{rating}"]) for rating in (GOOD, FAIRLY_GOOD, AVERAGE, POOR)}
    groups = {}
    weighted = Decimal(0)
    weights = Decimal(0)
    for group in RATER_GROUPS:
        given = list(ratings.get(group) or ())
        weight = _d(settings[f"weight_{group}"])
        if not given:
            groups[group] = {"count": 0, "average": None, "weight": str(weight), "used": False}
            continue
        average = sum((points[r] for r in given), Decimal(0)) / len(given)
        used = weight > 0
        groups[group] = {"count": len(given), "average": str(average.quantize(CENT, ROUND_HALF_UP)),
                         "weight": str(weight), "used": used}
        if used:
            weighted += weight * average
            weights += weight
    rating_score = weighted / weights if weights > 0 else None
    assessment = None
    if assessment_score is not None:
        assessment = min(HUNDRED, max(Decimal(0), _d(assessment_score)))
    share = _d(settings["assessment_weight"])
    if rating_score is not None and assessment is not None:
        base = (1 - share) * rating_score + share * assessment
    elif rating_score is not None:
        base = rating_score
    elif assessment is not None:
        base = assessment
    else:
        raise Ungradable("no rating and no assessment result")
    deduction = min(_d(settings["warning_deduction_cap"]), _d(settings["warning_deduction"]) * open_warnings)
    score = max(Decimal(0), base - deduction).quantize(CENT, ROUND_HALF_UP)
    grade = grade_of(score, settings)

    def text(value):
        return str(value.quantize(CENT, ROUND_HALF_UP)) if value is not None else None

    breakdown = {
        "groups": groups,
        "rating_score": text(rating_score),
        "assessment_score": text(assessment),
        "assessment_weight": str(share) if rating_score is not None and assessment is not None else None,
        "base": text(base),
        "open_warnings": open_warnings,
        "deduction": text(deduction),
        "score": str(score),
        "grade": grade,
    }
    return Grade(score=score, grade=grade, breakdown=breakdown)


# -- inputs, set-based -----------------------------------------------------------------------


def ratings_for(entry_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, list[str]]]:
    """entry id → rater group → the ratings given (one query)."""
    found: dict[uuid.UUID, dict[str, list[str]]] = {}
    if not entry_ids:
        return found
    rows = db.session.execute(
        select(ReviewRating.entry_id, ReviewRating.rater_group, ReviewRating.rating)
        .where(ReviewRating.entry_id.in_(entry_ids))
    )
    for entry_id, group, rating in rows:
        found.setdefault(entry_id, {}).setdefault(group, []).append(rating)
    return found


def assessment_scores_for(org_ids: list[uuid.UUID], year: int) -> dict[uuid.UUID, Decimal]:
    """org id → its score in the newest published yearly star-rating cycle of ``year``
    (one query; an organisation assessed in none is absent). Read-only use of the
    assessment slice's published results."""
    from core.assessment.models.cycles import PUBLISHED, Cycle, OrgResult

    if not org_ids:
        return {}
    rows = db.session.execute(
        select(OrgResult.org_id, OrgResult.score, Cycle.published_at)
        .join(Cycle, Cycle.id == OrgResult.cycle_id)
        .where(Cycle.state == PUBLISHED, Cycle.period == "year", Cycle.year == year,
               OrgResult.org_id.in_(org_ids))
        .order_by(Cycle.published_at)
    )
    return {org_id: score for org_id, score, _ in rows}  # the newest cycle wins


def open_warnings_for(org_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """org id → how many of its warnings are open now (one GROUP BY)."""
    from core.warnings.models import OPEN, Warning

    if not org_ids:
        return {}
    rows = db.session.execute(
        select(Warning.org_id, func.count()).where(Warning.state == OPEN, Warning.org_id.in_(org_ids))
        .group_by(Warning.org_id)
    )
    return {org_id: count for org_id, count in rows}
