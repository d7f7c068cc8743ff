"""Benchmark: a full warning sweep of a city of 5,000 organisations and 100,000 members
with a year of records.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_city \\
    DANGJIAN_INSTANCE_PATH=/tmp/bench-instance SECRET_KEY=bench \\
        .venv/bin/python bench/warning_sweep.py [--tenant city] [--profile city] [--runs 2]

On the database of ``DATABASE_URL`` (a scratch database owned by a plain role, see
``bench/README.md``; migrated here to the latest schema):

1. :func:`bench.city_tenant.prepare`: unless tenant ``--tenant`` is seeded already, seeds it
   with ``dangjian seed``'s profile — the year up to today with the imperfections of a real
   one (overdue terms, branches without the committee they need, meetings missed, members
   without a talk or behind with their dues, development steps overdue… a few percent each;
   see :mod:`core.seed`) — then analyses, sweeps (opening the warnings), rates and publishes;
2. times ``--runs`` full sweeps as of today (every rule the tenant has), each committed — the
   steady state of a daily sweep, keeping the open warnings — printing per-rule seconds and
   findings, the total and the number of SQL statements.

A benchmark, never a test: nothing here asserts a time. Target: a sweep under 10 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import city_tenant  # noqa: E402  (bench/city_tenant.py: the seeded city)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default=city_tenant.SLUG, help="tenant slug (reused as it is if seeded)")
    parser.add_argument("--profile", default="city", help="dangjian seed's profile, when the tenant is new")
    parser.add_argument("--runs", type=int, default=2, help="sweeps to time")
    args = parser.parse_args()

    from sqlalchemy import event, func, select

    from core.auth.context import acting_as, cli_actor
    from core.db import db
    from core.members.models import Member
    from core.orgs.models import Organization
    from core.tenancy import tenant_context
    from core.warnings import engine

    app = city_tenant.open_app({"REDIS_URL": None})
    with app.app_context():
        tenant_id = city_tenant.prepare(args.tenant, args.profile).id
        today = date.today()
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            if not statement.startswith("SELECT set_config("):
                statements.append(statement)

        with acting_as(cli_actor()), tenant_context(tenant_id):
            n_orgs = db.session.scalar(select(func.count()).select_from(Organization))
            n_members = db.session.scalar(select(func.count()).select_from(Member))
            db.session.commit()
            print(f"tenant {args.tenant}: {n_orgs} organisations, {n_members} members; sweeping as of {today}")
            for n in range(args.runs):
                statements.clear()
                event.listen(db.engine, "before_cursor_execute", count)
                started = time.perf_counter()
                report = engine.sweep(today)
                db.session.commit()
                total = time.perf_counter() - started
                event.remove(db.engine, "before_cursor_execute", count)
                print(f"\nsweep {n + 1}")
                print(f"{'rule':42} {'status':13} {'seconds':>8} {'opened':>7} {'kept':>7} {'resolved':>8}")
                for r in report.rules:
                    print(f"{r.key:42} {r.status:13} {r.seconds:8.3f} {r.opened:7} {r.kept:7} {r.resolved:8}")
                    if r.error:
                        print(f"    error: {r.error}")
                totals = report.totals()
                print(f"total: {total:.2f} s, {len(statements)} SQL statements, {len(report.rules)} rules, "
                      f"{totals['opened']} opened, {totals['kept']} kept, {totals['resolved']} resolved")


if __name__ == "__main__":
    main()
