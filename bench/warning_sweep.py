"""Benchmark: a full warning sweep of a city of 5,000 organisations and 100,000 members
with a year of records.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench \\
        .venv/bin/python bench/warning_sweep.py [--tenant bench-city] [--rebuild] [--build-only]
                                                [--orgs 5000] [--members 100000]

On the database of ``DATABASE_URL`` (a scratch database; it creates missing tables and the
row-level security policies):

1. builds the tenant ``--tenant`` unless it already exists (then it is reused as is;
   ``--rebuild`` deletes it first): a city committee, 10 district and 100 township
   committees, branches and (~8 % of the organisations) 党小组 of the largest branches, up to
   ``--orgs``; terms spread so ~2 % are overdue and ~5 % end within 90 days; ``--members``
   members spread unevenly (tiny branches, large ones) with ~3 % probationary (a few past
   their year), ~2 % mobile and ~1 % lost contact. Then a year of records (the 12 months
   before ``TODAY``):

   * posts: a secretary everywhere; a committee of 3–5 in branches with ≥ 7 full members
     (~4 % of them without one, ~2 % with 6); an accountant and a cashier where there is a
     committee (a few the same person or unqualified);
   * meetings with attendance (most members present): 主题党日 and 支委会 monthly, 党小组会
     monthly in each group, 党员大会 and 党课 quarterly, one 组织生活会 and one 民主评议 —
     ~8 % of branches lag (meetings of the last quarter missed now and then, fewer talks) and
     ~1 % held nothing after April; a 谈心谈话 (the member and the secretary) for ~95 % of
     members;
   * dues: a base for every active member and a payment row per month since the year's first
     month (the tenant's ``arrears_from``), ~3 % stopped 3–5 months ago, ~1 % 6–12 months
     ago, lost-contact members since they were lost;
   * development: 600 people at every stage with their steps, ~10 % overdue at their step.

   Rows go in with bulk ``executemany`` of plain dicts through ``insert(Model)`` inside the
   tenant context (meetings and attendance a hundred branches at a time), never object by
   object, and without audit entries (``bookkeeping``: benchmark set-up, not anyone's
   change); the database is analysed afterwards, as a live one would be;
2. times a full sweep (every rule the tenant has) twice: the first opens the warnings, the
   second keeps them (the steady state of a daily sweep), each committed; prints per-rule
   seconds, findings, the total and the number of SQL statements.

A benchmark, never a test: nothing here asserts a time. Target: a sweep under 10 s.
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TODAY = date(2025, 7, 1)
YEAR_START = date(2024, 7, 1)  # the first month of the year of records (12 completed months)
MONTHS = [date(2024 + (6 + i) // 12, (6 + i) % 12 + 1, 1) for i in range(12)]  # 2024-07 … 2025-06
BATCH = 5000
CHUNK_ORGS = 100  # branches whose meetings are generated (and inserted) together
POSTS = ("secretary", "deputy_secretary", "organisation_member", "propaganda_member",
         "discipline_member", "committee_member")
ACTIVE = ("probationary", "full", "mobile", "lost_contact")
CHANNELS = ("cash", "bank", "wechat", "alipay")
TOPICS = {
    "general_meeting": "学习贯彻党的二十大精神", "committee_meeting": "研究支部月度工作",
    "group_meeting": "党小组学习", "party_lecture": "书记讲党课", "theme_day": "主题党日活动",
    "life_meeting": "年度组织生活会", "member_review": "民主评议党员", "talk": "谈心谈话",
}


def _insert(model, rows):
    from sqlalchemy import insert

    from core.db import db

    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model).execution_options(bookkeeping=True),
                           rows[start:start + BATCH])


def _day(rng, month: date) -> date:
    return month.replace(day=rng.randrange(1, 29))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _month_start(day: date) -> date:
    return day.replace(day=1)


class Counts(dict):
    def add(self, key, n=1):
        self[key] = self.get(key, 0) + n


def build(orgs_wanted: int, members_wanted: int, seed: int = 11) -> Counts:
    """Build the whole tenant; returns how many rows of each kind were written."""
    from core.db import db, new_id
    from core.dues.models import DuesSettings
    from core.members.models import Member
    from core.orgs.models import Organization

    rng = random.Random(seed)
    counts = Counts()
    orgs, branches = [], []

    def org(parent, kind, name, years):
        oid = new_id()
        path = (parent["path"] if parent else "/") + f"{oid.hex}/"
        started = None
        if years is not None:
            # ~2 % overdue, ~5 % ending within 90 days, the rest later in their term.
            roll = rng.random()
            if roll < 0.02:
                ends = TODAY - timedelta(days=rng.randrange(1, 365))
            elif roll < 0.07:
                ends = TODAY + timedelta(days=rng.randrange(0, 91))
            else:
                ends = TODAY + timedelta(days=rng.randrange(91, 365 * years))
            started = _years_before(ends, years)
        row = {
            "id": oid, "parent_id": parent["id"] if parent else None, "path": path,
            "depth": path.count("/") - 2, "code": f"B{len(orgs):05d}", "name": name,
            "kind": kind, "sector": None, "status": "active", "attributes": {},
            "term_started_on": started,
        }
        orgs.append(row)
        return row

    city = org(None, "committee", "市委", 5)
    districts = [org(city, "committee", f"第{i + 1}区委", 5) for i in range(10)]
    towns = [org(districts[i % 10], "committee", f"第{i + 1}街道党工委", 5) for i in range(100)]
    # ~8 % of the organisations are 党小组 of the largest branches (added below).
    n_branches = round((orgs_wanted - len(orgs)) * 0.92)
    for _ in range(n_branches):
        branches.append(org(towns[len(branches) % 100], "branch", f"第{len(branches) + 1}党支部", 3))

    weights = [rng.choice((0.1, 0.5, 1, 1, 1, 1, 2, 3, 6)) for _ in branches]
    homes = rng.choices(branches, weights=weights, k=members_wanted)
    members = []
    for n, branch in enumerate(homes):
        joined = date(1985, 1, 1) + timedelta(days=rng.randrange(0, 365 * 39))
        birth = date(1955, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
        roll = rng.random()
        row = {
            "id": new_id(), "org_id": branch["id"], "name": f"党员{n}", "name_initials": "dy",
            "gender": "male" if rng.random() < 0.7 else "female", "ethnicity": "汉族",
            "birth_date": birth, "id_number": f"BENCH{n:012d}", "id_number_index": f"bench-{n}",
            "joined_on": joined, "full_on": joined + timedelta(days=365), "status": "full",
            "is_retired": birth < date(1965, 7, 1),
            "mobile_since": None, "mobile_destination": None,
            "lost_contact_since": None, "lost_contact_reason": None, "version": 1,
        }
        if roll < 0.03:  # probationary; ~8 % of them past their year
            row.update(status="probationary", full_on=None,
                       joined_on=TODAY - timedelta(days=rng.randrange(30, 395)))
        elif roll < 0.05:
            row.update(status="mobile", mobile_since=TODAY - timedelta(days=rng.randrange(10, 900)),
                       mobile_destination="广东省深圳市")
        elif roll < 0.06:
            row.update(status="lost_contact",
                       lost_contact_since=TODAY - timedelta(days=rng.randrange(10, 900)),
                       lost_contact_reason=rng.choice(("migrant_work", "moved", "job_changed")))
        members.append(row)

    by_branch: dict[uuid.UUID, list] = {}
    for m in members:
        by_branch.setdefault(m["org_id"], []).append(m)
    # Groups: the largest branches first, 2–4 groups each, until the organisation count.
    groups_of: dict[uuid.UUID, list] = {}
    for branch in sorted(branches, key=lambda b: -len(by_branch.get(b["id"], []))):
        if len(orgs) >= orgs_wanted:
            break
        for g in range(min(rng.choice((2, 3, 4)), orgs_wanted - len(orgs))):
            groups_of.setdefault(branch["id"], []).append(
                org(branch, "group", f"{branch['name']}第{g + 1}党小组", None))
    _insert(Organization, orgs)
    _insert(Member, members)
    counts.add("organisations", len(orgs))
    counts.add("groups", sum(len(g) for g in groups_of.values()))
    counts.add("members", len(members))
    # Records start on the platform a year ago: months before never count as arrears.
    db.session.add(DuesSettings(overrides={"arrears_from": YEAR_START.isoformat()}))
    db.session.flush()

    committees = _posts(rng, orgs, branches, by_branch, counts)
    _life(rng, branches, by_branch, groups_of, committees, counts)
    _dues(rng, members, counts)
    _development(rng, branches, counts)
    db.session.commit()
    return counts


def _is_full(m) -> bool:
    return m["status"] == "full" or (
        m["status"] in ("mobile", "lost_contact") and m["full_on"] is not None and m["full_on"] <= TODAY)


def _posts(rng, orgs, branches, by_branch, counts):
    """Secretaries everywhere; a committee of 3–5 in branches with ≥ 7 full members (a few
    without one, a few with 6); an accountant and a cashier where there is a committee.
    Returns ``{branch id: (secretary member id or None, [committee member ids])}``."""
    from core.db import new_id
    from core.dues.models import FinanceRole
    from core.orgs.models import OrgPost

    posts, roles, holders = [], [], {}

    def post(org_id, name, started, member_id=None, person_name=None):
        posts.append({"id": new_id(), "org_id": org_id, "post": name, "member_id": member_id,
                      "person_name": person_name, "started_on": started})

    for row in orgs:
        if row["kind"] == "committee":
            post(row["id"], "secretary", row["term_started_on"], person_name=f"书记{row['code']}")
    for branch in branches:
        started = branch["term_started_on"]
        people = [m for m in by_branch.get(branch["id"], []) if m["status"] in ("full", "probationary")]
        full = [m for m in by_branch.get(branch["id"], []) if _is_full(m)]
        if not people:
            post(branch["id"], "secretary", started, person_name=f"第一书记{branch['code']}")
            holders[branch["id"]] = (None, [])
            continue
        size = 1
        if len(full) >= 7:
            roll = rng.random()
            size = 1 if roll < 0.04 else 6 if roll < 0.06 else rng.choice((3, 3, 5, 5, 5))
        chosen = (full or people)[:size]
        for m, name in zip(chosen, POSTS[:size], strict=True):
            post(branch["id"], name, started, member_id=m["id"])
        ids = [m["id"] for m in chosen]
        holders[branch["id"]] = (ids[0], ids if size >= 3 else [])
        if size >= 3:
            accountant, cashier = ids[1], ids[2]
            if rng.random() < 0.02:
                cashier = accountant  # 会计出纳兼任: the conflict rule's case
            for role, member_id in (("accountant", accountant), ("cashier", cashier)):
                roles.append({"id": new_id(), "org_id": branch["id"], "role": role,
                              "member_id": member_id, "person_name": None,
                              "qualified": rng.random() > 0.03, "since": started})
    _insert(OrgPost, posts)
    _insert(FinanceRole, roles)
    counts.add("posts", len(posts))
    counts.add("finance roles", len(roles))
    return holders


def _held(rng, profile: str, i: int, monthly: bool = True) -> bool:
    """Whether a branch of ``profile`` holds a meeting due in ``MONTHS[i]``."""
    if profile == "dormant" and i > 9:  # nothing after April
        return False
    if profile == "lagging" and i >= 9:
        return rng.random() < (0.5 if monthly else 0.65)
    return i == 11 or rng.random() > 0.02


def _life(rng, branches, by_branch, groups_of, holders, counts):
    """A year of meetings with attendance for every branch and group, and talks.

    ~91 % of branches keep every period; ~8 % lag (each monthly meeting of the last three
    months missed one time in two, the latest quarter's 党员大会 or 党课 or the yearly
    meetings sometimes missed, fewer talks); ~1 % held nothing after April."""
    from core.db import new_id
    from core.life.models import Attendance, Meeting

    meetings, attendance = [], []

    def meeting(kind, org_id, held_on, eligible, host=None, always=()):
        mid = new_id()
        present_n = voting_n = voting_present = 0
        for m in eligible:
            if m["id"] in always:
                present = True
            elif m["status"] == "lost_contact":
                present = False
            elif m["status"] == "mobile":
                present = rng.random() < 0.2
            else:
                present = rng.random() < 0.92
            voting = _is_full(m)
            present_n += present
            voting_n += voting
            voting_present += voting and present
            attendance.append({
                "id": new_id(), "meeting_id": mid, "member_id": m["id"], "present": present,
                "late": present and rng.random() < 0.03,
                "absence_reason": None if present else rng.choice(("因公出差", "病假", "外出务工")),
            })
        meetings.append({
            "id": mid, "kind": kind, "org_id": org_id, "held_on": held_on, "topic": TOPICS[kind],
            "host": host, "location": "党员活动室", "is_election": False,
            "eligible_count": len(eligible), "present_count": present_n, "voting_count": voting_n,
            "voting_present": voting_present,
            "quorum_met": voting_present * 2 > voting_n if kind == "general_meeting" else None,
            "election_valid": None, "created_by": "bench",
        })
        counts.add(f"meetings: {kind}")

    def flush():
        _insert(Meeting, meetings)
        _insert(Attendance, attendance)
        counts.add("attendance rows", len(attendance))
        meetings.clear()
        attendance.clear()

    for n, branch in enumerate(branches):
        bid = branch["id"]
        people = [m for m in by_branch.get(bid, []) if m["status"] in ACTIVE]
        secretary, committee = holders.get(bid, (None, []))
        roll = rng.random()
        profile = "dormant" if roll < 0.01 else "lagging" if roll < 0.09 else "regular"
        counts.add(f"branches: {profile}")
        held = functools.partial(_held, rng, profile)

        if people:
            by_id = {m["id"]: m for m in people}
            for i, month in enumerate(MONTHS):
                if held(i):
                    meeting("theme_day", bid, _day(rng, month), people, secretary)
                if committee and held(i):
                    meeting("committee_meeting", bid, _day(rng, month),
                            [by_id[c] for c in committee if c in by_id], secretary, committee)
            offset = rng.randrange(3)
            for q in range(4):
                i = 3 * q + offset
                for kind in ("general_meeting", "party_lecture"):
                    if held(i, monthly=False) or (q < 3 and profile != "dormant"):
                        meeting(kind, bid, _day(rng, MONTHS[i]), people, secretary)
            yearly = MONTHS[6 + rng.randrange(3)]
            skip = profile == "lagging" and rng.random() < 0.3
            if not skip:
                day = _day(rng, yearly)
                meeting("life_meeting", bid, day, people, secretary)
                meeting("member_review", bid, day + timedelta(days=1), people, secretary)
            groups = groups_of.get(bid, [])
            for g, group in enumerate(groups):
                share = people[g::len(groups)]
                for i, month in enumerate(MONTHS):
                    if held(i):
                        meeting("group_meeting", group["id"], _day(rng, month), share)
            cover = 0.6 if profile != "regular" else 0.95
            sec = by_id.get(secretary)
            for m in people:
                if rng.random() < cover:
                    pair = [m] if sec is None or sec is m else [sec, m]
                    meeting("talk", bid, TODAY - timedelta(days=rng.randrange(1, 360)), pair,
                            secretary, {m["id"] for m in pair})
        if n % CHUNK_ORGS == CHUNK_ORGS - 1:
            flush()
    flush()


def _amount(base: Decimal, retired: bool) -> Decimal:
    if retired:
        rate = Decimal("0.005") if base <= 5000 else Decimal("0.01")
    else:
        rate = (Decimal("0.005") if base <= 3000 else Decimal("0.01") if base <= 5000
                else Decimal("0.015") if base <= 10000 else Decimal("0.02"))
    return (base * rate).quantize(Decimal("0.01"))


def _dues(rng, members, counts):
    """A dues base from the year's first month and a payment row per paid month for every
    active member; ~3 % stopped paying 3–5 months ago, ~1 % 6–12 months ago, and lost-contact
    members stopped when contact was lost."""
    from core.db import new_id
    from core.dues.models import DuesBase, DuesPayment

    bases, payments = [], []
    for m in members:
        if m["status"] not in ACTIVE:
            continue
        base = Decimal(rng.randrange(2500, 15000))
        bases.append({"id": new_id(), "member_id": m["id"], "effective_from": YEAR_START,
                      "base": base, "fixed_amount": None, "fixed_reason": None})
        amount = _amount(base, m["is_retired"])
        paid_months = [mo for mo in MONTHS if mo >= _month_start(m["joined_on"])]
        roll = rng.random()
        if roll < 0.01:
            paid_months = paid_months[:-rng.randrange(6, 13)] if len(paid_months) > 6 else []
            counts.add("members 6+ months behind")
        elif roll < 0.04:
            paid_months = paid_months[:-rng.randrange(3, 6)]
            counts.add("members 3–5 months behind")
        if m["lost_contact_since"] is not None:
            paid_months = [mo for mo in paid_months if mo < _month_start(m["lost_contact_since"])]
        for mo in paid_months:
            payments.append({
                "id": new_id(), "member_id": m["id"], "org_id": m["org_id"], "month": mo,
                "amount": amount, "channel": rng.choice(CHANNELS),
                "paid_on": mo + timedelta(days=rng.randrange(0, 25)), "recorded_by": "bench",
            })
        if len(payments) >= 50_000:
            _insert(DuesPayment, payments)
            counts.add("dues payments", len(payments))
            payments.clear()
    _insert(DuesPayment, payments)
    counts.add("dues payments", len(payments))
    _insert(DuesBase, bases)
    counts.add("dues bases", len(bases))


def _development(rng, branches, counts, people_wanted: int = 600):
    """People in the 25-step pipeline at every stage; ~10 % overdue at their current step,
    ~3 % stopped, ~1 % with a step flagged for review."""
    from core.db import new_id
    from core.development.models import DevelopmentPerson, DevelopmentStep

    people, steps = [], []

    def step(pid, code, day, flagged=False):
        steps.append({"id": new_id(), "person_id": pid, "code": code, "done_on": min(day, TODAY),
                      "actor_label": "bench", "evidence": "按程序办理",
                      "flagged_for_review": flagged})

    def run(pid, codes, start, gap=(10, 30)):
        day = start
        for code in codes:
            step(pid, code, day)
            day += timedelta(days=rng.randrange(*gap))
        return day

    for n in range(people_wanted):
        pid = new_id()
        stage = rng.choices(("applicant", "activist", "candidate", "probationary"),
                            weights=(30, 35, 15, 20))[0]
        late = rng.random() < 0.10
        status = "stopped" if rng.random() < 0.03 else "active"
        people.append({
            "id": pid, "org_id": rng.choice(branches)["id"], "name": f"发展对象{n}",
            "gender": rng.choice(("male", "female")),
            "birth_date": date(1985, 1, 1) + timedelta(days=rng.randrange(0, 365 * 20)),
            "ethnicity": "汉族", "id_number": f"DEV{n:015d}", "id_number_index": f"bench-dev-{n}",
            "stage": stage, "status": status,
            "status_reason": "本人申请暂缓" if status == "stopped" else None,
        })
        counts.add(f"development: {stage}{' (late)' if late else ''}")
        if stage == "applicant":
            applied = TODAY - timedelta(days=rng.randrange(35, 300) if late else rng.randrange(5, 300))
            step(pid, 1, applied)
            if not late and applied + timedelta(days=25) < TODAY:
                step(pid, 2, applied + timedelta(days=rng.randrange(7, 25)))
        elif stage == "activist":
            designated = TODAY - timedelta(days=rng.randrange(60, 700))
            run(pid, (1, 2), designated - timedelta(days=rng.randrange(200, 400)))
            run(pid, (3, 4, 5), designated, gap=(3, 10))
            stop = TODAY - timedelta(days=rng.randrange(200, 360)) if late else TODAY
            review = designated + timedelta(days=150)
            while review < stop:
                step(pid, 6, review)
                review += timedelta(days=rng.randrange(120, 170))
        elif stage == "candidate":
            chosen = TODAY - timedelta(days=rng.randrange(60, 400))
            start = chosen - timedelta(days=rng.randrange(400, 700))
            run(pid, (1, 2, 3, 4, 5, 6, 6), start, gap=(30, 90))
            run(pid, (7, 8, 9, 10, 11, 12), chosen, gap=(5, 10))
            if late:  # pre-reviewed (13) long ago, no branch meeting (15)
                step(pid, 13, TODAY - timedelta(days=rng.randrange(40, 120)))
            elif rng.random() < 0.3:
                step(pid, 13, TODAY - timedelta(days=rng.randrange(2, 28)))
        else:
            meeting = TODAY - timedelta(days=rng.randrange(380, 480) if late else rng.randrange(30, 350))
            start = meeting - timedelta(days=rng.randrange(800, 1000))
            run(pid, (1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 11, 12, 13, 14), start, gap=(25, 55))
            run(pid, (15, 16, 17, 18, 19, 20, 21), meeting, gap=(5, 20))
            if (TODAY - meeting).days > 335:
                step(pid, 22, meeting + timedelta(days=335))
        if rng.random() < 0.01:
            steps[-1]["flagged_for_review"] = True
    _insert(DevelopmentPerson, people)
    _insert(DevelopmentStep, steps)
    counts.add("development people", len(people))
    counts.add("development steps", len(steps))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default="bench-city", help="tenant slug (reused if it exists)")
    parser.add_argument("--rebuild", action="store_true",
                        help="delete the tenant of that slug first and build it again")
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--build-only", action="store_true", help="build (or reuse) and stop")
    args = parser.parse_args()

    from sqlalchemy import delete, event, func, select, text

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
        if tenant is not None and args.rebuild:
            started = time.perf_counter()
            # Every tenant table cascades from tenants (the cascade is a referential action,
            # which row-level security does not filter).
            db.session.execute(delete(Tenant).where(Tenant.id == tenant.id))
            db.session.commit()
            print(f"deleted tenant {args.tenant} in {time.perf_counter() - started:.1f} s")
            tenant = None
        if tenant is None:
            tenant = Tenant(slug=args.tenant, name="预警基准测试市委组织部", hosts=[])
            db.session.add(tenant)
            db.session.commit()
            with acting_as(cli_actor()), tenant_context(tenant.id):
                started = time.perf_counter()
                counts = build(args.orgs, args.members)
                print(f"built tenant {args.tenant} in {time.perf_counter() - started:.1f} s:")
                for key in sorted(counts):
                    print(f"  {key:36} {counts[key]:>9,}")
            if db.engine.dialect.name == "postgresql":
                # A live database has planner statistics; right after a bulk load it has not.
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("ANALYZE"))
        tenant_id = tenant.id
        db.session.commit()
        if args.build_only:
            return

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
