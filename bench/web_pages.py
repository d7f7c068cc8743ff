"""Benchmark: the web app's pages for a city of 100,000 members, rendered by the real app.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_web \\
    DANGJIAN_INSTANCE_PATH=/tmp/bench-instance SECRET_KEY=bench \\
        .venv/bin/python bench/web_pages.py [--tenant bench-web] [--profile city] [--repeat 20]

On the database of ``DATABASE_URL`` (a scratch database owned by a plain role, see
``bench/README.md``; migrated here to the latest schema):

1. unless tenant ``--tenant`` exists, creates it with every plugin and fills it with
   ``dangjian seed``'s profile (``city``: 5,000 organisations, 100,000 members and a year of
   meetings, attendance, dues, development and points), analyses the database (a live one
   has planner statistics), sweeps the warnings, copies every default standard and runs and
   publishes a yearly star rating — so the dashboard, lists and 红黑榜 have real content;
2. logs a tenant administrator in through the login form (a session like a browser's) and
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
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

USERNAME = "bench-admin"
PASSWORD = "Bench-pages-2026!"


def _prepare(slug: str, profile: str) -> None:
    """The seeded, swept and rated tenant (built once; reused on later runs)."""
    from sqlalchemy import select, text

    from core.assessment import cycles, registry, standards
    from core.assessment.evaluate import run as run_cycle
    from core.auth import service as auth_service
    from core.auth.context import acting_as, cli_actor
    from core.auth.models import User
    from core.db import db
    from core.orgs.models import Organization
    from core.plugins.manager import installed_plugins
    from core.seed import service as seed
    from core.tenancy import files
    from core.tenancy import service as tenants
    from core.tenancy.context import tenant_context
    from core.tenancy.resolve import tenant_by_slug
    from core.warnings.engine import sweep

    tenant = tenant_by_slug(slug)
    with acting_as(cli_actor()):
        if tenant is None:
            spec = files.TenantSpec(slug=slug, name="基准测试市委组织部", plugins=sorted(installed_plugins()))
            tenant, _ = tenants.apply(spec, create_only=True)
            db.session.commit()
        with tenant_context(tenant.id):
            empty = db.session.scalar(select(Organization.id).limit(1)) is None
        if empty:
            with tenant_context(tenant.id):
                started = time.perf_counter()
                seed.seed(profile, say=print)
                db.session.commit()
                print(f"seeded in {time.perf_counter() - started:.1f} s")
            _analyze(db, text)
            with tenant_context(tenant.id):
                started = time.perf_counter()
                report = sweep(date.today())
                db.session.commit()
                print(f"warning sweep: {report.totals()} in {time.perf_counter() - started:.1f} s")
                for key, template in registry.tenant_templates().items():
                    standards.copy_template(key, name=template.name)
                root = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
                cycle = cycles.open_cycle(name=f"{date.today().year} 年度评星定级", period="year",
                                          year=date.today().year, root_org=root)
                started = time.perf_counter()
                run_cycle(cycle)
                cycles.publish(cycle)
                db.session.commit()
                print(f"cycle run and published in {time.perf_counter() - started:.1f} s")
            _analyze(db, text)  # what autovacuum does on a live database
        with tenant_context(tenant.id):
            user = db.session.scalar(select(User).where(User.username == USERNAME))
            if user is None:
                user = auth_service.create_user(USERNAME, PASSWORD, display_name="基准测试")
                db.session.flush()
                auth_service.grant(user, "tenant_admin", None)
                db.session.commit()


def _analyze(db, text) -> None:
    """A live database has planner statistics; right after a bulk load it has none."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def _samples(slug: str) -> dict[str, str]:
    """Ids the page URLs need: a county, a branch, a member, the cycle, a warning, a problem."""
    from sqlalchemy import func, select

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
        branch, _n = db.session.execute(
            select(Member.org_id, func.count()).group_by(Member.org_id).order_by(func.count().desc()).limit(1)
        ).one()
        member = db.session.scalar(select(Member.id).where(Member.org_id == branch).limit(1))
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
    parser.add_argument("--tenant", default="bench-web")
    parser.add_argument("--profile", default="city")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import flask_migrate
    from sqlalchemy import event

    from core.app import create_app, ready_to_serve
    from core.db import db

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        _prepare(args.tenant, args.profile)
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
