"""Benchmark: the city report — every figure issue 8 asks for, on one seeded city, in one run.

    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_city \\
    REDIS_URL=redis://127.0.0.1:6379/14 DANGJIAN_INSTANCE_PATH=/tmp/bench-instance SECRET_KEY=bench \\
        .venv/bin/python bench/city.py [--tenant city] [--profile city] [--skip import,load]

On the database of ``DATABASE_URL`` (a scratch database owned by a plain role, see
``bench/README.md``), with the Redis of ``REDIS_URL`` (the cycle runs in a real worker):

1. **The city** — :func:`bench.city_tenant.prepare`: unless tenant ``--tenant`` exists, seeds
   it (``dangjian seed --profile city``), analyses, sweeps, copies every default standard and
   runs and publishes a yearly cycle.
2. **Warning sweep** — a full sweep by the engine (every rule the tenant has, findings kept
   as a daily sweep keeps them), committed; then, in the same run on the same data, the
   yardstick: every rule's hand-written set-based query (:mod:`bench.reference.sweep`); the
   two compared finding by finding.
3. **Assessment cycle** — a new yearly cycle of the whole city, its run enqueued and executed
   by a ``dangjian worker --burst`` process (rq, a forked work-horse, as in production): the
   job's own time from its row and the worker's peak memory (the largest process of its
   tree, ``ru_maxrss``); then the yardstick (:mod:`bench.reference.cycle.assemble`: the
   indicators, scores, stars, ranks and members' figures in SQL, materialised in temporary
   tables) and the comparison of every figure.
4. **Excel import** — ``bench/import_members.py`` (100,000 members into a new tenant of its
   own) in a child process: rows/s and peak memory.
5. **Load** — ``bench/load.py`` (wrk in a second process against gunicorn with 2 workers):
   requests/s and p50/p95/p99 for the city root's dashboard, the member list and an
   organisation page.

Prints each part as it goes, then one table of every figure beside its target. A benchmark,
never a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 2.0
TARGET_WORKER_MB = 500
TARGET_P95_MS = 100

Row = tuple[str, str, str, str]  # figure, value, target, verdict


def _ratio_row(label: str, engine_s: float, sql_s: float) -> Row:
    ratio = engine_s / sql_s if sql_s else float("inf")
    return (label, f"{engine_s:.2f} s vs SQL {sql_s:.2f} s = {ratio:.2f}×", f"≤ {TARGET_RATIO:g}×",
            "met" if ratio <= TARGET_RATIO else "MISSED")


def sweep_part(tenant_id: int, today: date) -> list[Row]:
    from collections import defaultdict

    from bench.reference import sweep as reference
    from core.db import db
    from core.warnings import engine

    started = time.perf_counter()
    report = engine.sweep(today)
    db.session.commit()
    engine_total = time.perf_counter() - started
    params = reference.effective_params()
    db.session.commit()
    outcomes = reference.run(db.session, tenant_id, today, params)
    db.session.commit()
    sql_total = sum(o.seconds for o in outcomes.values())
    stored = reference.engine_findings(db.session, outcomes)
    db.session.commit()

    by_slice: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0])
    for r in report.rules:
        part = by_slice[r.key.split(".")[0]]
        part[0] += r.seconds
        part[2] += r.opened + r.kept
    for key, o in outcomes.items():
        by_slice[key.split(".")[0]][1] += o.seconds
        by_slice[key.split(".")[0]][3] += len(o.findings)
    different = {k: (len(o.findings), len(stored[k])) for k, o in outcomes.items() if o.findings != stored[k]}
    missing = sorted(set(params) - set(outcomes))

    print(f"\nwarning sweep as of {today}: {len(report.rules)} rules, "
          f"{sum(r.opened + r.kept for r in report.rules):,} findings")
    print(f"{'slice':<14} {'engine s':>9} {'SQL s':>8} {'ratio':>7} {'engine found':>13} {'SQL found':>10}")
    for name, (engine_s, sql_s, found, sql_found) in sorted(by_slice.items()):
        ratio = f"{engine_s / sql_s:.2f}" if sql_s else "—"
        print(f"{name:<14} {engine_s:9.2f} {sql_s:8.2f} {ratio:>7} {found:13,} {sql_found:10,}")
    print(f"{'total':<14} {engine_total:9.2f} {sql_total:8.2f} {engine_total / sql_total:7.2f}")
    print(f"rules without a yardstick query: {', '.join(missing) or 'none'}")
    print(f"rules whose findings differ (SQL, engine): {different or 'none'}")
    failed = [r.key for r in report.rules if r.error]
    if failed:
        print(f"rules that failed in the engine: {failed}")
    return [
        _ratio_row("warning sweep (engine vs SQL)", engine_total, sql_total),
        ("  findings, engine = SQL", f"{'yes' if not different and not missing else 'NO'} "
         f"({len(outcomes)} of {len(params)} rules compared)", "all equal", "met" if not different and not missing else "MISSED"),
    ]


def cycle_part(slug: str, tenant_id: int, today: date) -> list[Row]:
    from sqlalchemy import select

    from bench.reference.cycle import assemble
    from core.assessment import cycles
    from core.assessment.plugin import RUN_JOB
    from core.db import db
    from core.jobs import service as jobs
    from core.jobs.models import Job
    from core.orgs.models import Organization

    root = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    cycle = cycles.open_cycle(name=f"基准测试 {time.strftime('%Y-%m-%d %H:%M:%S')}", period="year",
                              year=today.year, root_org=root)
    db.session.commit()
    cycle_id = cycle.id
    job = jobs.enqueue(RUN_JOB, cycle_id=str(cycle_id))
    job_id = job.id
    db.session.commit()
    peak_mb = _worker_burst()
    db.session.expire_all()
    job = db.session.scalar(select(Job).where(Job.id == job_id))
    if job.state != "finished":
        raise SystemExit(f"the cycle job ended {job.state}: {job.error}")
    engine_s = (job.finished_at - job.started_at).total_seconds()
    summary = job.result or {}
    db.session.commit()

    ref = assemble.run(db.session, cycle_id)
    mismatches = assemble.compare(db.session, cycle_id, ref)  # reads the ref_* temporary tables
    db.session.commit()
    print(f"\nassessment cycle {today.year} of the city: {summary.get('orgs')} organisations, "
          f"{summary.get('items')} items, {summary.get('members')} members; "
          f"{summary.get('measurements')} measurements")
    print(f"engine, in a worker: job {engine_s:.2f} s (run {summary.get('seconds')} s), "
          f"worker peak {peak_mb:.0f} MB")
    print(f"yardstick SQL: {ref.total:.2f} s — " + ", ".join(f"{k} {v:.2f} s" for k, v in ref.seconds.items()))
    for note in ref.notes:
        print(f"yardstick note: {note}")
    if ref.borrowed:
        print(f"indicators borrowed from the engine (no yardstick query): {', '.join(ref.borrowed)}")
    print(f"figures that differ: {mismatches or 'none'}")
    equal = not mismatches and not ref.borrowed
    return [
        _ratio_row("assessment cycle (engine in a worker vs SQL)", engine_s, ref.total),
        ("  figures, engine = SQL", "yes" if equal else "NO", "all equal", "met" if equal else "MISSED"),
        ("worker peak memory during the cycle", f"{peak_mb:.0f} MB", f"≤ {TARGET_WORKER_MB} MB",
         "met" if peak_mb <= TARGET_WORKER_MB else "MISSED"),
    ]


def _worker_burst() -> float:
    """Run ``dangjian worker --burst`` until the queue is empty; the peak resident memory of
    the largest process of its tree (the worker or the work-horse it forked), in MB. A
    wrapper process waits for it, so nothing else of ours is counted."""
    wrapper = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", wrapper, str(Path(sys.executable).with_name("dangjian")),
                           "worker", "--burst"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the worker failed:\n{done.stderr[-2000:]}")
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def import_part() -> list[Row]:
    out = _child(["bench/import_members.py", "--no-export"])
    first = re.search(r"first import: (\w+).*?\n\s+([\d.]+) s in all.*?, ([\d,]+) rows/s.*?\n"
                      r"\s+peak memory so far: (\d+) MB in the job's process, (\d+) MB", out, re.S)
    if not first:
        raise SystemExit(f"could not read bench/import_members.py's figures:\n{out[-2000:]}")
    state, seconds, rate, job_mb, child_mb = first.groups()
    return [("Excel import, 100,000 members", f"{rate} rows/s ({seconds} s)", "—", state),
            ("  import peak memory", f"{job_mb} MB job process, {child_mb} MB reader child", "—", "")]


def load_part(slug: str) -> list[Row]:
    """wrk at 2 connections (one request per worker at a time) and at 8 (queueing: four
    waiting per worker), both against 2 gunicorn workers."""
    rows: list[Row] = []
    for connections in (2, 8):
        out = _child(["bench/load.py", "--tenant", slug, "--workers", "2", "--connections", str(connections)])
        found_any = False
        for line in out.splitlines():
            found = re.match(r"(.+?)\s+([\d.]+)\s+([\d.]+)ms\s+([\d.]+)ms\s+([\d.]+)ms\s+([\d.]+)ms\s+(\d+)\s*$", line)
            if not found:
                continue
            found_any = True
            label, rps, p50, p95, p99, _slowest, errors = found.groups()
            dashboard = "dashboard" in label
            verdict = ("met" if float(p95) <= TARGET_P95_MS else "MISSED") if dashboard else ""
            rows.append((f"load: {label.strip()}, {connections} conn.",
                         f"{float(rps):.0f} req/s, p50 {p50} / p95 {p95} / p99 {p99} ms"
                         + (f", {errors} errors" if errors != "0" else ""),
                         f"p95 ≤ {TARGET_P95_MS} ms" if dashboard else "—", verdict))
        if not found_any:
            raise SystemExit(f"could not read bench/load.py's figures:\n{out[-2000:]}")
    return rows


def _child(args: list[str]) -> str:
    print(f"\n$ python {' '.join(args)}", flush=True)
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    print(done.stdout, end="")
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", default="city")
    parser.add_argument("--profile", default="city")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: sweep,cycle,import,load")
    args = parser.parse_args()
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    if "cycle" not in skip and not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL must be set: the cycle runs in a real worker")

    from sqlalchemy import text

    from bench.city_tenant import open_app, prepare
    from core.auth.context import acting_as, cli_actor
    from core.db import db
    from core.tenancy import tenant_context
    from core.tenancy.resolve import tenant_by_slug

    app = open_app()
    rows: list[Row] = []
    today = date.today()
    with app.app_context():
        version = db.session.execute(text("SHOW server_version")).scalar()
        prepare(args.tenant, args.profile)
        tenant_id = tenant_by_slug(args.tenant).id
        db.session.commit()
        with acting_as(cli_actor()), tenant_context(tenant_id):
            if "sweep" not in skip:
                rows += sweep_part(tenant_id, today)
            if "cycle" not in skip:
                rows += cycle_part(args.tenant, tenant_id, today)
    if "import" not in skip:
        rows += import_part()
    if "load" not in skip:
        rows += load_part(args.tenant)

    if not rows:
        return
    print(f"\ncity report — {machine()}, PostgreSQL {version}, {today}")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
