"""A cycle's run: measure every indicator for all its organisations at once, score, rate,
compute the indices and write the results — set-based, a fixed number of statements
whatever the number of organisations.

1. **Who is assessed.** Every active organisation of the cycle's subtree whose (sector,
   kind) a frozen version applies to; a version for the organisation's own sector beats one
   for every sector (then the standard's name, then its id decide). Which version rates
   whom depends on (sector, kind) only, so the organisations assessed under a set of
   versions are one SELECT over a handful of (sector, kind) pairs — that SELECT is what an
   indicator gets as ``ctx.orgs``.
2. **Measure.** Each indicator is measured **once per distinct parameters** across all
   frozen versions (two standards using it with the same parameters share the call; their
   weights apply at scoring). An indicator that raises fails the run with
   :class:`EvaluationError` naming it, and nothing is written (the job rolls back). An
   indicator the tenant no longer has scores 0 ("指标不可用") and is reported.
3. **Score** each item with :func:`core.assessment.indicators.score` (manual indicators with
   the assessors' stored scores), in Python.
4. **Members**: every active member of the assessed organisations, with their points in the
   period (:mod:`core.points.ledger`) and rank in the organisation.
5. **Rate** (:func:`core.assessment.rating.rate`) with the stored adjustments and vetoes and
   the previous published cycle's stars; compute the fortress and vanguard indices.
6. **Write**: delete the cycle's previous computed rows (results with their items, member
   indices — never the assessors' manual scores, adjustments or vetoes), then bulk INSERTs
   (:mod:`core.db.bulk`: ``COPY`` through a staging table on PostgreSQL); the cycle becomes
   *evaluated* with a summary of
   the run.

The caller commits (the job runner does, together with the job's result).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, delete, func, or_, select

from core.assessment import cycles as cycle_service
from core.assessment import indices, rating
from core.assessment import standards as standard_service
from core.assessment.indicators import (
    NO_DATA,
    Indicator,
    IndicatorContext,
    Measurement,
    score,
    to_points,
)
from core.assessment.models.cycles import (
    EVALUATED,
    Cycle,
    Item,
    ManualScore,
    MemberIndex,
    OrgResult,
)
from core.assessment.models.standards import Standard, StandardVersion
from core.assessment.settings import current as current_settings
from core.db import bulk, db, new_id
from core.db.mixins import utcnow
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.tenancy import current_tenant_id

UNAVAILABLE = "指标不可用"
VALUE_LIMIT = Decimal("1e14")  # measured values are kept to 4 places, below this


class EvaluationError(RuntimeError):
    """The run cannot complete (an indicator failed, or returned something unusable);
    the message names the indicator and says why, in Chinese, for the job's error."""


@dataclass
class Plan:
    """One frozen version and the items it scores, as the tenant has them now."""

    standard: Standard
    version: StandardVersion
    items: list[standard_service.ResolvedItem]
    orgs: list = field(default_factory=list)


@dataclass
class Group:
    """An indicator with one set of parameters, measured once for every version using it."""

    indicator: Indicator
    params: dict
    version_ids: set = field(default_factory=set)


_PLAIN = (str, int, bool, type(None))


def _json_safe(value):
    if isinstance(value, dict) and all(isinstance(v, _PLAIN) for v in value.values()):
        return value  # the usual evidence: counts and names
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float) and value != value:
        return None
    return value


def canonical_params(params: dict) -> str:
    return json.dumps(_json_safe(params), sort_keys=True, ensure_ascii=False)


def _stored_value(value) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) >= VALUE_LIMIT:
        return None
    return number.quantize(Decimal("0.0001"))


def _pair_clause(pairs):
    return or_(*(
        and_(Organization.sector.is_(None) if sector is None else Organization.sector == sector,
             Organization.kind == kind)
        for sector, kind in sorted(pairs, key=lambda p: (p[0] or "", p[1]))
    ))


def _choose(plans: list[Plan], sector: str | None, kind: str) -> Plan | None:
    """The version that rates (sector, kind): own-sector first, then by standard name, id."""
    fitting = [p for p in plans if standard_service.applies(p.version, sector, kind)]
    fitting.sort(key=lambda p: (p.version.sector is None, p.standard.name, str(p.standard.id)))
    return fitting[0] if fitting else None


def run(cycle: Cycle, progress: Callable[[float, str], None] | None = None) -> dict:
    """Evaluate ``cycle`` (see the module docstring); returns the run's summary."""
    started = time.perf_counter()
    report = progress or (lambda percent, message: None)
    cycle_service.require_runnable(cycle)
    settings = current_settings()
    fortress = indices.fortress_formula(settings)
    vanguard = indices.vanguard_formula(settings)
    root = cycle_service.root_of(cycle)
    subtree = and_(orgs.subtree_filter(root.path), Organization.status == "active")

    plans = [Plan(s, v, standard_service.resolve_items(v)) for s, v in cycle_service.frozen_versions(cycle)]
    org_rows = db.session.execute(
        select(Organization.id, Organization.code, Organization.sector, Organization.kind,
               Organization.parent_id).where(subtree)
    ).all()
    assignment: dict[tuple, Plan] = {}
    for pair in {(r.sector, r.kind) for r in org_rows}:
        plan = _choose(plans, *pair)
        if plan is not None:
            assignment[pair] = plan
    for r in org_rows:
        plan = assignment.get((r.sector, r.kind))
        if plan is not None:
            plan.orgs.append(r)
    assessed_pairs = set(assignment)
    assessed_orgs = (
        select(Organization.id).where(subtree, _pair_clause(assessed_pairs)) if assessed_pairs
        else None
    )

    groups: dict[tuple[str, str], Group] = {}
    unavailable: dict[str, set[str]] = defaultdict(set)
    for plan in plans:
        if not plan.orgs:
            continue
        for item in plan.items:
            if item.indicator is None:
                unavailable[item.key].add(plan.standard.name)
            elif item.indicator.scoring != "manual":
                group = groups.setdefault((item.key, canonical_params(item.params)),
                                          Group(item.indicator, item.params))
                group.version_ids.add(plan.version.id)

    report(2, "已确定参评组织")
    measured: dict[tuple[str, str], Mapping] = {}
    tenant_id = current_tenant_id()
    for done, (group_key, group) in enumerate(groups.items(), start=1):
        pairs = {pair for pair, plan in assignment.items() if plan.version.id in group.version_ids}
        ctx = IndicatorContext(tenant_id, cycle.starts_on, cycle.ends_on,
                               select(Organization.id).where(subtree, _pair_clause(pairs)),
                               dict(group.params))
        measured[group_key] = measure_indicator(group.indicator, ctx)
        report(2 + 78 * done / len(groups), f"已计算指标：{group.indicator.name}")

    manual = {
        (org_id, key): (points, reason)
        for org_id, key, points, reason in db.session.execute(
            select(ManualScore.org_id, ManualScore.indicator_key, ManualScore.points, ManualScore.reason)
            .where(ManualScore.cycle_id == cycle.id)
        )
    }
    scored_items, standings = _score(plans, measured, manual)
    report(84, "已评分")
    member_figures, member_summary, points_note = _members(cycle, assessed_orgs)
    report(88, "已汇总党员积分")
    adjustments = rating.adjustment_totals(cycle)
    vetoes = rating.veto_reasons(cycle)
    for s in standings:
        s.adjustments_total = adjustments.get(s.org_id, rating.ZERO)
        s.veto_reason = vetoes.get(s.org_id)
    previous = rating.previous_stars(cycle, assessed_orgs) if assessed_orgs is not None else {}
    rated = rating.rate(standings, settings, previous)

    with_items = fortress.uses_prefix("ind_") or fortress.uses_prefix("val_")
    now = utcnow()
    org_rows_out, branch = [], {}
    for plan in plans:
        for r in plan.orgs:
            values = rated[r.id].values()
            count, avg = member_summary.get(r.id, (0, Decimal("0.00")))
            items = scored_items[r.id]
            values["fortress_index"], values["index_note"] = indices.fortress_index(
                fortress, values, count, avg, indices.item_figures(items) if with_items else {}
            )
            branch[r.id] = (values["score"], values["stars"], values["fortress_index"])
            org_rows_out.append({
                "id": new_id(), "cycle_id": cycle.id, "org_id": r.id,
                "standard_id": plan.standard.id, "version_id": plan.version.id,
                "sector": r.sector, "kind": r.kind, "parent_id": r.parent_id,
                "member_count": count, "avg_points": avg, "items": items,
                "created_at": now, "updated_at": now, **values,
            })
    member_rows, computed = [], {}
    for m in member_figures:
        # Members of one organisation with equal points have equal figures: compute once.
        key = (m.org_id, m.points, m.exempt, m.rank_in_branch)
        if key not in computed:
            computed[key] = indices.vanguard_index(vanguard, m, branch[m.org_id])
        value, note = computed[key]
        member_rows.append({
            "id": new_id(), "cycle_id": cycle.id, "member_id": m.member_id, "org_id": m.org_id,
            "points": m.points, "exempt": m.exempt, "rank_in_branch": m.rank_in_branch,
            "branch_size": m.branch_size, "vanguard_index": value, "index_note": note,
            "created_at": now, "updated_at": now,
        })

    report(92, "已评星定级、计算指数")
    for model in (MemberIndex, OrgResult):
        db.session.execute(
            delete(model).where(model.cycle_id == cycle.id).execution_options(synchronize_session=False)
        )
    report(93, "已清除上次结果")
    for model, rows in ((OrgResult, org_rows_out), (MemberIndex, member_rows)):
        _insert(model, rows, tenant_id)

    summary = {
        "at": now.isoformat(),
        "orgs": len(org_rows_out),
        "items": sum(len(items) for items in scored_items.values()),
        "members": len(member_rows),
        "indicators": sorted({key for key, _ in groups}),
        "measurements": len(groups),
        "unavailable": [{"indicator": key, "standards": sorted(names)}
                        for key, names in sorted(unavailable.items())],
        "not_assessed": len(org_rows) - len(org_rows_out),
        "points_note": points_note,
        "seconds": round(time.perf_counter() - started, 3),
    }
    cycle.state = EVALUATED
    cycle.evaluated_at = now
    cycle.run_summary = summary
    cycle_service.flush()
    report(100, "已写入结果")
    return summary


def _insert(model, rows: list[dict], tenant_id: int) -> None:
    """Bulk INSERT of plain dicts (:mod:`core.db.bulk`): on PostgreSQL ``COPY`` into a
    staging table and one ``INSERT … SELECT`` (row-level security still checks each row);
    an executemany, even pipelined, spent ~7 s binding and parsing a city's 100,000 member
    indices. These tables are not audited (the job is)."""
    for row in rows:
        row["tenant_id"] = tenant_id
    bulk.write(model, rows)


def measure_indicator(indicator: Indicator, ctx: IndicatorContext) -> Mapping:
    """The indicator's measurements, or :class:`EvaluationError` naming it."""
    try:
        result = indicator.measure(ctx)
    except Exception as exc:  # noqa: BLE001 - any failure of a plugin's code fails the run, named
        raise EvaluationError(
            f"指标 {indicator.key}（{indicator.name}）计算出错：{type(exc).__name__}: {exc}"
        ) from exc
    if result is None:
        return {}
    if not isinstance(result, Mapping) or not all(isinstance(m, Measurement) for m in result.values()):
        raise EvaluationError(
            f"指标 {indicator.key}（{indicator.name}）返回的不是 {{组织 id: Measurement}}"
        )
    return result


def _measured_key(position: int, measurement: Measurement):
    """A hashable key of what scoring reads (``None`` when the evidence is not hashable):
    organisations measured alike — most of them, for a count against a target — are
    scored once."""
    try:
        key = (position, measurement.value, tuple(measurement.items.items()),
               tuple(sorted(measurement.evidence.items())))
        hash(key)
    except TypeError:
        return None
    return key


def _score(plans: list[Plan], measured: dict, manual: dict):
    """Each organisation's items (:meth:`Item.to_json` dicts, in the standard's order) and
    standing (their total)."""
    scored_items, standings = {}, []
    for plan in plans:
        prepared, cache = [], {}
        for position, item in enumerate(plan.items):
            group_key = (item.key, canonical_params(item.params)) if item.indicator is not None else None
            prepared.append((position, item, measured.get(group_key, {})))
        for r in plan.orgs:
            items = [
                score_item(item, position, measurements.get(r.id, NO_DATA), manual.get((r.id, item.key)), cache)
                for position, item, measurements in prepared
            ]
            scored_items[r.id] = [entry for entry, _ in items]
            total = sum((points for _, points in items), Decimal("0.00"))
            standings.append(rating.Standing(r.id, r.code, r.sector, r.kind, r.parent_id, total))
    return scored_items, standings


def score_item(item, position: int, measurement: Measurement, entered, cache: dict):
    """One item's JSON entry and points (the entry is shared, read-only, between the
    organisations measured alike)."""
    indicator = item.indicator
    if indicator is None:
        weight = to_points(item.weight)
        return Item(item.key, item.key, None, weight, Decimal("0.00"), None,
                    f"{UNAVAILABLE}：{item.key}（满分 {weight} 分，计 0 分）", {}).to_json(), Decimal("0.00")
    if indicator.scoring == "manual":
        points, reason = entered or (None, None)
        scored = score(indicator, NO_DATA, item.params, item.weight, points, reason)
        return _entry(item.key, indicator, scored), scored.points
    key = _measured_key(position, measurement)
    found = cache.get(key) if key is not None else None
    if found is None:
        try:
            scored = score(indicator, measurement, item.params, item.weight)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise EvaluationError(
                f"指标 {indicator.key}（{indicator.name}）的测量值无法评分：{exc}"
            ) from exc
        found = _entry(item.key, indicator, scored), scored.points
        if key is not None:
            cache[key] = found
    return found


def _entry(key: str, indicator: Indicator, scored) -> dict:
    return Item(key, indicator.name, indicator.scoring, scored.weight, scored.points,
                _stored_value(scored.value), scored.explanation,
                _json_safe(scored.evidence) if scored.evidence else {}).to_json()


def _members(cycle: Cycle, assessed_orgs):
    """Every active member of the assessed organisations with points and rank; per
    organisation ``(members, average points)``; a note when points are unavailable."""
    if assessed_orgs is None:
        return [], {}, None
    try:
        from core.points import ledger
    except ImportError:
        ledger = None
    stmt = select(Member.id, Member.org_id).where(
        Member.org_id.in_(assessed_orgs), Member.status.in_(ACTIVE_STATUSES))
    if ledger is None:
        rows = [(member_id, org_id, 0, False) for member_id, org_id in db.session.execute(stmt)]
        note = "积分台账尚不可用：党员积分均按 0 计"
    else:
        # One query: the members, their approved points in the period (the ledger's own
        # aggregate) and whether the tenant's points settings exempt them from ranking
        # (ages as at the end of the period).
        totals = ledger.totals_subquery(cycle.starts_on, cycle.ends_on)
        rows = db.session.execute(
            stmt.add_columns(func.coalesce(totals.c.total, 0),
                             ledger.exempt_condition(as_of=cycle.ends_on))
            .outerjoin(totals, totals.c.member_id == Member.id)
        ).all()
        note = None
    figures = [
        indices.MemberFigures(member_id, org_id, to_points(points), bool(exempt))
        for member_id, org_id, points, exempt in rows
    ]
    summary = indices.rank_members(figures)
    return figures, summary, note
