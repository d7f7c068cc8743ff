"""What an indicator (指标) is, and how each kind of indicator turns a measurement into points.

An indicator is data returned by the ``dangjian_indicators`` hook (core ships the
sector-neutral ones from its slices; sector plugins add their own). It says what it reads,
how it scores and its default maximum; a **standard** (:mod:`core.assessment.standards`)
picks indicators, gives each a weight (the points it is worth in that standard) and may
change its parameters.

Measuring is **set-based**: ``measure(ctx)`` is called once per cycle for every organisation
assessed under the indicator and returns ``{org_id: Measurement}`` from a few aggregate
queries filtered with ``Model.org_id.in_(ctx.orgs)``; it never queries per organisation.
An organisation it leaves out is measured as "no data" (value 0).

Scoring kinds (:data:`SCORINGS`) and the parameters each reads:

* ``threshold`` — full points when ``value >= target`` (``op: "<="`` for "at most"), else 0;
  no data (``value`` None) never meets it.
* ``proportional`` — ``points × min(value / target, 1)``.
* ``checklist`` — the measurement's ``items`` (item → met); points in proportion to the
  items met, weighted by the optional ``weights`` parameter (item → weight, default 1).
* ``manual`` — entered by an assessor during review (0 … the item's points, with a reason);
  nothing is measured.
* ``deduction`` — starts at full points and loses ``per_unit`` points for each occurrence
  counted in ``value`` (never below 0).

Every score carries its explanation (Chinese) and the evidence behind the number, so a
secretary can see why their branch lost points; the item scores of an organisation add up
exactly to its score (points are rounded once, per item, to two decimals).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from marshmallow import Schema

SCORINGS = ("threshold", "proportional", "checklist", "manual", "deduction")
ORG_KINDS = ("committee", "general_branch", "branch", "joint_branch", "group")

# The parameters a scoring kind reads, which the indicator's params schema must declare.
REQUIRED_PARAMS = {
    "threshold": ("target",),
    "proportional": ("target",),
    "deduction": ("per_unit",),
    "checklist": (),
    "manual": (),
}

CENT = Decimal("0.01")


def to_points(value) -> Decimal:
    """A number as points: a Decimal with two places (floats go through ``str``)."""
    if isinstance(value, Decimal):
        return value.quantize(CENT, ROUND_HALF_UP)
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Measurement:
    """What an indicator measured for one organisation.

    * ``value`` — the number scored (a count, a rate in %, an amount); ``None`` = no data.
    * ``items`` — for checklists: item key → met.
    * ``evidence`` — JSON-safe facts behind the number, shown with the score
      (``{"meetings": 11, "months_missing": ["2026-03"]}``); keep it small (ids, counts).
    """

    value: float | Decimal | int | None = None
    items: Mapping[str, bool] = field(default_factory=dict)
    evidence: Mapping[str, Any] = field(default_factory=dict)


NO_DATA = Measurement()


@dataclass(frozen=True)
class IndicatorContext:
    """What ``measure`` gets.

    * ``tenant_id`` — the tenant (queries are scoped already; this is for raw SQL).
    * ``start`` / ``end`` — the cycle's period, both days included.
    * ``orgs`` — a SELECT of the ids of the organisations measured: filter with
      ``Model.org_id.in_(ctx.orgs)``; never iterate it to query one by one.
    * ``params`` — the indicator's effective parameters in this standard, validated.
    """

    tenant_id: int
    start: date
    end: date
    orgs: Any
    params: dict


@dataclass(frozen=True)
class Indicator:
    """An indicator.

    * ``key`` — unique, prefixed by its owner (``"life.committee_meetings"``).
    * ``name`` — Chinese (``"支委会召开次数"``).
    * ``scoring`` — one of :data:`SCORINGS`.
    * ``max_points`` — the default weight when a standard adds it.
    * ``measure`` — ``measure(ctx: IndicatorContext) -> Mapping[uuid.UUID, Measurement]``,
      set-based; ``None`` for ``manual``.
    * ``params`` — a marshmallow Schema class, every field with a ``load_default``; it must
      declare the parameters its scoring reads (:data:`REQUIRED_PARAMS`).
    * ``sectors`` / ``kinds`` — where it applies (empty: everywhere).
    * ``unit`` — the unit of ``value`` (``"次"``, ``"%"``, ``"万元"``).
    * ``reads`` — the data it reads, in a few words (``"三会一课记录"``).
    * ``description`` — what it rewards, for the standard's reader.
    * ``explain`` — a Chinese template for the measurement, formatted with ``value``,
      ``unit``, the parameters and the evidence keys (``"全年召开支委会 {value} 次"``).
    """

    key: str
    name: str
    scoring: str
    max_points: float
    measure: Callable[[IndicatorContext], Mapping[uuid.UUID, Measurement]] | None = None
    params: type[Schema] | None = None
    sectors: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    unit: str = ""
    reads: str = ""
    description: str = ""
    explain: str = ""

    def __post_init__(self):
        if "." not in self.key:
            raise ValueError(f"indicator key {self.key!r} must be prefixed with its owner ('life.…')")
        if self.scoring not in SCORINGS:
            raise ValueError(f"indicator {self.key}: scoring must be one of {SCORINGS}")
        if not self.max_points > 0:
            raise ValueError(f"indicator {self.key}: max_points must be positive")
        if (self.scoring == "manual") != (self.measure is None):
            raise ValueError(
                f"indicator {self.key}: a manual indicator has no measure, every other one has one"
            )
        bad_kinds = [k for k in self.kinds if k not in ORG_KINDS]
        if bad_kinds:
            raise ValueError(f"indicator {self.key}: unknown organisation kinds {bad_kinds}")
        declared = set(self.params._declared_fields) if self.params is not None else set()
        missing = [p for p in REQUIRED_PARAMS[self.scoring] if p not in declared]
        if missing:
            raise ValueError(
                f"indicator {self.key}: {self.scoring} scoring reads the parameters "
                f"{', '.join(missing)}; declare them in its params schema"
            )

    def applies_to(self, sector: str | None, kind: str) -> bool:
        return (not self.sectors or sector in self.sectors) and (not self.kinds or kind in self.kinds)


@dataclass(frozen=True)
class StandardItem:
    """One indicator in a standard: its weight (points in this standard; default the
    indicator's ``max_points``) and parameter overrides."""

    indicator: str
    weight: float | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StandardTemplate:
    """A default standard shipped by a plugin (``dangjian_standards``); tenants copy it.

    ``sector`` None means every sector; ``kinds`` the organisation kinds it rates. The
    weights of its items must add up to 100."""

    key: str
    name: str
    items: tuple[StandardItem, ...]
    sector: str | None = None
    kinds: tuple[str, ...] = ("branch", "joint_branch", "general_branch")
    description: str = ""


@dataclass(frozen=True)
class ItemScore:
    """An indicator's score for one organisation, on the standard's scale (0 … ``weight``)."""

    points: Decimal
    weight: Decimal
    value: float | None
    explanation: str
    evidence: Mapping[str, Any]


class _Keep(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _fmt(number) -> str:
    if number is None:
        return "—"
    d = Decimal(str(number))
    return format(d.normalize(), "f") if d == d.to_integral() else format(d.quantize(CENT), "f")


def describe(indicator: Indicator, measurement: Measurement, params: Mapping) -> str:
    """The indicator's own sentence about the measurement (its ``explain`` template)."""
    if not indicator.explain:
        return f"{indicator.name}：{_fmt(measurement.value)}{indicator.unit}"
    figures = _Keep({**params, **measurement.evidence})
    figures.update(value=_fmt(measurement.value), unit=indicator.unit)
    try:
        return indicator.explain.format_map(figures)
    except (ValueError, IndexError, AttributeError):
        return indicator.explain


def score(
    indicator: Indicator,
    measurement: Measurement,
    params: Mapping,
    weight,
    manual_points=None,
    manual_reason: str | None = None,
) -> ItemScore:
    """Score ``measurement`` on a scale of 0 … ``weight`` and explain it.

    ``manual_points`` is the assessor's entry for a ``manual`` indicator (``None`` while
    nobody has scored it yet: 0 points, "待评分")."""
    weight = to_points(weight)
    value = None if measurement.value is None else float(measurement.value)
    said = describe(indicator, measurement, params)
    kind = indicator.scoring
    if kind == "manual":
        if manual_points is None:
            return ItemScore(to_points(0), weight, None, f"{indicator.name}：待评分（满分 {_fmt(weight)} 分）", {})
        points = min(max(to_points(manual_points), to_points(0)), weight)
        reason = f"，理由：{manual_reason}" if manual_reason else ""
        return ItemScore(points, weight, None, f"评分人评定 {_fmt(points)}/{_fmt(weight)} 分{reason}", {})
    v = value or 0.0
    if kind == "threshold":
        target = float(params["target"])
        at_most = params.get("op") == "<="
        # No data never meets a threshold: with "at most", a missing figure is not a zero.
        met = value is not None and (v <= target if at_most else v >= target)
        points = weight if met else to_points(0)
        rule = f"要求 {'≤' if at_most else '≥'} {_fmt(target)}{indicator.unit}"
        verdict = "达标" if met else ("未达标（无数据）" if value is None else "未达标")
        text = f"{said}；{rule}，{verdict}，得 {_fmt(points)}/{_fmt(weight)} 分"
    elif kind == "proportional":
        target = float(params["target"])
        share = 1.0 if target <= 0 else min(max(v / target, 0.0), 1.0)
        points = to_points(Decimal(str(share)) * weight)
        text = (
            f"{said}；目标 {_fmt(target)}{indicator.unit}，完成 {share:.0%}，"
            f"得 {_fmt(points)}/{_fmt(weight)} 分"
        )
    elif kind == "checklist":
        weights = {k: float(w) for k, w in (params.get("weights") or {}).items()}
        items = dict(measurement.items)
        total = sum(weights.get(k, 1.0) for k in items)
        met = sum(weights.get(k, 1.0) for k, ok in items.items() if ok)
        share = met / total if total else 0.0
        points = to_points(Decimal(str(share)) * weight)
        missing = [k for k, ok in items.items() if not ok]
        lacking = f"，未达项：{'、'.join(missing)}" if missing else ""
        text = (
            f"{said}；{sum(1 for ok in items.values() if ok)}/{len(items)} 项达标{lacking}，"
            f"得 {_fmt(points)}/{_fmt(weight)} 分"
        )
    else:  # deduction
        per_unit = to_points(params["per_unit"])
        count = max(Decimal(str(v)), Decimal(0))
        deducted = min(to_points(per_unit * count), weight)
        points = weight - deducted
        text = (
            f"{said}；每次扣 {_fmt(per_unit)} 分，扣 {_fmt(deducted)} 分，"
            f"得 {_fmt(points)}/{_fmt(weight)} 分"
        )
    return ItemScore(points, weight, value, text, dict(measurement.evidence))
