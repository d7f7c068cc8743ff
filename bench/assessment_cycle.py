"""Benchmark: a full assessment cycle run (评星定级) for a city of 5,000 organisations and
100,000 members with a year of records.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_city \\
    DANGJIAN_INSTANCE_PATH=/tmp/bench-instance SECRET_KEY=bench \\
        .venv/bin/python bench/assessment_cycle.py [--tenant city] [--profile city] [--runs 2]
                                                   [--cprofile FILE] [--statements N]

On the database of ``DATABASE_URL`` (a scratch database owned by a plain role, see
``bench/README.md``; migrated here to the latest schema):

1. :func:`bench.city_tenant.prepare`: unless tenant ``--tenant`` is seeded already, seeds it
   with ``dangjian seed``'s profile — its year ends today, so the current calendar year has
   its meetings, talks, dues, development and points so far — analyses, sweeps (the open
   warnings ``warnings.open_serious`` reads), copies every default standard and runs and
   publishes a first yearly cycle;
2. opens a new yearly cycle of the current calendar year for the whole city (each invocation
   adds one) and times ``--runs`` runs of :func:`core.assessment.evaluate.run` (the first
   writes the results, the next replace them), each committed, printing the seconds of every
   phase (each indicator's measurement, scoring, members and points, rating, writing), the
   total and the number of SQL statements; then one assessor's adjustment (the review path:
   re-rating the whole cycle without measuring) and the publication.

A benchmark, never a test: nothing here asserts a time. Target: a full run under 15 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import city_tenant  # noqa: E402  (bench/city_tenant.py: the seeded city)


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
    parser.add_argument("--tenant", default=city_tenant.SLUG, help="tenant slug (reused as it is if seeded)")
    parser.add_argument("--profile", default="city", help="dangjian seed's profile, when the tenant is new")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--cprofile", metavar="FILE", help="write a cProfile of the first run")
    parser.add_argument("--statements", type=int, default=0, metavar="N",
                        help="print the N slowest SQL statements of each step")
    args = parser.parse_args()

    from sqlalchemy import event, func, select

    from core.assessment import cycles, evaluate
    from core.assessment import standards as standard_service
    from core.assessment.models.cycles import MemberIndex, OrgResult
    from core.auth.context import acting_as, cli_actor
    from core.db import db
    from core.members.models import Member
    from core.orgs.models import Organization
    from core.tenancy import tenant_context

    app = city_tenant.open_app({"REDIS_URL": None})
    with app.app_context():
        tenant_id = city_tenant.prepare(args.tenant, args.profile).id
        year = date.today().year
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
                name=f"{year}年度考核 {time.strftime('%H:%M:%S')}", period="year", year=year,
                root_org=root))
            cycle_id = cycle.id

            for n in range(args.runs):
                cycle = cycles.get(cycle_id)
                phases = Phases()
                label = "first run (writes)" if n == 0 else "re-run (replaces)"
                if args.cprofile and n == 0:
                    import cProfile

                    profiler = cProfile.Profile()
                    summary, total = counting(label, partial(profiler.runcall, evaluate.run, cycle, phases))
                    profiler.dump_stats(args.cprofile)
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
