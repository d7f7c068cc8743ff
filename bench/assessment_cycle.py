"""Benchmark: a full assessment cycle run (评星定级) for a city of 5,000 organisations and
100,000 members with a year of records.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_assess \\
        .venv/bin/python bench/assessment_cycle.py [--tenant bench-assess] [--rebuild] [--build-only]
                                                   [--orgs 5000] [--members 100000] [--runs 2]

On the database of ``DATABASE_URL`` (a scratch database; it creates missing tables and the
row-level security policies):

1. builds the tenant ``--tenant`` unless it exists (reused as is; ``--rebuild`` deletes it
   first) with bench/warning_sweep.py's city builder, its year of records moved to the
   calendar year 2024 (so a yearly cycle of 2024 sees a whole year): organisations, members,
   posts, meetings with attendance, talks, dues bases and payments, development; then
   3–12 approved point entries per member over the year (bulk-inserted into the ledger's
   table, as the points slice's collection and approvals leave them), a warning sweep as of
   2025-01-01 (for ``warnings.open_serious``), and the tenant's standard copied from core's
   default template ``core.branch_standard`` (13 indicators, every branch, joint branch and
   general branch of every sector). Analysed afterwards, as a live database would be;
2. opens a yearly 2024 cycle for the whole city and times ``--runs`` runs of
   :func:`core.assessment.evaluate.run` (the first writes the results, the next replace
   them), each committed, printing the seconds of every phase (each indicator's
   measurement, scoring, members and points, rating, writing), the total and the number of
   SQL statements; then one assessor's adjustment (the review path: re-rating the whole
   cycle without measuring) and the publication.

A benchmark, never a test: nothing here asserts a time. Target: a full run under 15 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import warning_sweep as city_builder  # noqa: E402  (bench/warning_sweep.py: the city builder)

YEAR = 2024
TODAY = date(YEAR + 1, 1, 1)
POINT_REASONS = (("attendance", "参加组织生活", 2), ("volunteering", "志愿服务", 3),
                 ("study", "学习强国", 1), ("dues", "按时交纳党费", 1), ("deduction", "无故缺席", -2))


def _calendar_year() -> None:
    """The builder's year of records becomes the calendar year ``YEAR``."""
    city_builder.TODAY = TODAY
    city_builder.YEAR_START = date(YEAR, 1, 1)
    city_builder.MONTHS = [date(YEAR, m, 1) for m in range(1, 13)]


def _points(seed: int = 23) -> int:
    """3–12 approved entries per active member over the year (~7 % deductions)."""
    from sqlalchemy import select

    from core.db import db, new_id
    from core.members.models import ACTIVE_STATUSES, Member
    from core.points.models import PointEntry

    rng = random.Random(seed)
    members = db.session.execute(
        select(Member.id, Member.org_id).where(Member.status.in_(ACTIVE_STATUSES))
    ).all()
    rows, written = [], 0
    for member_id, org_id in members:
        for _ in range(rng.randrange(3, 13)):
            category, name, points = POINT_REASONS[
                rng.choices(range(5), weights=(40, 20, 25, 8, 7))[0]]
            day = date(YEAR, 1, 1) + timedelta(days=rng.randrange(0, 365))
            rows.append({
                "id": new_id(), "member_id": member_id, "org_id": org_id,
                "rule_key": f"bench.{category}", "rule_name": name, "category": category,
                "requested_points": Decimal(points), "points": Decimal(points),
                "occurred_on": day, "status": "approved", "recorded_by": "system",
                "approved_by": "system",
            })
        if len(rows) >= city_builder.BATCH * 4:
            city_builder._insert(PointEntry, rows)
            written += len(rows)
            rows = []
    city_builder._insert(PointEntry, rows)
    return written + len(rows)


def build(orgs_wanted: int, members_wanted: int) -> dict:
    from core.assessment import standards
    from core.assessment.templates import BRANCH_STANDARD
    from core.db import db
    from core.warnings import engine

    _calendar_year()
    timings = {}
    started = time.perf_counter()
    counts = city_builder.build(orgs_wanted, members_wanted)
    timings["city"] = time.perf_counter() - started
    started = time.perf_counter()
    counts.add("point entries", _points())
    db.session.commit()
    timings["points"] = time.perf_counter() - started
    _analyze()  # the sweep's plans need statistics (without, its dues rules take many minutes)
    started = time.perf_counter()
    sweep = engine.sweep(TODAY)
    db.session.commit()
    counts.add("open warnings", sweep.totals()["opened"])
    timings["warning sweep"] = time.perf_counter() - started
    standards.copy_template(BRANCH_STANDARD)
    db.session.commit()
    return {"counts": counts, "timings": timings}


def _analyze() -> None:
    """A live database has planner statistics; right after a bulk load it has none."""
    from sqlalchemy import text

    from core.db import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


class Phases:
    """Seconds between the run's progress reports (each names the phase just finished)."""

    def __init__(self):
        self.marks: list[tuple[str, float]] = []
        self.last = time.perf_counter()

    def __call__(self, percent, message):
        now = time.perf_counter()
        self.marks.append((message, now - self.last))
        self.last = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default="bench-assess", help="tenant slug (reused if it exists)")
    parser.add_argument("--rebuild", action="store_true", help="delete the tenant first and build it again")
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--build-only", action="store_true", help="build (or reuse) and stop")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the first run")
    parser.add_argument("--statements", type=int, default=0, metavar="N",
                        help="print the N slowest SQL statements of each step")
    args = parser.parse_args()

    from sqlalchemy import delete, event, func, select

    from core.app import create_app
    from core.assessment import cycles, evaluate
    from core.assessment import standards as standard_service
    from core.assessment.models.cycles import MemberIndex, OrgResult
    from core.auth.context import acting_as, cli_actor
    from core.db import db
    from core.members.models import Member
    from core.models import load_all_models
    from core.orgs.models import Organization
    from core.tenancy import rls, tenant_context
    from core.tenancy.models import Tenant

    app = create_app({"REDIS_URL": None})
    with app.app_context():
        load_all_models()
        db.create_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                rls.ensure_policies(conn)
                if rls.connection_bypasses_rls(conn):
                    print("warning: connected as a superuser or BYPASSRLS role: row-level "
                          "security is not exercised", file=sys.stderr)
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == args.tenant))
        if tenant is not None and args.rebuild:
            started = time.perf_counter()
            db.session.execute(delete(Tenant).where(Tenant.id == tenant.id))  # everything cascades
            db.session.commit()
            print(f"deleted tenant {args.tenant} in {time.perf_counter() - started:.1f} s")
            tenant = None
        if tenant is None:
            tenant = Tenant(slug=args.tenant, name="考核基准测试市委组织部", hosts=[])
            db.session.add(tenant)
            db.session.commit()
            with acting_as(cli_actor()), tenant_context(tenant.id):
                started = time.perf_counter()
                built = build(args.orgs, args.members)
                print(f"built tenant {args.tenant} in {time.perf_counter() - started:.1f} s "
                      f"({', '.join(f'{k} {v:.0f} s' for k, v in built['timings'].items())}):")
                for key in sorted(built["counts"]):
                    print(f"  {key:36} {built['counts'][key]:>9,}")
            _analyze()
        tenant_id = tenant.id
        db.session.commit()
        if args.build_only:
            return

        statements: list[str] = []
        slowest: list[tuple[float, str]] = []

        def count(conn, cursor, statement, parameters, context, executemany):
            if not statement.startswith("SELECT set_config("):
                statements.append(statement)
                conn.info["bench_started"] = time.perf_counter()

        def timed(conn, cursor, statement, parameters, context, executemany):
            started = conn.info.pop("bench_started", None)
            if started is not None:
                rows = f" ×{len(parameters)}" if executemany else ""
                slowest.append((time.perf_counter() - started, " ".join(statement.split())[:90] + rows))

        def counting(label, work):
            statements.clear()
            slowest.clear()
            event.listen(db.engine, "before_cursor_execute", count)
            event.listen(db.engine, "after_cursor_execute", timed)
            started = time.perf_counter()
            try:
                outcome = work()
                commit_started = time.perf_counter()
                db.session.commit()
                committed = time.perf_counter() - commit_started
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
                event.remove(db.engine, "after_cursor_execute", timed)
            total = time.perf_counter() - started
            in_sql = sum(seconds for seconds, _ in slowest)
            print(f"{label}: {total:.2f} s (commit {committed:.2f} s), {len(statements)} SQL statements "
                  f"taking {in_sql:.2f} s")
            if args.statements:
                for seconds, sql in sorted(slowest, reverse=True)[:args.statements]:
                    print(f"      {seconds:7.3f} s  {sql}")
            return outcome, total

        with acting_as(cli_actor()), tenant_context(tenant_id):
            n_orgs = db.session.scalar(select(func.count()).select_from(Organization))
            n_members = db.session.scalar(select(func.count()).select_from(Member))
            root = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
            standard = standard_service.list_standards(active_only=True)
            print(f"tenant {args.tenant}: {n_orgs} organisations, {n_members} members; "
                  f"standards: {', '.join(s.name for s in standard)}")
            cycle, _ = counting("open cycle", lambda: cycles.open_cycle(
                name=f"{YEAR}年度考核 {time.strftime('%H:%M:%S')}", period="year", year=YEAR,
                root_org=root))
            cycle_id = cycle.id

            for n in range(args.runs):
                cycle = cycles.get(cycle_id)
                phases = Phases()
                label = "first run (writes)" if n == 0 else "re-run (replaces)"
                if args.profile and n == 0:
                    import cProfile

                    profiler = cProfile.Profile()
                    summary, total = counting(label, partial(profiler.runcall, evaluate.run, cycle, phases))
                    profiler.dump_stats(args.profile)
                else:
                    summary, total = counting(label, partial(evaluate.run, cycle, phases))
                for message, seconds in phases.marks:
                    print(f"    {seconds:7.3f} s  {message}")
                print(f"    {summary['orgs']} organisations assessed ({summary['not_assessed']} not), "
                      f"{summary['items']} item scores, {summary['members']} members, "
                      f"{summary['measurements']} measurements"
                      + (f"; unavailable: {summary['unavailable']}" if summary["unavailable"] else "")
                      + (f"; {summary['points_note']}" if summary["points_note"] else ""))

            cycle = cycles.get(cycle_id)
            some_org = db.session.scalar(
                select(OrgResult.org_id).where(OrgResult.cycle_id == cycle_id)
                .order_by(OrgResult.score.desc()).limit(1))
            counting("review: an adjustment re-rates the cycle",
                     lambda: cycles.add_adjustment(cycle, some_org, -30, "基准测试扣分"))
            counting("publish", lambda: cycles.publish(cycles.get(cycle_id)))

            stars = Counter(dict(db.session.execute(
                select(OrgResult.stars, func.count()).where(OrgResult.cycle_id == cycle_id)
                .group_by(OrgResult.stars)).all()))
            average = db.session.scalar(select(func.avg(OrgResult.score)).where(OrgResult.cycle_id == cycle_id))
            indexed = db.session.scalar(select(func.count()).select_from(MemberIndex).where(
                MemberIndex.cycle_id == cycle_id, MemberIndex.vanguard_index.is_not(None)))
            print(f"stars: {', '.join(f'{k}★ {stars[k]}' for k in sorted(stars, reverse=True))}; "
                  f"average score {average:.1f}; {indexed} vanguard indices")


if __name__ == "__main__":
    main()
