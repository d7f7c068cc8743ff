"""Benchmark: the 党内统计 tables of a whole city, a drill-down and the .xlsx export.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_city \\
    DANGJIAN_INSTANCE_PATH=/tmp/bench-instance SECRET_KEY=bench \\
        .venv/bin/python bench/statistics.py [--tenant city] [--profile city] [--runs 2]

On the seeded city (:func:`bench.city_tenant.prepare`), times ``--runs`` times: every table
of the root's subtree for the year (one aggregate query per table), the drill-down of the
largest member cell (党员总数 by gender) and the .xlsx export, printing seconds and SQL
statements. A benchmark, never a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import city_tenant  # noqa: E402  (bench/city_tenant.py: the seeded city)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default=city_tenant.SLUG, help="tenant slug (reused if seeded)")
    parser.add_argument("--profile", default="city", help="dangjian seed's profile, when new")
    parser.add_argument("--runs", type=int, default=2, help="runs to time")
    args = parser.parse_args()

    from sqlalchemy import event, func, select

    from core.auth.context import acting_as, cli_actor
    from core.db import db
    from core.members.models import Member
    from core.orgs.models import Organization
    from core.statistics import compute, drill, export
    from core.tenancy import tenant_context

    app = city_tenant.open_app({"REDIS_URL": None})
    with app.app_context():
        tenant_id = city_tenant.prepare(args.tenant, args.profile).id
        year = date.today().year - 1
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            if not statement.startswith("SELECT set_config("):
                statements.append(statement)

        with acting_as(cli_actor()), tenant_context(tenant_id):
            root = db.session.scalar(
                select(Organization)
                .where(Organization.parent_id.is_(None))
                .order_by(Organization.code)
            )
            n_orgs = db.session.scalar(select(func.count()).select_from(Organization))
            n_members = db.session.scalar(select(func.count()).select_from(Member))
            print(f"tenant {args.tenant}: {n_orgs} organisations, {n_members} members; year {year}")
            print(f"{'run':>3} {'step':10} {'seconds':>8} {'SQL':>5} {'figure':>8}")
            for n in range(1, args.runs + 1):
                for step in ("tables", "drill", "export"):
                    statements.clear()
                    event.listen(db.engine, "before_cursor_execute", count)
                    started = time.perf_counter()
                    if step == "tables":
                        result = compute.figures(root, year, "annual")
                        figure = result["tables"][0]["cells"]["total"]["total"]
                    elif step == "drill":
                        figure = drill.records(root, year, "annual", "gender", "total", "total")[
                            "count"
                        ]
                    else:
                        out = io.BytesIO()
                        export.write(out, compute.figures(root, year, "annual"))
                        figure = len(out.getvalue())
                    seconds = time.perf_counter() - started
                    event.remove(db.engine, "before_cursor_execute", count)
                    print(f"{n:>3} {step:10} {seconds:8.3f} {len(statements):5} {figure:>8}")
            db.session.rollback()


if __name__ == "__main__":
    main()
