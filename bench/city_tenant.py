"""The seeded city every benchmark shares: one builder, ``dangjian seed``.

:func:`prepare` makes tenant ``slug`` ready for the benchmarks, or reuses it as it is when it
already has organisations (seeding the ``city`` profile takes about two minutes):

1. creates the tenant with every installed plugin when it is missing;
2. seeds it with :func:`core.seed.service.seed` (``city``: 5,000 organisations — 党小组
   included — 100,000 members, and the year up to today: committees and finance roles,
   三会一课, 组织生活会, 民主评议, talks, attendance, dues, development, points — with the few
   percent of imperfections a real year has, see :mod:`core.seed`);
3. analyses the database (a live one has planner statistics; a bulk-loaded one has none),
   sweeps the warnings as of today, copies every default standard, opens, runs and publishes
   a yearly cycle of the current calendar year, and analyses again (what autovacuum does);
4. creates the tenant administrator the web benchmarks log in as (:data:`USERNAME`).

:func:`open_app` is the scripts' shared set-up: the app on ``DATABASE_URL``, migrated to the
latest schema. Run as a script to prepare the city alone::

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_city \\
    DANGJIAN_INSTANCE_PATH=/tmp/bench-instance SECRET_KEY=bench \\
        .venv/bin/python bench/city_tenant.py [--tenant city] [--profile city]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SLUG = "city"
USERNAME = "bench-admin"
PASSWORD = "Bench-pages-2026!"


def open_app(config: dict | None = None):
    """The app on ``DATABASE_URL`` (``config`` overrides), its database migrated to every
    head; warns when the role bypasses row-level security (a superuser: then the benchmark
    does not measure the policies production has)."""
    import flask_migrate

    from core.app import create_app
    from core.db import db
    from core.tenancy import rls

    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                if rls.connection_bypasses_rls(conn):
                    print("warning: connected as a superuser or BYPASSRLS role: row-level "
                          "security is not exercised", file=sys.stderr)
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
    return app


def prepare(slug: str = SLUG, profile: str = "city", *, today: date | None = None,
            say: Callable[[str], None] = print):
    """The seeded, swept and rated tenant ``slug`` (see the module docstring); returns it.
    Needs an app context."""
    from sqlalchemy import select

    from core.auth.context import acting_as, cli_actor
    from core.db import db
    from core.orgs.models import Organization
    from core.plugins.manager import installed_plugins
    from core.tenancy import files
    from core.tenancy import service as tenants
    from core.tenancy.context import tenant_context
    from core.tenancy.resolve import tenant_by_slug

    today = today or date.today()
    with acting_as(cli_actor()):
        tenant = tenant_by_slug(slug)
        if tenant is None:
            spec = files.TenantSpec(slug=slug, name="基准测试市委组织部", plugins=sorted(installed_plugins()))
            tenant, _ = tenants.apply(spec, create_only=True)
            db.session.commit()
            say(f"created tenant {slug!r} with plugins {', '.join(spec.plugins)}")
        tenant_id = tenant.id
        with tenant_context(tenant_id):
            empty = db.session.scalar(select(Organization.id).limit(1)) is None
            db.session.commit()
        if empty:
            _build(tenant_id, profile, today, say)
        else:
            say(f"tenant {slug!r} is seeded already: reused as it is")
        _administrator(tenant_id)
    return tenant_by_slug(slug)


def _build(tenant_id: int, profile: str, today: date, say: Callable[[str], None]) -> None:
    from sqlalchemy import select

    from core.assessment import cycles, registry, standards
    from core.assessment.evaluate import run as run_cycle
    from core.db import db
    from core.orgs.models import Organization
    from core.seed import service as seed
    from core.tenancy.context import tenant_context
    from core.warnings.engine import sweep

    with tenant_context(tenant_id):
        started = time.perf_counter()
        seed.seed(profile, today=today, say=say)
        db.session.commit()
        say(f"seeded ({profile}) in {time.perf_counter() - started:.1f} s")
    analyze()
    with tenant_context(tenant_id):
        started = time.perf_counter()
        report = sweep(today)
        db.session.commit()
        say(f"warning sweep as of {today}: {report.totals()} in {time.perf_counter() - started:.1f} s")
        for key, template in registry.tenant_templates().items():
            standards.copy_template(key, name=template.name)
        root = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
        cycle = cycles.open_cycle(name=f"{today.year} 年度评星定级", period="year", year=today.year, root_org=root)
        started = time.perf_counter()
        run_cycle(cycle)
        cycles.publish(cycle)
        db.session.commit()
        say(f"yearly cycle {today.year} run and published in {time.perf_counter() - started:.1f} s")
    analyze()


def _administrator(tenant_id: int) -> None:
    """The tenant administrator the web benchmarks log in as."""
    from sqlalchemy import select

    from core.auth import service as auth_service
    from core.auth.models import User
    from core.db import db
    from core.tenancy.context import tenant_context

    with tenant_context(tenant_id):
        if db.session.scalar(select(User).where(User.username == USERNAME)) is None:
            user = auth_service.create_user(USERNAME, PASSWORD, display_name="基准测试")
            db.session.flush()
            auth_service.grant(user, "tenant_admin", None)
        db.session.commit()


def analyze() -> None:
    """Planner statistics for every table (PostgreSQL; nothing elsewhere)."""
    from sqlalchemy import text

    from core.db import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default=SLUG, help="tenant slug (reused as it is if seeded)")
    parser.add_argument("--profile", default="city", help="dangjian seed's profile: small, city, large")
    args = parser.parse_args()
    app = open_app({"REDIS_URL": None})
    with app.app_context():
        prepare(args.tenant, args.profile)


if __name__ == "__main__":
    main()
