"""Benchmark: the web app's pages for a city of 100,000 members, rendered by the real app.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_city \\
    DANGJIAN_INSTANCE_PATH=/tmp/bench-instance SECRET_KEY=bench \\
        .venv/bin/python bench/web_pages.py [--tenant city] [--profile city] [--repeat 20]

On the database of ``DATABASE_URL`` (a scratch database owned by a plain role, see
``bench/README.md``; migrated here to the latest schema):

1. :func:`bench.city_tenant.prepare`: unless tenant ``--tenant`` is seeded already, creates it
   with every plugin and fills it with ``dangjian seed``'s profile (``city``: 5,000
   organisations, 100,000 members and their year), sweeps the warnings, copies every default
   standard and runs and publishes a yearly star rating — so the dashboard, lists and 红黑榜
   have real content — and creates the administrator this script logs in as;
2. logs that administrator in through the login form (a session like a browser's) and
   requests each page ``--repeat`` times after one warm-up request (the dashboard both
   computed — ``?fresh=1`` — and from the per-process cache of its aggregates), through the WSGI app in
   this process (Flask's test client: the time is the app's — routing, queries, templates —
   without a network or a web server), printing per page the status, median, p95 and
   slowest time, and the number of SQL statements.

A benchmark, never a test: nothing here asserts a time. Target: every page under 300 ms
for the city root (a subtree of 100,000 members) on PostgreSQL.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import city_tenant  # noqa: E402  (bench/city_tenant.py: the seeded city and its administrator)

USERNAME, PASSWORD = city_tenant.USERNAME, city_tenant.PASSWORD


def _samples(slug: str) -> dict[str, str]:
    """Ids the page URLs need: a county, the branch with the most members (its 党小组'
    included), one of its members, the latest cycle, a warning."""
    from sqlalchemy import case, func, select

    from core.assessment.models.cycles import Cycle
    from core.db import db
    from core.members.models import Member
    from core.orgs.models import Organization
    from core.tenancy.context import tenant_context
    from core.tenancy.resolve import tenant_by_slug
    from core.warnings.models import Warning as OpenWarning

    tenant = tenant_by_slug(slug)
    with tenant_context(tenant.id):
        root = db.session.scalar(select(Organization.id).where(Organization.depth == 0).order_by(Organization.code))
        county = db.session.scalar(select(Organization.id).where(Organization.depth == 1).order_by(Organization.code))
        holder = case((Organization.kind == "group", Organization.parent_id), else_=Organization.id)
        branch, _n = db.session.execute(
            select(holder, func.count()).select_from(Member).join(Organization, Organization.id == Member.org_id)
            .group_by(holder).order_by(func.count().desc(), holder).limit(1)
        ).one()
        member = db.session.scalar(select(Member.id).join(Organization, Organization.id == Member.org_id)
                                   .where(holder == branch).order_by(Member.id).limit(1))
        cycle = db.session.scalar(select(Cycle.id).order_by(Cycle.created_at.desc()).limit(1))
        warning = db.session.scalar(select(OpenWarning.id).limit(1))
    return {"root": root, "county": county, "branch": branch, "member": member, "cycle": cycle, "warning": warning}


def _pages(ids: dict) -> list[tuple[str, str]]:
    pages = [
        ("dashboard, city root (computed)", "/?fresh=1"),
        ("dashboard, city root (cached)", "/"),
        ("dashboard, a county (computed)", f"/?org={ids['county']}&fresh=1"),
        ("organisation tree", "/orgs"),
        ("organisation page (largest branch)", f"/orgs/{ids['branch']}"),
        ("member list, first page", "/members"),
        ("member list, page 1,000", "/members?page=1000"),
        ("member list, name search", "/members?q=zw"),
        ("member page", f"/members/{ids['member']}"),
        ("warnings list", "/warnings"),
        ("problems ledger", "/problems"),
        ("daily work of the largest branch", f"/work/{ids['branch']}"),
        ("dues sheet of the largest branch", f"/work/{ids['branch']}/dues"),
        ("cycles", "/cycles"),
        ("cycle results", f"/cycles/{ids['cycle']}"),
        ("红黑榜", "/ranking"),
        ("audit log", "/admin/audit"),
        ("users", "/admin/users"),
    ]
    if ids.get("warning"):
        pages.append(("a warning", f"/warnings/{ids['warning']}"))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", default=city_tenant.SLUG)
    parser.add_argument("--profile", default="city")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from sqlalchemy import event

    from core.app import ready_to_serve
    from core.db import db

    app = city_tenant.open_app()
    with app.app_context():
        city_tenant.prepare(args.tenant, args.profile)
        ids = _samples(args.tenant)

    ready_to_serve(app)  # as core.wsgi does in production
    client = app.test_client()
    headers = {"X-Tenant": args.tenant}
    form = client.get("/login", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    done = client.post("/login", data={"csrf_token": token, "username": USERNAME, "password": PASSWORD},
                       headers=headers)
    assert done.status_code == 302, done.get_data(as_text=True)[:500]

    statements = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        statements.append(1)

    print(f"\n{'page':<38} {'status':>6} {'median':>9} {'p95':>9} {'slowest':>9} {'SQL':>5}")
    for label, url in _pages(ids):
        client.get(url, headers=headers)  # warm-up (templates compiled, caches filled)
        times = []
        status = None
        for _ in range(args.repeat):
            statements.clear()
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            status = response.status_code
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        print(f"{label:<38} {status:>6} {statistics.median(times):>7.1f}ms {p95:>7.1f}ms "
              f"{times[-1]:>7.1f}ms {len(statements):>5}")


if __name__ == "__main__":
    main()
