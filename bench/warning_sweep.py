"""Benchmark: a full warning sweep of a city of 5,000 organisations and 100,000 members.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench \\
        .venv/bin/python bench/warning_sweep.py [--tenant bench-warnings] [--orgs 5000] [--members 100000]

On the database of ``DATABASE_URL`` (a scratch database; it creates missing tables and the
row-level security policies):

1. builds the tenant ``--tenant`` unless it already exists (then it is reused as is): a
   city committee, 10 district and 100 township committees and branches up to ``--orgs``
   organisations, with terms started 2019–2025 (some overdue, some ending soon), committee
   posts in some branches, and ``--members`` members spread unevenly (tiny branches, large
   ones) with ~3 % probationary (some past their year), ~2 % mobile and ~1 % lost contact.
   Rows go in with ORM bulk ``executemany`` inserts in batches, not object by object, and
   without audit entries (``bookkeeping``: benchmark set-up, not anyone's change);
2. times a full sweep (every rule the tenant has at the time — other slices' rules over
   their own tables included) twice: the first opens the warnings, the second keeps them
   (the steady state of a daily sweep), each committed; prints per-rule seconds, findings,
   the total and the number of SQL statements.

A benchmark, never a test: nothing here asserts a time. Target: a sweep under 10 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TODAY = date(2025, 7, 1)
BATCH = 5000
POSTS = ("secretary", "deputy_secretary", "organisation_member", "propaganda_member",
         "discipline_member", "committee_member")


def _insert(model, rows):
    from sqlalchemy import insert

    from core.db import db

    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model).execution_options(bookkeeping=True),
                           rows[start:start + BATCH])


def build(orgs_wanted: int, members_wanted: int, seed: int = 11) -> tuple[int, int]:
    from core.db import db, new_id
    from core.members.models import Member
    from core.orgs.models import Organization, OrgPost

    rng = random.Random(seed)
    orgs, branches = [], []

    def org(parent, kind, name):
        oid = new_id()
        path = (parent["path"] if parent else "/") + f"{oid.hex}/"
        row = {
            "id": oid, "parent_id": parent["id"] if parent else None, "path": path,
            "depth": path.count("/") - 2, "code": f"B{len(orgs):05d}", "name": name,
            "kind": kind, "sector": None, "status": "active", "attributes": {},
            "term_started_on": TODAY - timedelta(days=rng.randrange(0, 365 * 6)),
        }
        orgs.append(row)
        return row

    city = org(None, "committee", "市委")
    districts = [org(city, "committee", f"第{i + 1}区委") for i in range(10)]
    towns = [org(districts[i % 10], "committee", f"第{i + 1}街道党工委") for i in range(100)]
    while len(orgs) < orgs_wanted:
        branches.append(org(towns[len(branches) % 100], "branch", f"第{len(branches) + 1}党支部"))
    _insert(Organization, orgs)

    weights = [rng.choice((0.1, 0.5, 1, 1, 1, 1, 2, 3, 6)) for _ in branches]
    homes = rng.choices(branches, weights=weights, k=members_wanted)
    members = []
    for n, branch in enumerate(homes):
        joined = date(1985, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
        roll = rng.random()
        row = {
            "id": new_id(), "org_id": branch["id"], "name": f"党员{n}", "name_initials": "dy",
            "gender": "male" if rng.random() < 0.7 else "female", "ethnicity": "汉族",
            "birth_date": date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40)),
            "id_number": f"BENCH{n:012d}", "id_number_index": f"bench-{n}",
            "joined_on": joined, "full_on": joined + timedelta(days=365), "status": "full",
            "mobile_since": None, "lost_contact_since": None, "version": 1,
        }
        if roll < 0.03:
            row.update(status="probationary", full_on=None,
                       joined_on=TODAY - timedelta(days=rng.randrange(30, 600)))
        elif roll < 0.05:
            row.update(status="mobile", mobile_since=TODAY - timedelta(days=rng.randrange(10, 900)))
        elif roll < 0.06:
            row.update(status="lost_contact",
                       lost_contact_since=TODAY - timedelta(days=rng.randrange(10, 900)))
        members.append(row)
    _insert(Member, members)

    by_branch: dict[uuid.UUID, list] = {}
    for m in members:
        by_branch.setdefault(m["org_id"], []).append(m["id"])
    posts = []
    for branch in branches:
        people = by_branch.get(branch["id"], [])
        if len(people) >= 7 and rng.random() < 0.8:
            for member_id, post in zip(people, POSTS[:rng.choice((3, 4, 5, 6))], strict=False):
                posts.append({"id": new_id(), "org_id": branch["id"], "post": post,
                              "member_id": member_id, "started_on": date(2023, 1, 1)})
    _insert(OrgPost, posts)
    db.session.commit()
    return len(orgs), len(members)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default="bench-warnings", help="tenant slug (reused if it exists)")
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()

    from sqlalchemy import event, func, select

    from core.app import create_app
    from core.auth.context import acting_as, cli_actor
    from core.db import db
    from core.members.models import Member
    from core.models import load_all_models
    from core.orgs.models import Organization
    from core.tenancy import rls, tenant_context
    from core.tenancy.models import Tenant
    from core.warnings import engine

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
        if tenant is None:
            tenant = Tenant(slug=args.tenant, name="预警基准测试市委组织部", hosts=[])
            db.session.add(tenant)
            db.session.commit()
            with acting_as(cli_actor()), tenant_context(tenant.id):
                started = time.perf_counter()
                n_orgs, n_members = build(args.orgs, args.members)
                print(f"built tenant {args.tenant}: {n_orgs} organisations, {n_members} members "
                      f"in {time.perf_counter() - started:.1f} s")
        tenant_id = tenant.id
        db.session.commit()

        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            if not statement.startswith("SELECT set_config("):
                statements.append(statement)

        with acting_as(cli_actor()), tenant_context(tenant_id):
            n_orgs = db.session.scalar(select(func.count()).select_from(Organization))
            n_members = db.session.scalar(select(func.count()).select_from(Member))
            db.session.commit()
            print(f"tenant {args.tenant}: {n_orgs} organisations, {n_members} members; "
                  f"sweeping as of {TODAY}")
            for label in ("first sweep (opens)", "second sweep (keeps)"):
                statements.clear()
                event.listen(db.engine, "before_cursor_execute", count)
                started = time.perf_counter()
                report = engine.sweep(TODAY)
                db.session.commit()
                total = time.perf_counter() - started
                event.remove(db.engine, "before_cursor_execute", count)
                print(f"\n{label}")
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
