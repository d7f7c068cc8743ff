"""The rest of an assessment cycle's run in SQL: who is assessed, the measurements, item
points, scores, stars, ranks, members' points and ranks, the two indices — the figures
:func:`core.assessment.evaluate.run` computes, as a DBA would write them.

:func:`run` reads what the run takes as given in Python — the tenant's settings, the cycle's
frozen versions with their items and effective parameters (the app's own resolution), which
indicators have a reference query — and computes everything over organisations and members
in SQL, into temporary tables shaped like the engine's (they vanish with the session):

1. **orgs** — ``ref_assessed``: every active organisation of the cycle's subtree with the
   frozen version that rates its (sector, kind): own sector first, then the standard's name
   and id (as Python orders text: ``COLLATE "C"``).
2. **measure** — ``ref_measured``: each indicator once per distinct parameters, over the
   organisations of the versions using it (``ref_orgs``), by its query in
   :mod:`bench.reference.cycle`. An indicator without a query (a plugin's, until its slice
   is written) is **borrowed**: its values — and, for a checklist, whose items the engine
   does not keep, its points — are read from the engine's stored items, and the report
   lists it.
3. **score_rate** — ``ref_item_scores`` (each item's points by its scoring kind, as
   :func:`core.assessment.indicators.score` does it, with Python's float steps where it
   takes them: a share is a float written out shortest-exact, then times the weight and
   rounded half up) and ``ref_rated`` (items total, adjustments, clamp to 0–100, stars from
   the thresholds, the five-star cap, the veto, ranks among peers and under the parent,
   the previous published cycle's stars and the change).
4. **members** — ``ref_members``: every active member of the assessed organisations, their
   approved points in the period, exemption (ages at the period's end), rank among the
   ranked members of their organisation; ``ref_member_summary`` per organisation.
5. **write** — ``ref_org_results`` (with the items as a JSON list) and
   ``ref_member_indices``, with the fortress and vanguard indices by the **default**
   formulas (the score; the points, none for an exempt member). A tenant with another
   formula gets NULL indices and a note, and :func:`compare` skips them.

:func:`compare` runs it and lists, by name, what differs from the engine's stored results of
the same cycle: indicator values and item points, organisations' figures, members' figures.

    python -m bench.reference.cycle.assemble --tenant city [--engine]

runs it on ``DATABASE_URL`` (read-only: everything it writes is temporary, and it rolls
back), prints the phases, each measurement's seconds (``--engine``: beside the engine's own
``measure`` with the same organisations and parameters, also read-only) and the comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from sqlalchemy import text

from bench.reference.cycle import IndicatorSQL, all_indicators
from bench.reference.cycle.orgs import ACTIVE, half_even
from bench.reference.cycle.points import exempt

PHASES = ("orgs", "measure", "score_rate", "members", "write")
DEFAULT_FORTRESS, DEFAULT_VANGUARD = "score", "points"
SHOWN = 20  # mismatches listed per kind; the rest are counted


@dataclass
class Measurement:
    """One indicator measured with one set of parameters."""

    key: str
    params: dict
    scoring: str
    version_ids: set = field(default_factory=set)
    orgs: int = 0
    seconds: float = 0.0
    borrowed: bool = False


@dataclass
class Report:
    cycle_id: uuid.UUID
    seconds: dict[str, float] = field(default_factory=dict)  # phase → seconds
    measurements: list[Measurement] = field(default_factory=list)
    orgs: int = 0
    members: int = 0
    items: int = 0
    indices: bool = True  # the tenant's formulas are the defaults: the indices are computed
    notes: list[str] = field(default_factory=list)

    @property
    def borrowed(self) -> list[str]:
        return sorted({m.key for m in self.measurements if m.borrowed})

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


# -- inputs resolved by the app (settings, parameters) ----------------------------------------


def context_binds(today: date | None = None) -> dict:
    """The tenant settings some indicator queries read besides their parameters, resolved
    through the app (plugin defaults ← global ← tenant overrides): ``today``; the dues
    ``arrears_from``; the points exemption (``exempt_categories``, ``elderly_age``); term
    lengths by sector (``term_years``, JSON); the warning rules hidden because their plugin
    is disabled (``hidden_rules``)."""
    from core.dues import rates
    from core.orgs import terms
    from core.orgs.sectors import installed_sectors
    from core.plugins import declarations
    from core.points.settings import points_settings
    from core.warnings import registry as warning_registry

    points = points_settings()
    years = {"committee": {"": terms.NATIONAL_DEFAULTS["committee_term_years"]},
             "branch": {"": terms.NATIONAL_DEFAULTS["branch_term_years"]}}
    for sector in installed_sectors():
        years["committee"][sector] = terms.sector_term_years(sector, "committee")
        years["branch"][sector] = terms.sector_term_years(sector, "branch")
    return {
        "today": today or date.today(),
        "arrears_from": rates.effective_rates().get("arrears_from"),
        "exempt_categories": list(points["exempt_categories"]),
        "elderly_age": int(points["elderly_age"]),
        "term_years": json.dumps(years),
        "hidden_rules": sorted(declarations.hidden_keys(warning_registry.all_rules())),
    }


def _params_key(params: dict) -> str:
    return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)


def _custom_queries(session, tenant_id: int) -> dict[str, tuple[IndicatorSQL, dict]]:
    """The tenant's custom threshold indicators: key → (query, its extra binds)."""
    from bench.reference.cycle import custom

    rows = session.execute(text(
        "SELECT key, attribute FROM assessment_custom_indicators "
        "WHERE tenant_id = :tenant_id AND scoring = 'threshold'"), {"tenant_id": tenant_id})
    return {key: (custom.query(key), {"attribute": attribute}) for key, attribute in rows}


def _plan(session, cycle) -> tuple[list[dict], list[Measurement]]:
    """The frozen versions' items as rows of ``ref_plan_items`` and the measurements they
    call for (one per indicator and distinct parameters), from the app's resolution of the
    items (indicator available? scoring, weight, effective parameters)."""
    from core.assessment import standards as standard_service

    versions = session.execute(text(
        "SELECT v.id, v.items FROM assessment_cycle_standards cs "
        "JOIN assessment_standard_versions v ON v.tenant_id = cs.tenant_id AND v.id = cs.version_id "
        "WHERE cs.tenant_id = :tenant_id AND cs.cycle_id = :cycle"),
        {"tenant_id": cycle.tenant_id, "cycle": cycle.id}).all()
    rows, groups = [], {}
    for version_id, items in versions:
        if isinstance(items, str):
            items = json.loads(items)
        for position, item in enumerate(standard_service.resolve_items(SimpleNamespace(items=items))):
            indicator = item.indicator
            scoring = indicator.scoring if indicator is not None else None
            group = None
            if scoring not in (None, "manual"):
                found = groups.setdefault((item.key, _params_key(item.params)),
                                          (len(groups) + 1, Measurement(item.key, item.params, scoring)))
                group = found[0]
                found[1].version_ids.add(version_id)
            params = item.params
            rows.append({
                "version_id": version_id, "position": position, "item_key": item.key,
                "grp": group, "scoring": scoring, "weight": str(item.weight),
                "target": float(params["target"]) if params.get("target") is not None else None,
                "at_most": params.get("op") == "<=",
                "per_unit": str(float(params["per_unit"])) if params.get("per_unit") is not None else None,
                "weights": json.dumps({k: float(w) for k, w in (params.get("weights") or {}).items()},
                                      ensure_ascii=False),
            })
    return rows, [m for _, m in sorted(groups.values(), key=lambda g: g[0])]


# -- the run ----------------------------------------------------------------------------------


def cycle_row(session, cycle_id):
    """The cycle's tenant, period and root, as attributes."""
    row = session.execute(text(
        "SELECT tenant_id, id, period, starts_on, ends_on, root_org_id FROM assessment_cycles "
        "WHERE id = :cycle"), {"cycle": cycle_id}).one()
    return SimpleNamespace(**row._mapping)


TEMP_TABLES = ("ref_orgs", "ref_assessed", "ref_plan_items", "ref_measured", "ref_item_scores",
               "ref_rated", "ref_members", "ref_member_summary", "ref_org_results",
               "ref_member_indices")

ASSESSED = """
CREATE TEMPORARY TABLE ref_assessed AS
WITH subtree AS (
    SELECT o.id, o.code, o.sector, o.kind, o.parent_id
    FROM organizations o
    JOIN organizations root ON root.tenant_id = o.tenant_id AND root.id = :root
    WHERE o.tenant_id = :tenant_id AND starts_with(o.path, root.path) AND o.status = 'active'
),
frozen AS (
    SELECT cs.standard_id, cs.version_id, s.name, v.sector, v.kinds::jsonb AS kinds
    FROM assessment_cycle_standards cs
    JOIN assessment_standards s ON s.tenant_id = cs.tenant_id AND s.id = cs.standard_id
    JOIN assessment_standard_versions v ON v.tenant_id = cs.tenant_id AND v.id = cs.version_id
    WHERE cs.tenant_id = :tenant_id AND cs.cycle_id = :cycle
),
pairs AS (SELECT DISTINCT sector, kind FROM subtree),
chosen AS (
    SELECT p.sector, p.kind, f.standard_id, f.version_id
    FROM pairs p
    CROSS JOIN LATERAL (
        SELECT f.standard_id, f.version_id FROM frozen f
        WHERE (f.sector IS NULL OR f.sector = p.sector) AND f.kinds ? p.kind
        ORDER BY f.sector IS NULL, f.name COLLATE "C", f.standard_id::text COLLATE "C"
        LIMIT 1
    ) f
)
SELECT s.id AS org_id, s.code, s.sector, s.kind, s.parent_id, c.standard_id, c.version_id
FROM subtree s JOIN chosen c ON c.kind = s.kind AND c.sector IS NOT DISTINCT FROM s.sector
"""


def _float_text(expr: str) -> str:
    """A float8 as Python's ``Decimal(str(x))`` sees it (both write the shortest exact form)."""
    return f"(({expr})::text::numeric)"


ITEM_SCORES = f"""
CREATE TEMPORARY TABLE ref_item_scores AS
WITH joined AS (
    SELECT a.org_id, pi.position, pi.item_key, pi.scoring, round(pi.weight, 2) AS weight,
           pi.target, pi.at_most, round(pi.per_unit, 2) AS per_unit, pi.weights,
           m.items, m.borrowed_points, m.value::float8 AS v, ms.points AS entered
    FROM ref_assessed a
    JOIN ref_plan_items pi ON pi.version_id = a.version_id
    LEFT JOIN ref_measured m ON m.grp = pi.grp AND m.org_id = a.org_id
    LEFT JOIN assessment_manual_scores ms
           ON pi.scoring = 'manual' AND ms.tenant_id = :tenant_id AND ms.cycle_id = :cycle
          AND ms.org_id = a.org_id AND ms.indicator_key = pi.item_key
)
SELECT org_id, position, item_key, scoring, weight,
       CASE
         WHEN scoring IS NULL THEN 0.00
         WHEN scoring = 'manual' THEN coalesce(least(greatest(round(entered, 2), 0), weight), 0.00)
         WHEN borrowed_points IS NOT NULL THEN borrowed_points
         WHEN scoring = 'threshold' THEN
              CASE WHEN v IS NOT NULL AND CASE WHEN at_most THEN v <= target ELSE v >= target END
                   THEN weight ELSE 0.00 END
         WHEN scoring = 'proportional' THEN round({_float_text(
              "CASE WHEN target <= 0 THEN 1.0 "
              "ELSE least(greatest(coalesce(v, 0) / target, 0), 1) END")} * weight, 2)
         WHEN scoring = 'checklist' THEN round({_float_text(
              "(SELECT CASE WHEN sum(w) > 0 THEN coalesce(sum(w) FILTER (WHERE ok), 0) / sum(w) "
              "ELSE 0 END FROM (SELECT coalesce((weights ->> e.key)::float8, 1.0) AS w, "
              "e.value::boolean AS ok FROM jsonb_each(items) e) listed)")} * weight, 2)
         WHEN scoring = 'deduction' THEN
              weight - least(round(per_unit * greatest({_float_text("coalesce(v, 0)")}, 0), 2), weight)
       END AS points,
       CASE WHEN scoring IS NULL OR scoring = 'manual' OR v IS NULL OR abs(v) >= 1e14 THEN NULL
            ELSE {half_even(_float_text("v"), 4)} END AS value
FROM joined
"""

RATED = """
CREATE TEMPORARY TABLE ref_rated AS
WITH totals AS (SELECT org_id, sum(points) AS items_total FROM ref_item_scores GROUP BY org_id),
adjusted AS (
    SELECT org_id, round(sum(points), 2) AS total FROM assessment_adjustments
    WHERE tenant_id = :tenant_id AND cycle_id = :cycle GROUP BY org_id
),
vetoed AS (
    SELECT org_id FROM assessment_vetoes WHERE tenant_id = :tenant_id AND cycle_id = :cycle
),
totalled AS (
    SELECT a.*, round(coalesce(t.items_total, 0), 2) AS items_total,
           coalesce(adj.total, 0.00) AS adjustments_total,
           round(coalesce(t.items_total, 0), 2) + coalesce(adj.total, 0.00) AS raw,
           v.org_id IS NOT NULL AS vetoed
    FROM ref_assessed a
    LEFT JOIN totals t ON t.org_id = a.org_id
    LEFT JOIN adjusted adj ON adj.org_id = a.org_id
    LEFT JOIN vetoed v ON v.org_id = a.org_id
),
scored AS (SELECT *, least(greatest(raw, 0), 100) AS score FROM totalled),
starred AS (
    SELECT *, score - raw AS clamp,
           CASE WHEN score >= CAST(:five AS numeric) THEN 5 WHEN score >= CAST(:four AS numeric) THEN 4
                WHEN score >= CAST(:three AS numeric) THEN 3 WHEN score >= CAST(:two AS numeric) THEN 2
                ELSE 1 END AS score_stars
    FROM scored
),
five_stars AS (  -- the five-star places, best score first, then organisation code and id
    SELECT org_id, row_number() OVER (ORDER BY score DESC, code COLLATE "C",
                                                org_id::text COLLATE "C") AS place
    FROM starred WHERE score_stars = 5 AND NOT vetoed
),
capped AS (
    SELECT s.*, coalesce(f.place > floor(CAST(:cap AS numeric) * (SELECT count(*) FROM starred)),
                         false) AS capped
    FROM starred s LEFT JOIN five_stars f ON f.org_id = s.org_id
),
rated AS (
    SELECT *,
           CASE WHEN vetoed THEN least(CASE WHEN capped THEN 4 ELSE score_stars END, :veto_stars)
                WHEN capped THEN 4 ELSE score_stars END AS stars,
           rank() OVER (PARTITION BY sector, kind ORDER BY score DESC) AS rank_peers,
           count(*) OVER (PARTITION BY sector, kind) AS peers_count,
           rank() OVER (PARTITION BY parent_id ORDER BY score DESC) AS rank_parent,
           count(*) OVER (PARTITION BY parent_id) AS parent_count
    FROM capped
),
previous AS (  -- the latest published cycle of the same period kind ended before this one
    SELECT DISTINCT ON (r.org_id) r.org_id, r.cycle_id, r.stars
    FROM assessment_org_results r
    JOIN assessment_cycles c ON c.tenant_id = r.tenant_id AND c.id = r.cycle_id
    JOIN ref_assessed a ON a.org_id = r.org_id
    WHERE r.tenant_id = :tenant_id AND c.period = :period AND c.state = 'published'
      AND c.ends_on < :starts_on
    ORDER BY r.org_id, c.ends_on DESC, c.published_at DESC, c.id DESC
)
SELECT rated.org_id, rated.code, rated.standard_id, rated.version_id, rated.sector, rated.kind,
       rated.parent_id, rated.items_total, rated.adjustments_total, rated.clamp, rated.score,
       rated.score_stars, rated.stars, rated.capped, rated.vetoed, rated.rank_peers,
       rated.peers_count, rated.rank_parent, rated.parent_count,
       p.cycle_id AS previous_cycle_id, p.stars AS previous_stars,
       CASE WHEN p.org_id IS NULL THEN 'new' WHEN rated.stars > p.stars THEN 'up'
            WHEN rated.stars < p.stars THEN 'down' ELSE 'same' END AS change
FROM rated LEFT JOIN previous p ON p.org_id = rated.org_id
"""

MEMBERS = f"""
CREATE TEMPORARY TABLE ref_members AS
WITH totals AS (
    SELECT e.member_id, sum(e.points) AS total
    FROM point_entries e
    WHERE e.tenant_id = :tenant_id AND e.status = 'approved'
      AND e.occurred_on BETWEEN :starts_on AND :ends_on
    GROUP BY e.member_id
),
figures AS (
    SELECT m.id AS member_id, m.org_id, round(coalesce(t.total, 0), 2) AS points,
           {exempt("m", "CAST(:ends_on AS date)")} AS exempt
    FROM members m
    JOIN ref_assessed a ON a.org_id = m.org_id
    LEFT JOIN totals t ON t.member_id = m.id
    WHERE m.tenant_id = :tenant_id AND m.status IN {ACTIVE}
)
SELECT member_id, org_id, points, exempt,
       CASE WHEN NOT exempt
            THEN rank() OVER (PARTITION BY org_id, exempt ORDER BY points DESC) END AS rank_in_branch,
       count(*) FILTER (WHERE NOT exempt) OVER (PARTITION BY org_id) AS branch_size
FROM figures
"""

MEMBER_SUMMARY = """
CREATE TEMPORARY TABLE ref_member_summary AS
SELECT org_id, count(*) AS member_count,
       coalesce(round(sum(points) FILTER (WHERE NOT exempt)
                      / nullif(count(*) FILTER (WHERE NOT exempt), 0), 2), 0.00) AS avg_points
FROM ref_members GROUP BY org_id
"""


def _org_results(fortress: bool) -> str:
    return f"""
CREATE TEMPORARY TABLE ref_org_results AS
SELECT r.org_id, r.standard_id, r.version_id, r.sector, r.kind, r.parent_id, r.items_total,
       r.adjustments_total, r.clamp, r.score, r.score_stars, r.stars, r.capped, r.vetoed,
       r.rank_peers, r.peers_count, r.rank_parent, r.parent_count, r.previous_cycle_id,
       r.previous_stars, r.change,
       coalesce(s.member_count, 0) AS member_count, coalesce(s.avg_points, 0.00) AS avg_points,
       {"r.score" if fortress else "NULL::numeric"} AS fortress_index, i.items
FROM ref_rated r
LEFT JOIN ref_member_summary s ON s.org_id = r.org_id
LEFT JOIN (
    SELECT org_id, json_agg(json_build_object('key', item_key, 'scoring', scoring,
                                              'weight', weight, 'points', points, 'value', value)
                            ORDER BY position) AS items
    FROM ref_item_scores GROUP BY org_id
) i ON i.org_id = r.org_id
"""


def _member_indices(vanguard: bool) -> str:
    index = "CASE WHEN m.exempt THEN NULL ELSE m.points END" if vanguard else "NULL::numeric"
    return f"""
CREATE TEMPORARY TABLE ref_member_indices AS
SELECT m.member_id, m.org_id, m.points, m.exempt, m.rank_in_branch, m.branch_size,
       {index} AS vanguard_index
FROM ref_members m
"""


def run(session, cycle_id, today: date | None = None) -> Report:
    """Compute the cycle's results in SQL into the ``ref_*`` temporary tables (see the
    module docstring); returns the seconds per phase and per measurement."""
    from core.assessment.settings import current as assessment_settings

    cycle = cycle_row(session, cycle_id)
    report = Report(cycle.id)
    settings = assessment_settings()
    binds = {"tenant_id": cycle.tenant_id, "cycle": cycle.id, "root": cycle.root_org_id,
             "period": cycle.period, "starts_on": cycle.starts_on, "ends_on": cycle.ends_on}
    context = context_binds(today)
    fortress = settings["fortress_formula"].strip() == DEFAULT_FORTRESS
    vanguard = settings["vanguard_formula"].strip() == DEFAULT_VANGUARD
    report.indices = fortress and vanguard
    for name, ok in (("fortress_formula", fortress), ("vanguard_formula", vanguard)):
        if not ok:
            report.notes.append(f"{name} is not the default: the index is not computed or compared")
    plan_rows, measurements = _plan(session, cycle)
    queries = all_indicators()
    custom = _custom_queries(session, cycle.tenant_id)

    def sql(statement: str, extra: dict | None = None):
        return session.execute(text(statement), {**binds, **(extra or {})})

    for table in TEMP_TABLES:
        sql(f"DROP TABLE IF EXISTS pg_temp.{table}")

    started = time.perf_counter()
    sql(ASSESSED)
    sql("ANALYZE ref_assessed")
    rated_versions = {row[0] for row in sql("SELECT DISTINCT version_id FROM ref_assessed")}
    report.orgs = sql("SELECT count(*) FROM ref_assessed").scalar()
    report.seconds["orgs"] = time.perf_counter() - started

    started = time.perf_counter()
    sql("CREATE TEMPORARY TABLE ref_orgs (org_id uuid PRIMARY KEY)")
    sql("CREATE TEMPORARY TABLE ref_measured (grp int, org_id uuid, value numeric, items jsonb, "
        "borrowed_points numeric, PRIMARY KEY (grp, org_id))")
    for number, m in enumerate(measurements, start=1):
        m.version_ids &= rated_versions
        if not m.version_ids:
            continue
        began = time.perf_counter()
        sql("TRUNCATE ref_orgs")
        m.orgs = sql("INSERT INTO ref_orgs SELECT org_id FROM ref_assessed WHERE version_id = ANY(:versions)",
                     {"versions": sorted(m.version_ids)}).rowcount
        sql("ANALYZE ref_orgs")
        query, extra = queries.get(m.key), {}
        if query is None and m.key in custom:
            query, extra = custom[m.key]
        if query is not None:
            items = "q.items" if query.checklist else "NULL::jsonb"
            sql(f"INSERT INTO ref_measured (grp, org_id, value, items) "
                f"SELECT :grp, q.org_id, q.value, {items} FROM ({query.sql}) q",
                {**context, **m.params, **extra, "tenant_id": cycle.tenant_id,
                 "start": cycle.starts_on, "end": cycle.ends_on, "grp": number})
        else:
            m.borrowed = True
            points = "(e ->> 'points')::numeric" if m.scoring == "checklist" else "NULL"
            sql(f"INSERT INTO ref_measured (grp, org_id, value, borrowed_points) "
                f"SELECT :grp, r.org_id, (e ->> 'value')::numeric, {points} "
                f"FROM assessment_org_results r JOIN ref_orgs o ON o.org_id = r.org_id "
                f"CROSS JOIN LATERAL json_array_elements(r.items) e "
                f"WHERE r.tenant_id = :tenant_id AND r.cycle_id = :cycle AND e ->> 'key' = :key",
                {"grp": number, "key": m.key})
        m.seconds = time.perf_counter() - began
        report.measurements.append(m)
    report.seconds["measure"] = time.perf_counter() - started

    started = time.perf_counter()
    sql("CREATE TEMPORARY TABLE ref_plan_items (version_id uuid, position int, item_key text, "
        "grp int, scoring text, weight numeric, target float8, at_most boolean, per_unit numeric, "
        "weights jsonb)")
    if plan_rows:
        session.execute(text(
            "INSERT INTO ref_plan_items VALUES (:version_id, :position, :item_key, :grp, :scoring, "
            "CAST(:weight AS numeric), :target, :at_most, CAST(:per_unit AS numeric), "
            "CAST(:weights AS jsonb))"), plan_rows)
    sql("ANALYZE ref_measured")
    sql("ANALYZE ref_plan_items")
    sql(ITEM_SCORES)
    thresholds = [str(t) for t in settings["star_thresholds"]]
    cap = settings.get("five_star_cap")
    sql(RATED, {"five": thresholds[0], "four": thresholds[1], "three": thresholds[2],
                "two": thresholds[3], "cap": None if cap is None else str(cap),
                "veto_stars": int(settings["veto_stars"])})
    report.items = sql("SELECT count(*) FROM ref_item_scores").scalar()
    report.seconds["score_rate"] = time.perf_counter() - started

    started = time.perf_counter()
    sql(MEMBERS, context)
    sql(MEMBER_SUMMARY)
    report.members = sql("SELECT count(*) FROM ref_members").scalar()
    report.seconds["members"] = time.perf_counter() - started

    started = time.perf_counter()
    sql(_org_results(fortress))
    sql(_member_indices(vanguard))
    report.seconds["write"] = time.perf_counter() - started
    return report


# -- the comparison ---------------------------------------------------------------------------

ORG_COLUMNS = ("standard_id", "version_id", "sector", "kind", "parent_id", "items_total",
               "adjustments_total", "clamp", "score", "score_stars", "stars", "capped", "vetoed",
               "rank_peers", "peers_count", "rank_parent", "parent_count", "previous_cycle_id",
               "previous_stars", "change", "member_count", "avg_points")
MEMBER_COLUMNS = ("org_id", "points", "exempt", "rank_in_branch", "branch_size")


def _differences(columns) -> str:
    """SQL: a text array naming each column where ``r`` (ours) and ``e`` (the engine's)
    differ, with both values."""
    return "array_remove(ARRAY[" + ", ".join(
        f"CASE WHEN r.{c} IS DISTINCT FROM e.{c} THEN "
        f"'{c} ' || coalesce(r.{c}::text, 'NULL') || ' vs ' || coalesce(e.{c}::text, 'NULL') END"
        for c in columns
    ) + "], NULL)"


def _listed(found: dict, kind: str, rows) -> None:
    rows = list(rows)
    for name, what in rows[:SHOWN]:
        found[f"{kind}:{name}"] = what
    if len(rows) > SHOWN:
        found[f"{kind}:…"] = f"{len(rows) - SHOWN} more"


def compare(session, cycle_id, report: Report | None = None, today: date | None = None) -> dict[str, str]:
    """What differs between the reference's results of ``cycle_id`` (computed now unless
    ``report`` says they were) and the engine's stored ones; empty when they agree.

    ``value:<indicator>`` / ``points:<indicator>`` — organisations whose measured value or
    item points differ (borrowed indicators are equal by construction); ``org:<code>`` —
    an organisation's figures; ``member:<id>`` — a member's. Indices are compared only when
    the tenant's formulas are the defaults."""
    report = report or run(session, cycle_id, today)
    binds = {"tenant_id": cycle_row(session, cycle_id).tenant_id, "cycle": report.cycle_id}
    found: dict[str, str] = {}
    borrowed = report.borrowed
    items = session.execute(text("""
        WITH engine AS (
            SELECT r.org_id, e ->> 'key' AS key, (e ->> 'points')::numeric AS points,
                   (e ->> 'value')::numeric AS value
            FROM assessment_org_results r CROSS JOIN LATERAL json_array_elements(r.items) e
            WHERE r.tenant_id = :tenant_id AND r.cycle_id = :cycle
        )
        SELECT coalesce(r.item_key, e.key) AS key,
               count(*) FILTER (WHERE r.value IS DISTINCT FROM e.value) AS values,
               count(*) FILTER (WHERE r.points IS DISTINCT FROM e.points) AS points,
               min(coalesce(o.code, '?') || ': ' || coalesce(r.value::text, 'NULL') || ' vs '
                   || coalesce(e.value::text, 'NULL'))
                   FILTER (WHERE r.value IS DISTINCT FROM e.value) AS value_example,
               min(coalesce(o.code, '?') || ': ' || coalesce(r.points::text, 'NULL') || ' vs '
                   || coalesce(e.points::text, 'NULL'))
                   FILTER (WHERE r.points IS DISTINCT FROM e.points) AS points_example
        FROM ref_item_scores r
        FULL JOIN engine e ON e.org_id = r.org_id AND e.key = r.item_key
        LEFT JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = coalesce(r.org_id, e.org_id)
        GROUP BY 1 ORDER BY 1
    """), binds).all()
    for key, values, points, value_example, points_example in items:
        if values and key not in borrowed:
            found[f"value:{key}"] = f"{values} organisations differ (SQL vs engine), e.g. {value_example}"
        if points:
            found[f"points:{key}"] = f"{points} organisations differ (SQL vs engine), e.g. {points_example}"

    org_columns = ORG_COLUMNS + (("fortress_index",) if report.indices else ())
    _listed(found, "org", session.execute(text(f"""
        SELECT coalesce(o.code, r.org_id::text), array_to_string(d, '; ')
        FROM (
            SELECT coalesce(r.org_id, e.org_id) AS org_id,
                   CASE WHEN r.org_id IS NULL THEN ARRAY['assessed by the engine only']
                        WHEN e.org_id IS NULL THEN ARRAY['assessed by the SQL only']
                        ELSE {_differences(org_columns)} END AS d
            FROM ref_org_results r
            FULL JOIN (SELECT * FROM assessment_org_results
                       WHERE tenant_id = :tenant_id AND cycle_id = :cycle) e ON e.org_id = r.org_id
        ) r
        LEFT JOIN organizations o ON o.tenant_id = :tenant_id AND o.id = r.org_id
        WHERE cardinality(d) > 0 ORDER BY 1
    """), binds))
    member_columns = MEMBER_COLUMNS + (("vanguard_index",) if report.indices else ())
    _listed(found, "member", session.execute(text(f"""
        SELECT member_id::text, array_to_string(d, '; ')
        FROM (
            SELECT coalesce(r.member_id, e.member_id) AS member_id,
                   CASE WHEN r.member_id IS NULL THEN ARRAY['listed by the engine only']
                        WHEN e.member_id IS NULL THEN ARRAY['listed by the SQL only']
                        ELSE {_differences(member_columns)} END AS d
            FROM ref_member_indices r
            FULL JOIN (SELECT * FROM assessment_member_indices
                       WHERE tenant_id = :tenant_id AND cycle_id = :cycle) e
                   ON e.member_id = r.member_id
        ) r
        WHERE cardinality(d) > 0 ORDER BY 1
    """), binds))
    return found


# -- the command ------------------------------------------------------------------------------


def _engine_seconds(report: Report, cycle_id) -> dict[int, float]:
    """The engine's own ``measure`` of each measurement, same organisations and parameters
    (read-only), timed."""
    from sqlalchemy import literal_column, select

    from core.assessment import registry
    from core.assessment.indicators import IndicatorContext
    from core.db import db

    cycle = cycle_row(db.session, cycle_id)
    indicators = registry.tenant_indicators()
    out = {}
    for number, m in enumerate(report.measurements):
        indicator = indicators[m.key]
        orgs = select(literal_column("org_id")).select_from(text("ref_assessed")).where(
            text("version_id = ANY(:versions)").bindparams(versions=sorted(m.version_ids)))
        ctx = IndicatorContext(cycle.tenant_id, cycle.starts_on, cycle.ends_on, orgs, dict(m.params))
        started = time.perf_counter()
        indicator.measure(ctx)
        out[number] = time.perf_counter() - started
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", default="city")
    parser.add_argument("--cycle", help="the cycle's id (default: the tenant's latest)")
    parser.add_argument("--engine", action="store_true",
                        help="also time the engine's measure of each indicator (read-only)")
    args = parser.parse_args(argv)

    from core.app import create_app
    from core.db import db
    from core.tenancy.context import tenant_context
    from core.tenancy.resolve import tenant_by_slug

    app = create_app()
    with app.app_context():
        tenant = tenant_by_slug(args.tenant)
        with tenant_context(tenant.id):
            cycle_id = args.cycle or db.session.execute(text(
                "SELECT id FROM assessment_cycles WHERE tenant_id = :t ORDER BY ends_on DESC, "
                "created_at DESC LIMIT 1"), {"t": tenant.id}).scalar()
            summary = db.session.execute(text(
                "SELECT run_summary FROM assessment_cycles WHERE id = :c"), {"c": cycle_id}).scalar()
            try:
                report = run(db.session, cycle_id)
                engine = _engine_seconds(report, cycle_id) if args.engine else {}
                mismatches = compare(db.session, cycle_id, report)
            finally:
                db.session.rollback()
    if isinstance(summary, str):
        summary = json.loads(summary)
    print(f"cycle {cycle_id}: {report.orgs} organisations, {report.items} items, "
          f"{report.members} members")
    for phase in PHASES:
        print(f"  {phase:<12} {report.seconds[phase]:7.3f} s")
    print(f"  {'total':<12} {report.total:7.3f} s   (engine's stored run: "
          f"{(summary or {}).get('seconds', '?')} s)")
    print("measurements (SQL s / engine s, organisations):")
    for number, m in enumerate(report.measurements):
        mark = " (borrowed)" if m.borrowed else ""
        theirs = f"{engine[number]:7.3f}" if number in engine else "      -"
        print(f"  {m.key:<34} {m.seconds:7.3f} {theirs}  {m.orgs:>5}{mark}")
    for note in report.notes:
        print(f"note: {note}")
    print(f"borrowed: {', '.join(report.borrowed) or 'none'}")
    print(f"mismatches: {len(mismatches)}")
    for key, what in mismatches.items():
        print(f"  {key}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
